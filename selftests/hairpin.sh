#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8, RFC 5508 REQ-7), no extra
# rule needed:
#
#   lan1 10.0.1.2:p1 --> gw 203.0.113.1:e2 --+
#                          (the NAT turns it back)
#   lan2 10.0.2.2:p2 <-- from 203.0.113.1:e1 -+   e1 = lan1's mapping
#
# lan2 must see lan1's external endpoint, and its own filter applies.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

# What LOCAL in NS sees of a datagram that SRC in lan1 sends to DST.
# Run in check's subshell: broken() fails the check if the plumbing did.
udp_seen() { # udp_seen NS LOCAL SRC DST
	hear "$1" "$2" || broken "no UDP listener on $2"
	ip netns exec "$lan1" "$PEER" send "$3" "$4" hairpin ||
		broken "send from $3 to $4"
	sleep 0.1
	ip netns exec "$lan1" "$PEER" send "$3" "$4" hairpin ||
		broken "send from $3 to $4"
	heard
	[ $? -le 1 ] || broken "the listener on $2 failed"
	cut -d' ' -f1 "$tmp/listen"
}

udp_hairpin() {
	local e2 seen
	nat eim eif || return 1
	e2=$(ask "$lan2" $L2:7700 $R1:3478) || return 1
	seen=$(udp_seen "$lan2" $L2:7700 $L1:7701 "$e2") || { echo "$seen"; return 1; }
	echo "lan1 $L1:7701 -> $e2: lan2 saw ${seen:-nothing}"
	[ "$seen" = "$G:7701" ]
}

# Under apdf the receiver must have sent to the sender's external endpoint.
udp_hairpin_filtered() {
	local e2 seen
	nat eim apdf || return 1
	e2=$(ask "$lan2" $L2:7710 $R1:3478) || return 1
	seen=$(udp_seen "$lan2" $L2:7710 $L1:7711 "$e2") || { echo "$seen"; return 1; }
	[ -z "$seen" ] || { echo "unsolicited hairpin passed apdf"; return 1; }
	ip netns exec "$lan2" "$PEER" send $L2:7710 $G:7711 punch || return 1
	seen=$(udp_seen "$lan2" $L2:7710 $L1:7711 "$e2") || { echo "$seen"; return 1; }
	echo "after lan2 punched to $G:7711, lan2 saw ${seen:-nothing}"
	[ "$seen" = "$G:7711" ]
}

tcp_hairpin() {
	local e2 seen pid
	nat eim eif || return 1
	e2=$(ip netns exec "$lan2" "$PEER" tcp-ask $L2:7800 $R1:80 3000) || return 1
	ip netns exec "$lan2" "$PEER" tcp-echo $L2:7800 > /dev/null 2>&1 &
	pid=$!
	listening "$lan2" tcp 7800
	seen=$(ip netns exec "$lan1" "$PEER" tcp-ask $L1:7801 "$e2" 3000)
	kill "$pid"
	wait "$pid" 2> /dev/null
	echo "lan1 $L1:7801 -> $e2 (tcp): lan2 saw ${seen:-nothing}"
	[ "$seen" = "$G:7801" ]
}

# lan2 answers a hairpinned datagram to a closed port with an ICMP error,
# which must reach lan1 translated back (RFC 5508 REQ-7): port unreachable
# (type 3 code 3) from lan2's external address, as lan1 sent it there.
icmp_error_hairpin() {
	local e2 err
	nat eim eif || return 1
	e2=$(ask "$lan2" $L2:7720 $R1:3478) || return 1
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:7721 "$e2")
	echo "lan1 $L1:7721 -> $e2, nobody listening: ${err:-no error}"
	[ "$err" = "icmp 3 3 from $G" ]
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 > /dev/null 2>&1 &
listening "$wan" tcp 80
ktap_print_header
ktap_set_plan 4
check "udp: lan2 sees lan1's external endpoint" udp_hairpin
check "udp: the receiver's filter applies to hairpinned flows" udp_hairpin_filtered
check "tcp: lan2 sees lan1's external endpoint" tcp_hairpin
check "icmp: an error about a hairpinned flow reaches the sender" icmp_error_hairpin
ktap_finished
