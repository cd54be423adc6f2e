#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetime under load: while both LAN hosts make and refresh mappings as
# fast as they can, the control plane changes everything under them, with
# a mapping dump held open across the changes:
#
#   lan1 10.0.1.2 ==spray==> [ gw: conenat "wan0" ] ----> wan (R1, R2)
#   lan2 10.0.2.2 ==spray==>   nat change / map flush / nat del x2 / nat add
#                              dumpslow: one part, a pause, the rest
#
# The kernel log must stay clean (the VM runner fails on any splat), every
# dump must end properly, exactly one of two racing deletes must win, and
# at the end the namespace is deleted under traffic.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT
DUMPSLOW=$TOP/selftests/dumpslow
CYCLES=${STRESS_CYCLES:-12}

spray() { # spray NS ADDR: new mappings and refreshes, until killed
	while :; do
		ip netns exec "$1" "$PEER" spray "$2" 20000 400 $R1:3478
		ip netns exec "$1" "$PEER" spray "$2" 20000 400 $R2:3478
	done > /dev/null 2>&1
}

live() { in_gw conectl -j stats wan0 | sed -n 's/.*"mappings":\([0-9]*\).*/\1/p'; }

# Two deletes at once: one wins, the other finds no instance.
racing_deletes() {
	local a b
	in_gw conectl nat del wan0 > /dev/null 2>&1 & a=$!
	in_gw conectl nat del wan0 > /dev/null 2>&1 & b=$!
	wait $a; a=$?
	wait $b; b=$?
	echo "racing deletes exited $a and $b"
	[ $((a == 0)) != $((b == 0)) ]
}

cycle() {
	local dump rc
	nat eim eif ports 20000-30000 || return 1
	sleep 0.5
	in_gw "$DUMPSLOW" wan0 300 3 > "$tmp/dump" & dump=$!
	in_gw conectl nat change wan0 ports 20000-20999 || return 1
	in_gw conectl nat change wan0 filtering apdf || return 1
	in_gw conectl map flush wan0 || return 1
	in_gw conectl nat change wan0 address $G ports 20000-30000 || return 1
	in_gw conectl map show > /dev/null || return 1
	racing_deletes || return 1
	wait $dump; rc=$?
	[ $rc = 0 ] || { echo "the held dump ended with $rc"; return 1; }
}

stress() {
	local i
	for i in $(seq "$CYCLES"); do
		cycle || { echo "cycle $i failed"; return 1; }
	done
}

# A flush under traffic finishes, and leaves only mappings made after it.
# Flows sent while no wan0 existed (the racing deletes) went out as they
# were and keep their conntrack entries: start from none.
fresh_wan0() {
	nat eim eif ports 20000-30000 || return 1
	in_gw conntrack -F > /dev/null 2>&1
	sleep 1
}

flush_bounded() {
	local before after
	fresh_wan0 || return 1
	before=$(live)
	in_gw timeout 20 conectl map flush wan0 || { echo "flush did not finish"; return 1; }
	after=$(live)
	echo "mappings before the flush: $before, right after: $after"
	[ "$before" -gt 0 ] || { in_gw conectl nat show; in_gw conectl stats; return 1; }
}

# The namespace goes with its instance, mappings and traffic.
netns_delete() {
	fresh_wan0 || return 1
	[ "$(live)" -gt 0 ] || { echo "no mappings to delete"; return 1; }
	ip netns del "$gw"
	slowwait 10 bash -c "! ip netns list | grep -qw '$gw'"
}

topology
# Another instance holds the namespace's hooks, so wan0's deletes do not
# register and unregister them (each flips static keys, patching kernel
# text: under qemu's TCG a CPU may then run a stale int3, an emulator
# fault seen on the debug kernel, not the module's).
in_gw ip link add anchor type dummy
in_gw conectl nat add anchor dev anchor address 192.0.2.1 || exit "$KSFT_FAIL"
spray "$lan1" $L1 & s1=$!
spray "$lan2" $L2 & s2=$!

ktap_print_header
ktap_set_plan 3
check "stress: changes, flushes, racing deletes and a held dump under traffic" stress
check "stress: a flush under traffic ends in one pass" flush_bounded
check "stress: the namespace is deleted under traffic" netns_delete
kill $s1 $s2 2> /dev/null
wait $s1 $s2 2> /dev/null
ktap_finished
