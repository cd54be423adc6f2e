#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mapping events (RFC 6888 logging) on the network of topology.sh:
#
#   lan1 --ask--> R1      gw: conectl monitor
#                         -> "new nat wan0 udp 10.0.1.2:P -> 203.0.113.1:P"
#   (2 s idle)            -> "del ... expired"; never the remote's address,
#                            unless the instance has log-destinations on

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

# The monitor has joined the events group once it shows a mapping made
# after it started: one from a new port each half second until it does.
monitor_joined() {
	local i
	for i in $(seq 34900 34919); do
		ask "$lan1" $L1:$i $R1:3478 > /dev/null
		sleep 0.5
		grep -q "$i" "$tmp/events" && return 0
	done
	return 1
}

# Events of one mapping's life, as conectl [-j] monitor prints them.
monitor_life() { # monitor_life PORT [-j] [NAT OPTIONS]
	local pid port=$1 json=$2
	shift 2
	nat eim eif timeout 2 quarantine 0 "$@" 2> /dev/null || return 1
	# Not through a shell function: $! must be conectl itself.
	ip netns exec "$gw" conectl $json monitor > "$tmp/events" 2>&1 &
	pid=$!
	monitor_joined || { kill "$pid"; echo "conectl monitor saw nothing"; return 1; }
	ask "$lan1" $L1:$port $R1:3478 > /dev/null || return 1
	sleep 4
	kill "$pid"
	wait "$pid" 2> /dev/null
	cat "$tmp/events"
}

no_destinations() {
	! grep -q "$R1" "$tmp/events" || { echo "an event names the remote"; return 1; }
}

text_events() {
	monitor_life 34000 "" && no_destinations || return 1
	grep -q "new nat wan0 udp $L1:34000 -> $G:34000$" "$tmp/events" &&
		grep -q "del nat wan0 udp $L1:34000 -> $G:34000 expired$" "$tmp/events"
}

json_events() {
	monitor_life 34100 -j && no_destinations || return 1
	grep -q '"event":"new","nat":"wan0","proto":"udp","internal":{"addr":"'$L1'","port":34100}' "$tmp/events" &&
		grep -q '"event":"del".*"port":34100},"expired":true}' "$tmp/events"
}

# Asked for, the new mapping's event names the destination that made it,
# and only that one (the del event names none).
destination_events() {
	monitor_life 34200 "" log-destinations on || return 1
	grep -q "new nat wan0 udp $L1:34200 -> $G:34200 destination $R1:3478$" "$tmp/events" &&
		grep -q "del nat wan0 udp $L1:34200 -> $G:34200 expired$" "$tmp/events"
}

# N new mappings while the monitor is stopped: with a small receive
# buffer the kernel drops events, the monitor goes on and counts exactly
# what it lost (the events numbers' gap); with its default buffer none.
monitor_flood() { # monitor_flood FIRST_PORT [-rcvbuf SIZE]
	local pid first=$1 n=1000 seen lost
	shift
	nat eim eif || return 1
	ip netns exec "$gw" conectl "$@" monitor > "$tmp/events" 2> "$tmp/lost" &
	pid=$!
	monitor_joined || { kill "$pid"; echo "conectl monitor saw nothing"; return 1; }
	kill -STOP "$pid"
	ip netns exec "$lan1" "$PEER" spray $L1 "$first" $n $R1:3478 > /dev/null || broken "spray"
	sleep 1
	kill -CONT "$pid"
	# One event after the flood: its number shows the gap.
	ask "$lan1" $L1:39000 $R1:3478 > /dev/null || broken "ask after the flood"
	slowwait 20 grep -q "udp $L1:39000 " "$tmp/events" ||
		{ kill "$pid"; echo "the monitor did not go on after the flood"; cat "$tmp/lost"; return 1; }
	kill "$pid"
	wait "$pid" 2> /dev/null
	seen=$(awk -v lo="$first" -v hi=$((first + n - 1)) -v l1=$L1 '
		$2 == "new" && split($6, e, ":") == 2 && e[1] == l1 &&
		((e[2] >= lo && e[2] <= hi) || e[2] == 39000) { k++ }
		END { print k + 0 }' "$tmp/events")
	lost=$(sed -n 's/.*events lost (\([0-9]*\) in all).*/\1/p' "$tmp/lost" | tail -n 1)
	echo "of $((n + 1)) events, $seen seen, ${lost:-0} counted lost"
	[ $((seen + ${lost:-0})) = $((n + 1)) ] || return 1
	if [ "$1" = -rcvbuf ]; then
		[ "${lost:-0}" -gt 0 ] || { echo "nothing lost with a $2-byte buffer"; return 1; }
	else
		[ -z "$lost" ] || { echo "events lost with the default buffer"; return 1; }
	fi
}

unprivileged_refused() {
	fails_with 'monitor' in_gw setpriv --reuid=65534 --regid=65534 --clear-groups \
		conectl monitor
}

topology
ktap_print_header
ktap_set_plan 6
check "conectl monitor: a mapping made and expired, no destinations" text_events
check "conectl -j monitor: the same as JSON" json_events
check "log-destinations on: the new mapping's event names its destination" destination_events
check "conectl monitor: a flood with a small buffer, the lost events counted" \
	monitor_flood 35000 -rcvbuf 4096
check "conectl monitor: the same flood with the default buffer, none lost" \
	monitor_flood 36000
check "joining the events group needs CAP_NET_ADMIN" unprivileged_refused
ktap_finished
