#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP hole punching between two conenat gateways (RFC 5382 REQ-2, REQ-4):
#
#   a 10.0.1.2 -- gwa 203.0.113.1 --+                  +-- 198.51.100.1 gwb -- b 10.0.2.2
#                  (conenat "wan0")  `-- wan router --'    (conenat "wan0")
#                                   203.0.113.254  198.51.100.254
#                                   rendezvous: tcp-echo on 203.0.113.254:80
#
# Both NATs map endpoint-independently and filter by address and port.
# Each host learns its external endpoint from the rendezvous, then both
# connect to each other's at once: a's SYN is refused at gwb (b has not
# sent yet) and must stay unanswered; b's SYN opens both holes, and the
# simultaneous open completes.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

GA=203.0.113.1 GB=198.51.100.1 RV=203.0.113.254

two_gateways() {
	setup_ns a gwa wanr gwb b || exit "$KSFT_FAIL"
	veth "$a" eth0 $L1/24 "$gwa" lan 10.0.1.1/24
	veth "$gwa" wan $GA/24 "$wanr" to-a $RV/24
	veth "$wanr" to-b 198.51.100.254/24 "$gwb" wan $GB/24
	veth "$gwb" lan 10.0.2.1/24 "$b" eth0 $L2/24
	ip -n "$a" route add default via 10.0.1.1
	ip -n "$b" route add default via 10.0.2.1
	ip -n "$gwa" route add default via $RV
	ip -n "$gwb" route add default via 198.51.100.254
	for ns in "$gwa" "$wanr" "$gwb"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	ip netns exec "$gwa" conectl nat add wan0 dev wan mapping eim filtering apdf &&
	ip netns exec "$gwb" conectl nat add wan0 dev wan mapping eim filtering apdf ||
		exit "$KSFT_FAIL"
	ip netns exec "$wanr" "$PEER" tcp-echo $RV:80 > /dev/null 2>&1 &
	listening "$wanr" tcp 80
}

# Both hosts learn their external endpoints, then connect at once.
simultaneous_open() {
	local ea eb pid ra rb
	ea=$(ip netns exec "$a" "$PEER" tcp-ask $L1:40000 $RV:80 3000) &&
	eb=$(ip netns exec "$b" "$PEER" tcp-ask $L2:40001 $RV:80 3000) ||
		{ echo "rendezvous failed"; return 1; }
	echo "a is $ea, b is $eb"
	ip netns exec "$a" "$PEER" tcp-try $L1:40000 "$eb" 10000 > "$tmp/a" &
	pid=$!
	# a's SYN is out (and refused at gwb) before b sends its own.
	slowwait 5 bash -c "ip netns exec $a ss -Hnt state syn-sent | grep -q ." &&
		sleep 0.2
	rb=$(ip netns exec "$b" "$PEER" tcp-try $L2:40001 "$ea" 10000)
	wait "$pid"
	ra=$(cat "$tmp/a")
	echo "a: $ra; b: $rb"
	[ "${ra%% *}" = connected ] && [ "${rb%% *}" = connected ]
}

# a's early SYN, refused at gwb, got no ICMP error once b's SYN went out;
# nor did anything else.
early_syn_unanswered() {
	sleep 8
	ip netns exec "$gwa" conectl stats wan0
	ip netns exec "$gwb" conectl stats wan0
	ip netns exec "$gwb" conectl -j stats wan0 | grep -q '"in_dropped":[1-9]' &&
		ip netns exec "$gwb" conectl -j stats wan0 | grep -q '"syn_refused":0[,}]' &&
		ip netns exec "$gwa" conectl -j stats wan0 | grep -q '"syn_refused":0[,}]'
}

two_gateways
ktap_print_header
ktap_set_plan 2
check "tcp: simultaneous open through two port-restricted conenat gateways" simultaneous_open
check "tcp: the SYN refused before the other side's SYN is never answered" early_syn_unanswered
ktap_finished
