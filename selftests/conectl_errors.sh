#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every conectl mistake gets one line on stderr, a nonzero exit, and
# changes nothing: neither the instance nor its nftables rules.
#
#   ns: conenat "w0" on eth0 (203.0.113.1), "w1" (198.51.100.1)
#   -> each bad command -> same "conectl -j nat show", same ruleset

. "$(dirname "$0")/lib.sh"
require_root_and_module

setup_ns ns || exit "$KSFT_FAIL"
trap 'cleanup_ns "$ns"' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns conectl nat add w0 dev eth0 address 203.0.113.1 ports 2000-3000 \
	mapping adm filtering apdf timeout 600 || exit "$KSFT_FAIL"
in_ns conectl nat add w1 dev eth1 address 198.51.100.1 || exit "$KSFT_FAIL"

state() { in_ns conectl -j nat show; in_ns nft list table ip conenat 2> /dev/null; }
before=$(state)

# PATTERN the error must match | the arguments
cases=(
	'unknown object|bogus'
	'unknown command|nat bogus'
	'unknown option|-x version'
	'nat add: NAT name missing|nat add'
	'dev|nat add w2'
	'dev|nat add w2 dev'
	'name|nat add bad/name dev eth0'
	'name|nat add averyveryverylongname dev eth0'
	'address|nat add w2 dev eth0 address 999.1.1.1'
	'address|nat add w2 dev eth0 address 203.0.113.5,,'
	'address|nat add w2 dev eth0 address 224.0.0.1'
	'port|nat add w2 dev eth0 ports 0-10'
	'port|nat add w2 dev eth0 ports 10-5'
	'port|nat add w2 dev eth0 ports 70000-70001'
	'port|nat add w2 dev eth0 ports x'
	'mapping|nat add w2 dev eth0 mapping full'
	'filtering|nat add w2 dev eth0 filtering none'
	'timeout|nat add w2 dev eth0 timeout 0'
	'timeout|nat add w2 dev eth0 timeout 86401'
	'timeout|nat add w2 dev eth0 timeout abc'
	'inbound-refresh|nat add w2 dev eth0 inbound-refresh maybe'
	'tcp-filtering|nat add w2 dev eth0 tcp-filtering open'
	'port-alloc|nat add w2 dev eth0 port-alloc sequential'
	'port-parity|nat change w0 port-parity yes'
	'range-preservation|nat change w0 range-preservation 1'
	'range preservation needs ports below and above 1024|nat change w0 range-preservation on'
	'mapping-limit|nat add w2 dev eth0 mapping-limit -1'
	'mapping-limit|nat add w2 dev eth0 mapping-limit 4294967296'
	'unsolicited-syn|nat add w2 dev eth0 unsolicited-syn icmp'
	'color|nat add w2 dev eth0 color red'
	'exists|nat add w0 dev eth0'
	'another NAT instance|nat add w2 dev eth0 address 203.0.113.1'
	'another NAT instance|nat change w1 address 203.0.113.1'
	'attaches to that device|nat add w2 dev eth0 address 192.0.2.9'
	'attaches to that device|nat change w1 dev eth0'
	'no such NAT instance|nat change nosuch mapping eim'
	'mapping|nat change w0 mapping bogus'
	'port|nat change w0 ports 3000-2000'
	'nat del: NAT name missing|nat del'
	'no such NAT instance|nat del nosuch'
	'no such NAT instance|nat show nosuch'
	'no such NAT instance|map show nosuch'
	'map flush: NAT name missing|map flush'
	'no such NAT instance|map flush nosuch'
	'unknown command|map bogus'
	'no such NAT instance|stats nosuch'
	'takes no arguments|version extra'
	'needs an argument|-n'
	'cannot open network namespace "nosuch"|-n nosuch nat show'
	'rcvbuf|-rcvbuf 0 monitor'
	'batch takes no command|-b /dev/null nat show'
	'cannot open "/nonexistent"|-b /nonexistent'
)

# The state is compared after every case, whatever its message was.
one_bad_command() {
	local pattern=${1%%|*} args=${1#*|} rc err ok=1
	[ -n "$pattern" ] || { echo "empty pattern for: $args"; return 1; }
	# shellcheck disable=SC2086
	err=$(in_ns conectl $args 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "conectl $args succeeded"
		ok=0
	elif [ "$(wc -l <<< "$err")" != 1 ] || ! grep -qi -- "$pattern" <<< "$err"; then
		# Usage errors may print the usage first; the reason is the last line.
		case $args in
		bogus|"-x version") grep -qi -- "$pattern" <<< "$err" || ok=0 ;;
		*) ok=0 ;;
		esac
		[ "$ok" = 1 ] || echo "conectl $args: expected one line matching '$pattern', got: $err"
	fi
	[ "$(state)" = "$before" ] || { echo "conectl $args changed the state"; ok=0; }
	[ "$ok" = 1 ]
}

# -netns NAME acts there (the namespace's instances), as ip -n does.
netns_option() {
	local out
	out=$(conectl -n "$ns" nat list) || return 1
	grep -q "^nat w0 dev eth0 " <<< "$out" && grep -q "^nat w1 dev eth1 " <<< "$out" ||
		{ echo "conectl -n $ns nat list: $out"; return 1; }
	# The positive control: here, outside it, neither exists.
	! conectl nat show w0 > /dev/null 2>&1 || { echo "w0 seen outside $ns"; return 1; }
}

# -batch runs each line (comments, quotes and continued lines as ip
# -batch), and the first failure stops it with FILE:LINE, the line where
# the failing command starts; what came before it stays done.
batch_option() {
	local err rc
	printf '%s\n' '# two instances, then a mistake' 'nat add b1 dev "eth2" \' \
		'	address 192.0.2.1' '' 'nat add b2 dev eth3 address 192.0.2.2' \
		'nat add b3 dev eth4 \' '	mapping full' \
		'nat add b4 dev eth5 address 192.0.2.4' > "$tmp_batch"
	err=$(in_ns conectl -b "$tmp_batch" 2>&1)
	rc=$?
	[ "$rc" = 2 ] || { echo "exit $rc, not 2"; return 1; }
	grep -q "^conectl: $tmp_batch:6: .*mapping" <<< "$err" || { echo "stderr: $err"; return 1; }
	in_ns conectl nat show b1 | grep -q 192.0.2.1 && in_ns conectl nat show b2 > /dev/null ||
		{ echo "the lines before the failure were not done"; return 1; }
	! in_ns conectl nat show b4 > /dev/null 2>&1 || { echo "the batch went on after the failure"; return 1; }
	printf 'nat delete b1\nnat del b2\n' | in_ns conectl -batch - || return 1
	[ "$(state)" = "$before" ] || { echo "the state differs after deleting b1, b2"; return 1; }
}

version_option() {
	[ "$(conectl -V)" = "conectl $(sed -n 's/#define CONENAT_VERSION "\(.*\)"/\1/p' "$TOP/kmod/version.h")" ]
}

tmp_batch=$(mktemp)
trap 'cleanup_ns "$ns"; rm -f "$tmp_batch"' EXIT
ktap_print_header
ktap_set_plan $((${#cases[@]} + 3))
for c in "${cases[@]}"; do
	check "conectl ${c#*|}: refused, nothing changed" one_bad_command "$c"
done
check "conectl -netns NAME acts in that namespace" netns_option
check "conectl -batch FILE: each line, continued lines joined, stopping at the first failure" batch_option
check "conectl -V prints its version" version_option
ktap_finished
