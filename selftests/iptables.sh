#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CONENAT target from iptables (libxt_CONENAT.so, userspace/xt), with
# each backend, for an instance attached by rules:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ]                      203.0.113.11 (R2)
#     iptables -t nat -A POSTROUTING -o gw-wan -j CONENAT --instance wan0
#     iptables -t nat -A PREROUTING -j CONENAT --instance wan0
#
# - a saved ruleset naming an instance that does not exist yet restores,
#   and its rules translate once the instance appears;
# - -S, -L and iptables-save print the rules, iptables-restore takes them
#   back, nft lists them as "xt target CONENAT";
# - bad options are refused with a message and change nothing;
# - a CONENAT rule reached from a filter-type chain after srcnat (nft_compat
#   does not check the chain type of a jump's target) is harmless: the
#   flow keeps the NAT already decided, and the kernel does not WARN.

. "$(dirname "$0")/lib.sh"
require_root_and_module
require_tool iptables-nft iptables
require_tool iptables-legacy iptables
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT
export XTABLES_LIBDIR=$TOP/userspace/xt:$(pkg-config --variable=xtlibdir xtables)
[ -f "$TOP/userspace/xt/libxt_CONENAT.so" ] || skip_all "libxt_CONENAT.so not built (make -C userspace)"

RULES="*nat
-A PREROUTING -j CONENAT --instance wan0
-A POSTROUTING -o gw-wan -j CONENAT --instance wan0
COMMIT"

# The rules as -S prints them, and nothing else of the nat table.
listed() { in_gw "$IPT" -t nat -S | grep -- "-j CONENAT"; }
expected() {
	printf '%s\n' "-A PREROUTING -j CONENAT --instance wan0" \
		"-A POSTROUTING -o gw-wan -j CONENAT --instance wan0"
}

# Restored before the instance exists: flows leave untranslated (the
# remote cannot answer a private address); once it exists, translated,
# and inbound flows reach the mapping.  The instance is attached by rules,
# conectl's own chains removed: only the iptables rules hand it flows.
restore_then_instance() {
	local e
	in_gw "$IPT_RESTORE" <<< "$RULES" || { echo "the ruleset did not restore"; return 1; }
	[ "$(listed)" = "$(expected)" ] || { echo "listed:"; listed; return 1; }
	! ask "$lan1" $L1:47000 $R1:3478 > /dev/null ||
		{ echo "answered before the instance existed"; return 1; }
	nat eim eif attach rules || return 1
	in_gw nft delete table ip conenat || return 1
	e=$(ask "$lan1" $L1:47001 $R1:3478) || { echo "no answer with the instance"; return 1; }
	echo "with the instance, the flow left as $e"
	[ "$e" = $G:47001 ] || return 1
	reaches $R2:4700 $G:47001 $L1:47001 || { echo "no inbound through the rules"; return 1; }
}

# -L, iptables-save and back; nft's listing for the nft backend.
listings() {
	local saved
	in_gw "$IPT" -t nat -L POSTROUTING -n | grep -q "CONENAT .* instance wan0" ||
		{ echo "-L:"; in_gw "$IPT" -t nat -L POSTROUTING -n; return 1; }
	saved=$(in_gw "$IPT_SAVE" -t nat) || return 1
	grep -q -- "-A POSTROUTING -o gw-wan -j CONENAT --instance wan0" <<< "$saved" ||
		{ echo "saved:"; echo "$saved"; return 1; }
	in_gw "$IPT" -t nat -F || return 1
	[ -z "$(listed)" ] || return 1
	in_gw "$IPT_RESTORE" <<< "$saved" || { echo "the saved rules did not restore"; return 1; }
	[ "$(listed)" = "$(expected)" ] || { echo "restored:"; listed; return 1; }
	[ "$IPT" = iptables-nft ] || return 0
	in_gw nft list table ip nat 2>&1 | grep -q -E 'xt target "?CONENAT' ||
		{ echo "nft:"; in_gw nft list table ip nat 2>&1; return 1; }
}

# Each mistake: a nonzero exit, one message naming it, no rule added.
refused() { # refused PATTERN ARGS...
	local pattern=$1 out before
	shift
	before=$(in_gw "$IPT" -t nat -S)
	if out=$(in_gw "$IPT" -t nat -A POSTROUTING -o gw-wan -j CONENAT "$@" 2>&1); then
		echo "accepted: $*"
		return 1
	fi
	grep -q -E -e "$pattern" <<< "$out" || { echo "for $*: $out"; return 1; }
	[ "$(in_gw "$IPT" -t nat -S)" = "$before" ] || { echo "$* changed the rules"; return 1; }
}
bad_options() {
	refused 'option "--instance" must be specified' || return 1
	refused 'invalid instance name "wa\.n"' --instance wa.n || return 1
	refused 'invalid instance name "abcdefghijklmnop"' --instance abcdefghijklmnop || return 1
	refused 'invalid instance name ""' --instance "" || return 1
	refused 'unknown option "--bogus"' --instance wan0 --bogus || return 1
	# The positive control: the same command with a good name is taken.
	in_gw "$IPT" -t nat -A POSTROUTING -o gw-wan -j CONENAT --instance ok_1 || return 1
	in_gw "$IPT" -t nat -D POSTROUTING -o gw-wan -j CONENAT --instance ok_1
}

# The instance attaches itself (at 99, before srcnat); a rule of a user
# chain, jumped to from a filter chain at 200, sees each new flow after
# NAT is set.  Before the guard in conenat_new_flow, nf_nat_setup_info's
# WARN_ON(nf_nat_initialized()) fired for every such flow.
late_filter_chain() {
	local e packets
	nat eim eif || return 1
	in_gw iptables-nft -t nat -N late || return 1
	in_gw iptables-nft -t nat -A late -o gw-wan -j CONENAT --instance wan0 || return 1
	in_gw nft add chain ip nat after '{ type filter hook postrouting priority 200; }' &&
		in_gw nft add rule ip nat after oifname gw-wan counter jump late || return 1
	dmesg -c > /dev/null
	e=$(ask "$lan1" $L1:47100 $R1:3478) || { echo "no answer"; return 1; }
	echo "the flow left as $e"
	[ "$e" = $G:47100 ] || return 1
	packets=$(in_gw nft list chain ip nat after 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	[ "${packets:-0}" -gt 0 ] || { echo "the late rule was never reached"; return 1; }
	! dmesg | grep -E 'WARNING|nf_nat_setup_info' || { echo "the kernel warned"; return 1; }
}

topology

ktap_print_header
ktap_set_plan 7
for IPT in iptables-nft iptables-legacy; do
	IPT_SAVE=$IPT-save IPT_RESTORE=$IPT-restore
	check "$IPT: restored before its instance, translating once it exists" restore_then_instance
	check "$IPT: -L, save and restore print the rules" listings
	check "$IPT: bad options are refused and change nothing" bad_options
	in_gw conectl nat del wan0 > /dev/null 2>&1
	in_gw "$IPT" -t nat -F
	in_gw conntrack -F > /dev/null 2>&1
done
check "a CONENAT rule in a filter chain after srcnat changes nothing, without a WARN" late_filter_chain
ktap_finished
