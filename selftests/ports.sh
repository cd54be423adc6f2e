#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# External ports as a resource (RFC 6888, RFC 5508 REQ-8), on the network
# of topology.sh with a two-port pool:
#
#   lan1 :a, :b  --> gw ports 30000-30001 --> R1
#   lan1 :c      --> no port left: dropped, ICMP "administratively
#                    prohibited" (type 3 code 13, read from the socket's
#                    error queue) back, no mapping evicted
#   freed port   --> rests "quarantine" seconds before a new owner
#
# and the allocation options: random ports (RFC 6056), port parity
# (RFC 4787 REQ-4), range preservation (REQ-3a), and the per-address
# mapping limit (RFC 6888 REQ-4).

. "$(dirname "$0")/lib.sh"
require_root_and_module
require_tool ping iputils-ping
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

exhaustion() {
	local a b err
	nat eim eif ports 30000-30001 || return 1
	a=$(ask "$lan1" $L1:31000 $R1:3478) && b=$(ask "$lan1" $L1:31001 $R1:3478) ||
		return 1
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:31002 $R1:3478)
	echo "two mappings $a $b; the third: ${err:-no error}"
	[ "$err" = "icmp 3 13 from 10.0.1.1" ] || return 1
	# Neither live mapping was given up for the third.
	[ "$(ask "$lan1" $L1:31000 $R1:3478)" = "$a" ] &&
		[ "$(ask "$lan1" $L1:31001 $R1:3478)" = "$b" ] &&
		in_gw conectl -j stats wan0 | grep -q '"alloc_failed":1,'
}

quarantine() {
	local e err
	nat eim eif ports 30000-30000 timeout 2 quarantine 6 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:32000 $R1:3478) || return 1
	sleep 4
	# Expired, but its port rests: nobody gets it yet, the flow is refused
	# as when no port is left.
	in_gw conectl map show wan0 | grep -q . && { echo "not expired yet"; return 1; }
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:32001 $R1:3478)
	echo "during the quarantine: ${err:-no error}"
	[ "$err" = "icmp 3 13 from 10.0.1.1" ] || return 1
	sleep 5
	[ "$(ask "$lan1" $L1:32001 $R1:3478)" = "$e" ] ||
		{ echo "the port did not come back"; return 1; }
}

no_quarantine() {
	local e err
	nat eim eif ports 30000-30000 timeout 2 quarantine 0 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:33000 $R1:3478) || return 1
	sleep 4
	[ "$(ask "$lan1" $L1:33001 $R1:3478)" = "$e" ]
}

# The external ports lan1's internal ports get, one line each.
ext_ports() { # ext_ports PORT...
	local p e
	for p in "$@"; do
		e=$(ask "$lan1" $L1:$p $R1:3478) || { echo "no answer from $p"; return 1; }
		echo "$p ${e##*:}"
	done
}

# The internal ports are in the range and free: only random skips them.
port_random() {
	local out
	nat eim eif ports 34000-34999 port-alloc random || return 1
	out=$(ext_ports 34100 34101 34102 34103 34104) || return 1
	echo "$out"
	awk '$1 != $2 { moved++ } END { exit !moved }' <<< "$out"
}

# Ports outside the range get a random one, of their own parity.
port_parity() {
	local out
	nat eim eif ports 34000-34999 port-parity on || return 1
	out=$(ext_ports 5001 5002 5003 5004 5005 5006 5007 5008 5009 5010) ||
		return 1
	echo "$out"
	awk '$1 % 2 != $2 % 2 { bad++ } END { exit bad > 0 }' <<< "$out"
}

# 0-1023 stay below 1024, the others above (the range has both sides).
range_preservation() {
	local out
	nat eim eif ports 600-1600 range-preservation on || return 1
	out=$(ext_ports 53 80 123 443 5001 5002 5003 5004) || return 1
	echo "$out"
	awk '($1 < 1024) != ($2 < 1024) { bad++ } END { exit bad > 0 }' <<< "$out"
}

range_preservation_needs_both_sides() {
	nat eim eif || return 1
	fails_with "range preservation needs ports below and above 1024" \
		in_gw conectl nat change wan0 range-preservation on || return 1
	in_gw conectl -j nat show wan0 | grep -q '"range_preservation":false'
}

# A UDP, a TCP and an ICMP mapping fill a limit of three (all protocols
# together); the fourth mapping of that address is refused like
# exhaustion; another address is not held back; the refusal is counted.
mapping_limit() {
	local err
	nat eim eif mapping-limit 3 || return 1
	ask "$lan1" $L1:35000 $R1:3478 > /dev/null || { echo "udp refused"; return 1; }
	ip netns exec "$lan1" "$PEER" tcp-ask $L1:35001 $R1:80 3000 > /dev/null ||
		{ echo "tcp refused"; return 1; }
	ip netns exec "$lan1" ping -q -c 1 -W 2 -e 35003 $R1 > /dev/null ||
		{ echo "icmp refused"; return 1; }
	in_gw conectl map show wan0
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:35002 $R1:3478)
	echo "the third mapping of $L1: ${err:-no error}"
	[ "$err" = "icmp 3 13 from 10.0.1.1" ] || return 1
	ask "$lan2" $L2:35000 $R1:3478 > /dev/null ||
		{ echo "lan2 was refused too"; return 1; }
	in_gw conectl -j stats wan0 | grep -q '"limit_dropped":1,'
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 > /dev/null 2>&1 &
listening "$wan" tcp 80
ktap_print_header
ktap_set_plan 8
check "no port left: dropped with ICMP code 13, nothing evicted, counted" exhaustion
check "a freed port rests for the quarantine" quarantine
check "quarantine 0: a freed port is reused at once" no_quarantine
check "port-alloc random: free internal ports are not kept" port_random
check "port-parity on: external ports keep the internal port's parity" port_parity
check "range-preservation on: 0-1023 and 1024+ map within their range" range_preservation
check "range-preservation is refused without ports on both sides of 1024" \
	range_preservation_needs_both_sides
check "mapping-limit: udp, tcp, icmp together; one over the limit refused, counted" mapping_limit
ktap_finished
