#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The TURN figure: relayed packets per second per core, coned against
# coturn (Debian's turnserver 4.6.1), the same load from bench/turn_load
# (allocations with a channel each, ChannelData both ways), payloads of
# 100 and 1,000 bytes.  Host-side, in three network namespaces on a
# bridge (server, clients, peers).  Per core = packets relayed (counted
# where they arrive) / the server process's CPU seconds (all its
# threads, from /proc/PID/stat) over the same window.
#
#   bench/turn.sh [--rate PPS] [--seconds S] [--allocations N]
#   bench/turn.sh --memory [--allocations N]     (default 10000)
#
# --memory holds N allocations (each with a channel) on coned and reports
# its resident memory per allocation (VmRSS before and after; the kernel's
# socket memory is not in it).
#
# Both servers get one relaying thread (coned --workers 1, turnserver
# --relay-threads 1) so the per-core figure is not spread over idle
# threads; coturn with its fast options: no TLS, DTLS, TCP, CLI, a
# simple log.  Prints one line per server and payload, and the ratio.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
rate=100000
seconds=5
allocs=32
memory=
while [ $# -gt 0 ]; do
	case $1 in
	--memory) memory=1; allocs=10000; shift ;;
	--rate) rate=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--allocations) allocs=$2; shift 2 ;;
	*) echo "usage: bench/turn.sh [--rate PPS] [--seconds S] [--allocations N]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/turn.sh: needs root (namespaces)" >&2; exit 1; }
command -v turnserver > /dev/null || { echo "bench/turn.sh: turnserver missing: run scripts/setup" >&2; exit 1; }
make -s -C "$top/userspace" bin/coned
make -s -C "$top/bench" turn_load

SERVER=198.51.100.1
CLIENT=192.0.2.10
PEER=203.0.113.10
ns=tbench$$
tmp=$(mktemp -d)
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2> /dev/null && wait "$spid" 2> /dev/null
	for n in srv cli br; do ip netns del $ns-$n 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add $ns-br
ip -n $ns-br link add br0 type bridge
ip -n $ns-br link set br0 up
for spec in srv:$SERVER cli:$CLIENT; do
	name=${spec%%:*}
	ip netns add $ns-$name
	ip link add veth netns $ns-$name type veth peer name $name netns $ns-br
	ip -n $ns-br link set $name master br0 up
	ip -n $ns-$name link set lo up
	ip -n $ns-$name link set veth up
	ip -n $ns-$name addr add ${spec#*:}/24 dev veth
	ip -n $ns-$name route add default dev veth
done
# The peers share the clients' namespace, on an address of their own.
ip -n $ns-cli addr add $PEER/24 dev veth

start() {
	case $1 in
	coned)
		ip netns exec $ns-srv "$top/userspace/bin/coned" --address $SERVER \
			--turn --realm bench --user alice:secret --workers 1 \
			> "$tmp/server.log" 2>&1 & ;;
	coturn)
		ip netns exec $ns-srv turnserver -n --listening-ip=$SERVER \
			--relay-ip=$SERVER --listening-port=3478 --realm=bench \
			--lt-cred-mech --user=alice:secret --relay-threads=1 \
			--no-tls --no-dtls --no-tcp --no-cli --no-software-attribute \
			--simple-log --log-file=$tmp/turnserver.log \
			> "$tmp/server.log" 2>&1 & ;;
	esac
	spid=$!
	sleep 1
}

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$1/status; }

if [ -n "$memory" ]; then
	start coned
	before=$(rss_kb "$spid")
	ip netns exec $ns-cli "$top/bench/turn_load" --server $SERVER \
		--client $CLIENT --peer $PEER --user alice:secret \
		--allocations "$allocs" --hold > "$tmp/load.txt"
	after=$(rss_kb "$spid")
	held=$(grep -c 'allocation created' "$tmp/server.log")
	awk -v b="$before" -v a="$after" -v n="$held" 'BEGIN {
		printf "coned held %d allocations: VmRSS %d kB -> %d kB, %.0f bytes per allocation\n",
		       n, b, a, n ? (a - b) * 1024 / n : 0 }'
	exit 0
fi

declare -A figure
for server in coned coturn; do
	for payload in 100 1000; do
		start $server
		line=$(ip netns exec $ns-cli "$top/bench/turn_load" --server $SERVER \
			--client $CLIENT --peer $PEER --user alice:secret \
			--allocations "$allocs" --payload $payload --rate "$rate" \
			--seconds "$seconds" --server-pid "$spid")
		echo "$server: $line"
		figure[$server-$payload]=$(sed 's/.*per-core \([0-9]*\) pps.*/\1/' <<< "$line")
		kill "$spid"
		wait "$spid" 2> /dev/null || true
		spid=
	done
done
for payload in 100 1000; do
	c=${figure[coned-$payload]}
	t=${figure[coturn-$payload]}
	awk -v c="$c" -v t="$t" -v p="$payload" 'BEGIN {
		printf "payload %d: coned %d pps per core, coturn %d, ratio %.2f\n",
		       p, c, t, t ? c / t : 0 }'
done
