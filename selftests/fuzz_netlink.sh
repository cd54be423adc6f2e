#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink fuzzer (fuzz_netlink.c) on the network of topology.sh, while
# traffic crosses instance wan0 and conectl adds, changes and removes it:
#
#   lan1, lan2 --udp, tcp, ping--> R1, R2     (loops in the background)
#   gw: conectl nat add/change/del wan0        (a loop)
#   gw: fuzz_netlink -n $FUZZ_COUNT -N wan0    (mutated requests)
#
# Then: the fuzzer saw every request answered (extack with each -EINVAL
# and -ERANGE), traffic was translated during the run, and conectl's nat 
# show, map show and stats parse what the kernel says afterwards.  The
# runner (selftests/vm/run) fails the run on any splat.
#
# FUZZ_COUNT (default 100000) is the number of messages; make check-debug
# runs FUZZ_COUNT=1000000.  FUZZ_SEED repeats a run.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
FUZZ=$TOP/selftests/fuzz_netlink
[ -x "$FUZZ" ] || skip_all "fuzz_netlink not built (make -C selftests)"
count=${FUZZ_COUNT:-100000}
pids=()
stop_background() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2> /dev/null; done
	pids=()
}
trap 'stop_background; cleanup' EXIT

# UDP (peer ask answers count), TCP and ping from both LAN hosts, new
# ports each round so that mappings are made all along.
udp_traffic() { # udp_traffic NS ADDR
	local i=0
	while :; do
		ip netns exec "$1" "$PEER" ask "$2:$((20000 + i % 5000))" \
			$R1:3478 1000 > /dev/null && echo >> "$tmp/answered.$1"
		ip netns exec "$1" "$PEER" tcp-try "$2:$((30000 + i % 5000))" \
			$R1:80 1000 > /dev/null 2>&1
		ip netns exec "$1" ping -c1 -W1 -q $R2 > /dev/null 2>&1
		i=$((i + 1))
	done
}

# conectl on wan0 and on an instance of its own, a step every 0.2 s.
conectl_churn() {
	local modes=(eim adm apdm) filters=(eif adf apdf) i=0
	while :; do
		case $((i % 6)) in
		0) in_gw conectl nat del wan0 ;;
		1) in_gw conectl nat add wan0 dev gw-wan
		   # Hundreds of mappings: dumps that take several reads.
		   ip netns exec "$lan1" "$PEER" spray $L1 40000 300 $R1:3478 ;;
		2) in_gw conectl nat change wan0 mapping "${modes[i % 3]}" \
			filtering "${filters[i / 3 % 3]}" ;;
		3) in_gw conectl nat add churn1 dev gw-wan address 198.51.100.9 attach rules ;;
		4) in_gw conectl map flush wan0; in_gw conectl nat del churn1 ;;
		5) in_gw conectl map show > /dev/null ;;
		esac
		i=$((i + 1))
		sleep 0.2
	done > /dev/null 2>&1
}

fuzz() {
	local args=(-n "$count" -N wan0 -N churn1)
	[ -n "${FUZZ_SEED:-}" ] && args+=(-s "$FUZZ_SEED")
	in_gw "$FUZZ" "${args[@]}" > "$tmp/fuzz.log" 2>&1
	local rc=$?
	grep -v '^# ' "$tmp/fuzz.log"
	return "$rc"
}

# R1 counts the datagrams that reach it from $G: only wan0 translates to
# $G (the fuzzer never gives an instance that address).  Answers are not
# asserted: the fuzzer changes and removes wan0 too (-N wan0), within
# tens of milliseconds of each re-add, so whether a reply finds wan0 as
# its request left it is luck.
count_translated() {
	ip netns exec "$wan" nft -f - <<-EOF
	table ip fuzz {
		chain input {
			type filter hook input priority 0;
			iifname "eth0" ip saddr $G ip daddr $R1 udp dport 3478 counter
		}
	}
	EOF
}

traffic_flowed() {
	local a1 a2 n
	a1=$(cat "$tmp/answered.$lan1" 2> /dev/null | wc -l)
	a2=$(cat "$tmp/answered.$lan2" 2> /dev/null | wc -l)
	n=$(ip netns exec "$wan" nft list chain ip fuzz input |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	echo "datagrams wan0 translated to R1 during the fuzz: ${n:-none}"
	echo "answered UDP requests during the fuzz: lan1 $a1, lan2 $a2"
	[ "${n:-0}" -gt 0 ]
}

# After the run: wan0 as it was set up, conectl reading it back.
state_consistent() {
	local out
	nat eim eif || { in_gw conectl nat show; return 1; }
	ask "$lan1" $L1:41000 $R1:3478 > /dev/null || { echo "no traffic after the fuzz"; return 1; }
	out=$(in_gw conectl nat show) || { echo "nat show failed"; return 1; }
	grep -q "^nat wan0 " <<< "$out" || { echo "nat show: $out"; return 1; }
	if grep -qE '^nat fz[0-3] ' <<< "$out"; then
		echo "the fuzzer's instances are left: $out"
		return 1
	fi
	in_gw conectl -j nat show | python3 -m json.tool > /dev/null ||
		{ echo "nat show -j is not JSON"; return 1; }
	out=$(in_gw conectl map show) || { echo "map show failed"; return 1; }
	grep -q "^nat wan0 udp $L1:41000 -> " <<< "$out" ||
		{ echo "map show lacks the new mapping: $out"; return 1; }
	in_gw conectl -j map show | python3 -m json.tool > /dev/null ||
		{ echo "map show -j is not JSON"; return 1; }
	in_gw conectl stats > /dev/null || { echo "stats failed"; return 1; }
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 > /dev/null 2>&1 &
pids+=($!)
listening "$wan" tcp 80
nat eim eif || exit "$KSFT_FAIL"
count_translated || exit "$KSFT_FAIL"
udp_traffic "$lan1" $L1 &
pids+=($!)
udp_traffic "$lan2" $L2 &
pids+=($!)
conectl_churn &
pids+=($!)

ktap_print_header
ktap_set_plan 3
check "$count fuzzed requests: each answered, extack with each EINVAL/ERANGE" fuzz
sed -n 's/^# /# fuzz_netlink: /p' "$tmp/fuzz.log"
stop_background
check "traffic through wan0 was translated during the fuzz" traffic_flowed
check "afterwards nat show, map show and stats parse the kernel's state" state_consistent
ktap_finished
