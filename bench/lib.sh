# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's network and traffic, sourced by bench/guest in the VM:
#
#   [lan] eth0 10.0.0.2/8 --- gw-lan 10.0.0.1/8 [gw] gw-wan 203.0.113.1/24 --- eth0 203.0.113.10/24 [wan]
#   pktgen, fill                 NAT under test                                  sink: forwarding off, drops
#
# Traffic goes from internal 10.x addresses to REMOTE:9 (198.51.100.1),
# routed by gw through wan, which drops it in routing (forwarding is off
# there, so no ICMP comes back) after its eth0 counted it.

LAN=bench-lan GW=bench-gw WAN=bench-wan
REMOTE=198.51.100.1 RPORT=9
# The pool of the scale figure: 16 external addresses (the most an
# instance takes), each with the 64,512 ports 1024-65535.
POOL=$(seq -s, -f '203.0.113.%g' 16 31)
FILL=$REPO/bench/fill

in_lan() { ip netns exec $LAN "$@"; }
in_gw() { ip netns exec $GW "$@"; }
in_wan() { ip netns exec $WAN "$@"; }

topology() {
	local ns
	for ns in $LAN $GW $WAN; do
		ip netns add $ns
		ip -n $ns link set lo up
		# No IPv6: its router and listener solicitations would be
		# counted by the sink as if they were the benchmark's packets.
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add eth0 netns $LAN type veth peer name gw-lan netns $GW
	ip link add eth0 netns $WAN type veth peer name gw-wan netns $GW
	ip -n $LAN addr add 10.0.0.2/8 dev eth0
	ip -n $GW addr add 10.0.0.1/8 dev gw-lan
	ip -n $GW addr add 203.0.113.1/24 dev gw-wan
	ip -n $WAN addr add 203.0.113.10/24 dev eth0
	for ns in $LAN:eth0 $GW:gw-lan $GW:gw-wan $WAN:eth0; do
		ip -n "${ns%%:*}" link set "${ns#*:}" up
	done
	ip -n $GW route add 198.51.100.0/24 via 203.0.113.10
	# One ARP resolution before timing, then it stays.
	ip -n $GW neigh replace 203.0.113.10 lladdr \
		"$(in_wan cat /sys/class/net/eth0/address)" dev gw-wan nud permanent
	in_gw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.gw-lan.rp_filter=0
	GW_MAC=$(in_gw cat /sys/class/net/gw-lan/address)
	in_lan sh -c "echo rem_device_all > /proc/net/pktgen/kpktgend_0 &&
		echo add_device eth0 > /proc/net/pktgen/kpktgend_0"
}

sink_count() { in_wan cat /sys/class/net/eth0/statistics/rx_packets; }

# The NAT under test in gw, on an empty conntrack table:
#   none         plain forwarding, no rules (conntrack not even hooked)
#   masquerade   nftables masquerade on gw-wan
#   eim|adm|apdm conenat with that mapping behaviour, eif filtering
#   pool-eim     conenat eim over the 16 addresses of $POOL
# conenat's quarantine is 0 so a flushed run's ports are free for the next.
nat_setup() {
	case $1 in
	none) ;;
	masquerade)
		in_gw nft -f - <<-'NFT'
		table ip bench {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "gw-wan" masquerade
			}
		}
		NFT
		;;
	eim|adm|apdm)
		in_gw conectl nat add wan0 dev gw-wan mapping "$1" filtering eif \
			quarantine 0 > /dev/null ;;
	pool-eim)
		in_gw conectl nat add wan0 dev gw-wan address "$POOL" mapping eim \
			filtering eif quarantine 0 > /dev/null ;;
	*) echo "bench: unknown NAT '$1'" >&2; return 1 ;;
	esac
}

# A counter of instance wan0 from `conectl stats`, e.g. mappings.
nat_stat() {
	in_gw conectl stats wan0 | grep -o " $1 [0-9]*" | grep -o '[0-9]*$'
}

