#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# External ports as a resource (RFC 6888, RFC 5508 REQ-8), on the network
# of topology.sh with a two-port pool:
#
#   lan1 :a, :b  --> gw ports 30000-30001 --> R1
#   lan1 :c      --> no port left: dropped, ICMP "administratively
#                    prohibited" back, no mapping evicted
#   freed port   --> rests "quarantine" seconds before a new owner

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

exhaustion() {
	local a b err
	nat eim eif ports 30000-30001 || return 1
	a=$(ask "$lan1" $L1:31000 $R1:3478) && b=$(ask "$lan1" $L1:31001 $R1:3478) ||
		return 1
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:31002 $R1:3478)
	echo "two mappings $a $b; the third: ${err:-no error}"
	[ "$err" = "No route to host" ] || return 1
	# Neither live mapping was given up for the third.
	[ "$(ask "$lan1" $L1:31000 $R1:3478)" = "$a" ] &&
		in_gw conectl -j stats wan0 | grep -q '"alloc_failed":[1-9]'
}

quarantine() {
	local e
	nat eim eif ports 30000-30000 timeout 2 quarantine 6 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:32000 $R1:3478) || return 1
	sleep 4
	# Expired, but its port rests: nobody gets it yet.
	if ask "$lan1" $L1:32001 $R1:3478 > /dev/null; then
		echo "the port was reused during its quarantine"
		return 1
	fi
	sleep 5
	[ "$(ask "$lan1" $L1:32001 $R1:3478)" = "$e" ] ||
		{ echo "the port did not come back"; return 1; }
}

no_quarantine() {
	local e
	nat eim eif ports 30000-30000 timeout 2 quarantine 0 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:33000 $R1:3478) || return 1
	sleep 4
	[ "$(ask "$lan1" $L1:33001 $R1:3478)" = "$e" ]
}

topology
ktap_print_header
ktap_set_plan 3
check "no port left: dropped with ICMP code 13, nothing evicted, counted" exhaustion
check "a freed port rests for the quarantine" quarantine
check "quarantine 0: a freed port is reused at once" no_quarantine
ktap_finished
