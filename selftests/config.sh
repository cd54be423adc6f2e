#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# conenat.conf: conectl apply FILE makes the running instances equal to
# the file, all or nothing; conectl save prints them back.
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ] gw-wan2 (dummy) 198.51.100.1
#                        "wan0" on gw-wan, "wan1" on gw-wan2 (attach rules)

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

conf() { # conf NAME: the test's file NAME, from standard input
	cat > "$tmp/$1"
	echo "$tmp/$1"
}
saved() { in_gw conectl save; }
mapped() { in_gw conectl map show wan0 | grep -q "$L1:$1 "; }

base() {
	conf base <<-EOF
	# two instances
	nat wan0 dev gw-wan mapping eim filtering eif \\
		timeout 120   # continued
	nat wan1 dev gw-wan2 address 198.51.100.1 mapping apdm filtering apdf attach rules
	EOF
}

# Made as written, printed back, and the printed form applies to itself.
apply_and_save() {
	local e
	in_gw conectl apply "$(base)" || return 1
	in_gw conectl nat show wan0 | grep -q "^nat wan0 dev gw-wan ports 1024-65535 mapping eim filtering eif tcp-filtering eif timeout 120 " ||
		{ in_gw conectl nat show; return 1; }
	in_gw conectl nat show wan1 | grep -q "address 198.51.100.1 .*mapping apdm filtering apdf .*attach rules" ||
		{ in_gw conectl nat show; return 1; }
	in_gw nft list table ip conenat | grep -q "chain wan1-post" || { echo "no rules for wan1"; return 1; }
	e=$(ask "$lan1" $L1:48000 $R1:3478) || return 1
	[ "$e" = $G:48000 ] || { echo "left as $e"; return 1; }
	saved > "$tmp/saved" || return 1
	in_gw conectl apply "$tmp/saved" || return 1
	[ "$(saved)" = "$(cat "$tmp/saved")" ] || { echo "save, apply, save differ"; return 1; }
	mapped 48000 || { echo "applying the same state removed a mapping"; return 1; }
	# Its own addresses taken away: the instance is made again.
	in_gw conectl apply "$(sed 's/ address 198.51.100.1//' "$tmp/base" | conf noaddr)" || return 1
	in_gw conectl nat show wan1 | grep -q "^nat wan1 dev gw-wan2 ports" ||
		{ in_gw conectl nat show wan1; return 1; }
}

# An unchanged instance keeps its mappings; a changed timeout applies
# without a flush; an instance the file drops goes, with its rules.
changes() {
	in_gw conectl apply "$(base)" || return 1
	[ "$(ask "$lan1" $L1:48100 $R1:3478)" = $G:48100 ] || return 1
	in_gw conectl apply "$(base)" || return 1
	mapped 48100 || { echo "an unchanged instance lost its mapping"; return 1; }
	in_gw conectl apply "$(conf timeout <<< "nat wan0 dev gw-wan timeout 200")" || return 1
	in_gw conectl nat show wan0 | grep -q " timeout 200 " || { in_gw conectl nat show wan0; return 1; }
	mapped 48100 || { echo "a new timeout flushed the mappings"; return 1; }
	! in_gw conectl nat show wan1 > /dev/null 2>&1 || { echo "wan1 is still there"; return 1; }
	! in_gw nft list table ip conenat 2> /dev/null | grep -q "chain wan1-" ||
		{ echo "wan1's rules are still there"; return 1; }
	# What conenat.service does after nftables restarts: the same file.
	in_gw nft flush ruleset
	in_gw conectl apply "$(base)" || return 1
	in_gw nft list table ip conenat | grep -q "chain wan1-post" || { echo "wan1's rules not back"; return 1; }
	[ "$(ask "$lan1" $L1:48101 $R1:3478)" = $G:48101 ] || return 1
}

# A mistake in the file: one line naming it, exit 2, nothing changed.
bad_file() {
	local before err
	in_gw conectl apply "$(base)" || return 1
	before=$(saved)
	err=$(in_gw conectl apply "$(conf bad <<-EOF
	nat wan0 dev gw-wan mapping apdm
	# fine so far
	nat wan2 dev gw-wan2 mapping full
	EOF
	)" 2>&1)
	[ $? = 2 ] || { echo "exit status not 2: $err"; return 1; }
	[ "$(wc -l <<< "$err")" = 1 ] && grep -q "$tmp/bad:3: invalid mapping \"full\"" <<< "$err" ||
		{ echo "message: $err"; return 1; }
	[ "$(saved)" = "$before" ] || { echo "a bad file changed the state"; return 1; }
}

# The kernel refuses the last step (wan2 would take wan1's address): the
# change before it is undone, and the state is as it was.
refused_step() {
	local before err
	in_gw conectl apply "$(base)" || return 1
	before=$(saved)
	err=$(in_gw conectl apply "$(conf refused <<-EOF
	nat wan0 dev gw-wan mapping apdm filtering apdf
	nat wan1 dev gw-wan2 address 198.51.100.1 mapping apdm filtering apdf attach rules
	nat wan2 dev gw-lan2 address 198.51.100.1
	EOF
	)" 2>&1)
	[ $? = 1 ] || { echo "exit status not 1: $err"; return 1; }
	grep -q "apply: $tmp/refused:3: .*another NAT instance" <<< "$err" || { echo "message: $err"; return 1; }
	[ "$(saved)" = "$before" ] || { echo "not undone:"; saved; return 1; }
	# The positive control: without the clash the same file applies.
	in_gw conectl apply "$(conf fixed < <(sed 's/^nat wan2 .*/nat wan2 dev gw-lan2 address 198.51.100.2/' "$tmp/refused"))" || return 1
	in_gw conectl nat show wan0 | grep -q "mapping apdm filtering apdf" || return 1
	in_gw conectl nat show wan2 > /dev/null
}

topology
in_gw ip link add gw-wan2 type dummy
in_gw ip link set gw-wan2 up

ktap_print_header
ktap_set_plan 4
check "conectl apply makes the file's instances; save prints them back" apply_and_save
check "conectl apply changes only what differs, and drops what is gone" changes
check "conectl apply: a bad file is refused with its line, nothing changed" bad_file
check "conectl apply: a step the kernel refuses undoes the others" refused_step
ktap_finished