nat_teardown() {
	local i
	if in_gw conectl nat show wan0 > /dev/null 2>&1; then
		# One flush can miss mappings (its walk resumes by position in
		# a bucket it removed from, see Documentation/performance.md):
		# flush until none is left, so deleting the instance leaves no
		# mapping behind on a freed pool.
		for i in $(seq 50); do
			[ "$(nat_stat mappings)" != 0 ] || break
			in_gw conectl map flush wan0 > /dev/null
		done
		[ "$i" -le 2 ] || echo "bench: flushing wan0 took $((i - 1)) passes" >&2
		in_gw conectl nat del wan0 > /dev/null
	fi
	in_gw nft flush ruleset
	in_gw conntrack -F > /dev/null 2>&1 || true
}

# pktgen COUNT SRC_MIN SRC_MAX PORT_MIN PORT_MAX: send COUNT datagrams from
# lan to REMOTE:9, source addresses and ports (both ranges inclusive)
# each stepping by one per packet, so ranges of coprime sizes give
# distinct flows; prints "PACKETS_PER_SECOND DELIVERED USEC", the rate being what
# reached the sink over pktgen's run time.
pktgen() {
	local before after res usec
	# pktgen's port maximum is exclusive, its address maximum inclusive.
	[ "$5" -lt 65535 ] || { echo "bench: pktgen port range ends below 65535" >&2; return 1; }
	before=$(sink_count)
	in_lan sh -c "
		pg() { echo \"\$1\" > /proc/net/pktgen/eth0; }
		pg 'count $1'; pg 'clone_skb 0'; pg 'pkt_size 60'; pg 'delay 0'
		pg 'dst $REMOTE'; pg 'dst_mac $GW_MAC'
		pg 'src_min $2'; pg 'src_max $3'
		pg 'udp_src_min $4'; pg 'udp_src_max $(($5 + 1))'
		pg 'udp_dst_min $RPORT'; pg 'udp_dst_max $RPORT'
		$PG_WRAP sh -c 'echo start > /proc/net/pktgen/pgctrl'
		cat /proc/net/pktgen/eth0" > /tmp/pktgen.out
	after=$(sink_count)
	res=$(grep -o 'Result: OK: [0-9]*' /tmp/pktgen.out) ||
		{ cat /tmp/pktgen.out >&2; return 1; }
	usec=${res##* }
	echo "$(( (after - before) * 1000000 / usec )) $((after - before)) $usec"
}

# fill NADDRS FIRST_SRC PORT_LO NPORTS [POOLS [NRPORTS]]: one new flow
# from each (address, port), to NRPORTS remote ports from 9 on, sent at
# once; prints how many reached the sink.
fill() {
	local before after
	before=$(sink_count)
	in_lan "$FILL" eth0 "$GW_MAC" $REMOTE $RPORT "$2" "$1" "$3" "$4" ${5:+"$5"} ${6:+"$6"} > /dev/null
	after=$(sink_count)
	echo $((after - before))
}

# Slab bytes of one cache (merged caches count their partners too; the
# benchmark takes differences across a million objects).
slab_bytes() {
	local d=/sys/kernel/slab/$1
	echo $(( $(cut -d' ' -f1 $d/slabs) * (4096 << $(cat $d/order)) ))
}

# Bytes of rhashtable bucket arrays (kvmalloc'ed, so vmalloc when large).
bucket_bytes() {
	awk '/bucket_table_alloc/ { s += $2 } END { print s + 0 }' /proc/vmallocinfo
}

# The guest's busy CPU time in clock ticks (user, nice, system, irq, softirq).
cpu_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

now_ns() { date +%s%N; }

# A result line for the host's report: FIGURE CASE NAT VALUE [UNIT].
result() { echo "$*" >> "$RAW"; echo "bench: $*" >&2; }

# profile NAME COMMAND...: a flat profile of the whole guest while COMMAND
# runs (cpu-clock: TCG has no PMU), next to the raw results.  A pktgen
# command is profiled from its start on: perf starts it once recording.
profile() {
	local name=$1
	shift
	if [ "$1" = pktgen ]; then
		PG_WRAP="perf record -q -a -e cpu-clock -o /tmp/perf.data --" "$@" > /dev/null
	else
		perf record -q -a -e cpu-clock -o /tmp/perf.data -- "$@" > /dev/null 2>&1
	fi
	perf report -i /tmp/perf.data --no-children --sort sym --percent-limit 0.3 \
		--stdio 2> /dev/null | grep -v '^#' | grep -v '^$' | head -50 \
		> "${RAW%.txt}-profile-$name.txt" || true
}
