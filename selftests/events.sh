#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mapping events (RFC 6888 logging) on the network of topology.sh:
#
#   lan1 --ask--> R1      gw: conectl monitor
#                         -> "new nat wan0 udp 10.0.1.2:P -> 203.0.113.1:P"
#   (2 s idle)            -> "del ... expired"; never the remote's address

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

# Events of one mapping's life, as conectl [-j] monitor prints them.
monitor_life() { # monitor_life PORT [-j]
	local pid
	nat eim eif timeout 2 quarantine 0 2> /dev/null || return 1
	# Not through a shell function: $! must be conectl itself.
	ip netns exec "$gw" conectl $2 monitor > "$tmp/events" 2>&1 &
	pid=$!
	sleep 0.5
	ask "$lan1" $L1:$1 $R1:3478 > /dev/null || return 1
	sleep 4
	kill "$pid"
	wait "$pid" 2> /dev/null
	cat "$tmp/events"
	! grep -q "$R1" "$tmp/events" || { echo "an event names the remote"; return 1; }
}

text_events() {
	monitor_life 34000 || return 1
	grep -q "new nat wan0 udp $L1:34000 -> $G:34000$" "$tmp/events" &&
		grep -q "del nat wan0 udp $L1:34000 -> $G:34000 expired$" "$tmp/events"
}

json_events() {
	monitor_life 34100 -j || return 1
	grep -q '"event":"new","nat":"wan0","proto":"udp","internal":{"addr":"'$L1'","port":34100}' "$tmp/events" &&
		grep -q '"event":"del".*"port":34100},"expired":true}' "$tmp/events"
}

unprivileged_refused() {
	fails_with 'monitor' in_gw setpriv --reuid=65534 --regid=65534 --clear-groups \
		conectl monitor
}

topology
ktap_print_header
ktap_set_plan 3
check "conectl monitor: a mapping made and expired, no destinations" text_events
check "conectl -j monitor: the same as JSON" json_events
check "joining the events group needs CAP_NET_ADMIN" unprivileged_refused
ktap_finished
