#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An instance attaches to netfilter's NAT hooks itself, so the admin's
# ruleset, flushed or reloaded, never stands between it and its flows:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ] 203.0.113.3          203.0.113.11 (R2)
#                        conenat "wan0" on gw-wan       echo on R1:3478
#
# - `nft flush ruleset` under traffic: new flows still leave translated,
#   mappings still take inbound flows;
# - Debian's nftables.conf reloaded, with a masquerade rule on the uplink
#   (to 203.0.113.1): the instance (on 203.0.113.3) still translates, and
#   the masquerade rule does once the instance is gone;
# - the admin's port forward (dstnat) wins over a mapping of its port;
# - "attach rules" hands the flows to conectl's CONENAT rules instead,
#   and back;
# - an instance attached by rules on the same uplink, made first, does
#   not hide the one attached by the device.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT
X=203.0.113.3

# A new flow and an old mapping, each through a flush of the ruleset.
survives_flush() {
	local e
	nat eim eif || return 1
	e=$(ask "$lan1" $L1:44000 $R1:3478) || return 1
	[ "$e" = $G:44000 ] || { echo "before the flush: $e"; return 1; }
	in_gw nft flush ruleset || return 1
	e=$(ask "$lan1" $L1:44001 $R1:3478) || { echo "no answer after the flush"; return 1; }
	echo "after the flush a new flow left as $e"
	[ "$e" = $G:44001 ] || return 1
	reaches $R2:4500 $G:44000 $L1:44000 ||
		{ echo "the old mapping took no inbound flow after the flush"; return 1; }
}

# What nftables.service loads: Debian's default file plus a NAT table.
nftables_conf() {
	cat <<-EOF
	flush ruleset
	table inet filter {
		chain input { type filter hook input priority filter; }
		chain forward { type filter hook forward priority filter; }
		chain output { type filter hook output priority filter; }
	}
	table ip nat {
		chain postrouting {
			type nat hook postrouting priority srcnat;
			oifname "gw-wan" masquerade
		}
	}
	EOF
}

# The instance translates before the admin's masquerade (srcnat), and the
# masquerade rule is live: without the instance, it translates.
before_masquerade() {
	local e rc=0
	in_gw ip addr add $X/24 dev gw-wan
	nat eim eif address $X || return 1
	nftables_conf | in_gw nft -f - || return 1
	e=$(ask "$lan1" $L1:44100 $R1:3478) || return 1
	echo "with the admin's masquerade, a new flow left as $e"
	[ "$e" = $X:44100 ] || rc=1
	nftables_conf | in_gw nft -f - || return 1
	e=$(ask "$lan1" $L1:44101 $R1:3478) || return 1
	echo "after nftables reloaded, as $e"
	[ "$e" = $X:44101 ] || rc=1
	in_gw conectl nat del wan0 || return 1
	e=$(ask "$lan1" $L1:44102 $R1:3478) || return 1
	echo "without the instance, as $e (the masquerade rule's)"
	[ "${e%:*}" = $G ] || rc=1
	in_gw nft flush ruleset
	in_gw ip addr del $X/24 dev gw-wan
	return $rc
}

# An inbound flow to a port the admin forwards reaches the forward's host,
# though lan1 holds a mapping of that port; without the forward, lan1.
port_forward_wins() {
	nat eim eif || return 1
	[ "$(ask "$lan1" $L1:45000 $R1:3478)" = $G:45000 ] || return 1
	reaches $R2:4600 $G:45000 $L1:45000 ||
		{ echo "no inbound to the mapping before the forward"; return 1; }
	in_gw nft -f - <<-EOF || return 1
	table ip portfwd {
		chain prerouting {
			type nat hook prerouting priority dstnat;
			iifname "gw-wan" udp dport 45000 dnat to $L2:45000
		}
	}
	EOF
	reaches $R2:4601 $G:45000 $L2:45000 "$lan2" ||
		{ echo "the forward's host got nothing"; return 1; }
	in_gw nft delete table ip portfwd
}

# conectl's table holds the instance's chains with "attach rules" only;
# flows leave translated either way, and across each change.
chains() { in_gw nft list table ip conenat 2> /dev/null | grep -c "chain wan0-"; }
attach_rules() {
	local e
	nat eim eif attach rules || return 1
	in_gw conectl nat show wan0 | grep -q "attach rules" ||
		{ echo "nat show does not say attach rules"; return 1; }
	[ "$(chains)" = 2 ] || { echo "attach rules: $(chains) chains"; return 1; }
	[ "$(ask "$lan1" $L1:46000 $R1:3478)" = $G:46000 ] || return 1
	in_gw conectl nat change wan0 attach device || return 1
	[ "$(chains)" = 0 ] || { echo "attach device: $(chains) chains left"; return 1; }
	e=$(ask "$lan1" $L1:46001 $R1:3478) || return 1
	[ "$e" = $G:46001 ] || { echo "attached by device: $e"; return 1; }
	in_gw conectl nat change wan0 attach rules || return 1
	[ "$(chains)" = 2 ] || { echo "back to rules: $(chains) chains"; return 1; }
	e=$(ask "$lan1" $L1:46002 $R1:3478) || return 1
	[ "$e" = $G:46002 ] || { echo "attached by rules again: $e"; return 1; }
	in_gw conectl nat del wan0 || return 1
	[ "$(chains)" = 0 ] || { echo "nat del left $(chains) chains"; return 1; }
}

# An instance attached by rules may name the uplink of the one attached by
# the device, and be made before it: the device's instance still takes
# its flows (it did not: the first instance on the device was asked only).
beside_rules_instance() {
	local e rc=0
	in_gw conectl nat del wan0 > /dev/null 2>&1
	in_gw conectl nat add wan1 dev gw-wan address 198.51.100.9 attach rules || return 1
	in_gw conectl nat add wan0 dev gw-wan mapping eim filtering eif || rc=1
	e=$(ask "$lan1" $L1:47000 $R1:3478) || rc=1
	echo "with wan1 (attach rules) made first, lan1 left as ${e:-nothing}"
	[ "$e" = $G:47000 ] || rc=1
	in_gw conectl nat del wan1
	return $rc
}

topology

ktap_print_header
ktap_set_plan 5
check "attach: flows stay translated through nft flush ruleset" survives_flush
check "attach: before the admin's masquerade, through an nftables reload" before_masquerade
check "attach: the admin's port forward wins over a mapping" port_forward_wins
check "attach: attach rules uses conectl's rules, attach device none" attach_rules
check "attach: beside an instance attached by rules on the same uplink" beside_rules_instance
ktap_finished
