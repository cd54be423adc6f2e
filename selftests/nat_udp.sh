#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed's mapping and filtering tables, with real UDP packets:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ]                      203.0.113.11 (R2)
#                        conenat "wan0" on gw-wan       echo on R1:3478, R1:3479, R2:3478
#
# lan hosts ask R's echo servers which source they see (the mapping);
# R's other ports send unsolicited datagrams (the filter).

. "$(dirname "$0")/lib.sh"
require_root_and_module
require_tool conntrack conntrack

. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

# The mapping table: which asks from one internal endpoint share a port.
mapping_table() { # mapping_table MAPPING PORT
	local e1 e2 e3
	e1=$(ask "$lan1" $L1:$2 $R1:3478) &&
	e2=$(ask "$lan1" $L1:$2 $R2:3478) &&
	e3=$(ask "$lan1" $L1:$2 $R1:3479) || { echo "no answer"; return 1; }
	echo "R1:3478 saw $e1, R2:3478 saw $e2, R1:3479 saw $e3"
	case $1 in
	eim) [ "$e1" = "$e2" ] && [ "$e1" = "$e3" ] ;;
	adm) [ "$e1" != "$e2" ] && [ "$e1" = "$e3" ] ;;
	apdm) [ "$e1" != "$e2" ] && [ "$e1" != "$e3" ] && [ "$e2" != "$e3" ] ;;
	esac
}

# The filtering table: who may send to a mapping that contacted R1:3478.
filtering_table() { # filtering_table FILTERING PORT
	local e want_port want_addr got_port got_addr
	e=$(ask "$lan1" $L1:$2 $R1:3478) || { echo "no answer"; return 1; }
	case $1 in
	eif) want_addr=yes want_port=yes ;;
	adf) want_addr=no want_port=yes ;;
	apdf) want_addr=no want_port=no ;;
	esac
	reaches $R1:4000 "$e" $L1:$2 && got_port=yes || got_port=no
	reaches $R2:4000 "$e" $L1:$2 && got_addr=yes || got_addr=no
	echo "mapping $e: from R1:4000 $got_port (want $want_port), from R2:4000 $got_addr (want $want_addr)"
	reaches $R1:3478 "$e" $L1:$2 || { echo "the contacted remote was refused"; return 1; }
	[ "$got_port" = "$want_port" ] && [ "$got_addr" = "$want_addr" ]
}

combination() { # combination MAPPING FILTERING PORT
	nat "$1" "$2" || return 1
	mapping_table "$1" "$3" && filtering_table "$2" $(($3 + 1))
}

# A refused packet leaves no conntrack entry: punching through works after.
hole_punch_after_refusal() {
	local e
	nat eim apdf || return 1
	e=$(ask "$lan1" $L1:6000 $R1:3478) || return 1
	reaches $R2:5000 "$e" $L1:6000 && { echo "unsolicited passed apdf"; return 1; }
	if in_gw conntrack -L -p udp --orig-src $R2 --orig-port-src 5000 2>/dev/null | grep -q .; then
		echo "conntrack entry left behind"
		return 1
	fi
	ip netns exec "$lan1" "$PEER" send $L1:6000 $R2:5000 punch
	reaches $R2:5000 "$e" $L1:6000
}

port_preserved() {
	local e
	nat eim eif || return 1
	e=$(ask "$lan1" $L1:5555 $R1:3478) || return 1
	[ "$e" = "$G:5555" ] || { echo "got $e"; return 1; }
}

# Two hosts, one source port, different remotes: stock NAT would keep port
# 7000 for both (the flows' tuples differ); a cone NAT must not, as each
# mapping is open to anyone.  Each external endpoint reaches its owner.
ports_owned() {
	local e1 e2
	nat eim eif || return 1
	e1=$(ask "$lan1" $L1:7000 $R1:3478) && e2=$(ask "$lan2" $L2:7000 $R2:3478) || return 1
	echo "lan1 -> $e1, lan2 -> $e2"
	[ "$e1" != "$e2" ] || return 1
	reaches $R2:7001 "$e1" $L1:7000 || { echo "$e1 did not reach lan1"; return 1; }
	reaches $R1:7001 "$e2" $L2:7000 "$lan2" || { echo "$e2 did not reach lan2"; return 1; }
}

# A 6 s mapping is open 4 s on (inbound packets do not refresh it) and
# gone by 9 s.
expiry() {
	local e
	nat eim eif timeout 6 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:8000 $R1:3478) || return 1
	sleep 3
	in_gw conectl map show wan0 | grep -q "$L1:8000 -> .* expires [1-3]s" ||
		{ echo "not listed with 1-3 s left:"; in_gw conectl map show wan0; return 1; }
	reaches $R2:8001 "$e" $L1:8000 || { echo "not open before its timeout"; return 1; }
	sleep 5
	in_gw conectl map show wan0 | grep -q "$L1:8000" && { echo "mapping still listed"; return 1; }
	! reaches $R2:8002 "$e" $L1:8000 || { echo "still open after its timeout"; return 1; }
}

# Does a mapping with a 3 s timeout outlive 6 s of a stream, one
# datagram every half second, from SRC in NS to DST?
outlives_stream() { # outlives_stream PORT NS SRC DST [nat options]
	local port=$1 ns=$2 src=$3 dst=$4 e
	shift 4
	nat eim eif timeout 3 "$@" 2> /dev/null || { echo "nat add failed"; return 2; }
	e=$(ask "$lan1" $L1:$port $R1:3478) || { echo "no answer"; return 2; }
	[ "$dst" = ext ] && dst=$e
	ip netns exec "$ns" "$PEER" stream "$src" "$dst" 12 500
	if reaches $R2:$((port + 1)) "$e" $L1:$port; then
		echo "mapping $e alive after the stream"
		return 0
	fi
	echo "mapping $e gone after the stream"
	return 1
}

outbound_refreshes() {
	outlives_stream 8100 "$lan1" $L1:8100 $R1:3478
}

inbound_does_not_refresh() {
	outlives_stream 8200 "$wan" $R1:3478 ext
	[ $? = 1 ]
}

inbound_refresh_option() {
	outlives_stream 8300 "$wan" $R1:3478 ext inbound-refresh on
}

# conntrack -E sees the flows conenat translates.  A flow from a new port
# each half second, since the listener joins its group at its own pace.
conntrack_events_work() {
	local pid i seen=
	nat eim eif || return 1
	in_gw conntrack -E -e NEW -p udp > "$tmp/events" 2>&1 &
	pid=$!
	for i in $(seq 9000 9019); do
		ask "$lan1" $L1:$i $R1:3478 > /dev/null || break
		sleep 0.5
		grep -q "sport=$i " "$tmp/events" && { seen=$i; break; }
	done
	kill "$pid"
	wait "$pid" 2> /dev/null
	[ -n "$seen" ] || { cat "$tmp/events"; return 1; }
}

# One mapping made, the two datagrams of a refused reaches dropped; the
# contacted remote's answer let in.
stats_count() {
	local out
	nat eim apdf || return 1
	ask "$lan1" $L1:9100 $R1:3478 > /dev/null || return 1
	! reaches $R2:9101 "$G:9100" $L1:9100 || { echo "unsolicited passed apdf"; return 1; }
	out=$(in_gw conectl -j stats wan0)
	echo "$out"
	grep -q '"created":1,' <<< "$out" && grep -q '"in_dropped":2,' <<< "$out" &&
		grep -q '"mappings":1,' <<< "$out" && grep -q '"expired":0,' <<< "$out"
}

map_show_lists() {
	local out
	nat apdm apdf || return 1
	ask "$lan1" $L1:9200 $R1:3478 > /dev/null || return 1
	out=$(in_gw conectl map show wan0)
	echo "$out"
	grep -q "$L1:9200 -> $G:9200 remote $R1:3478 permits $R1:3478 " <<< "$out" &&
		in_gw conectl map flush wan0 &&
		[ -z "$(in_gw conectl map show wan0)" ]
}

# Settings that invalidate mappings remove them; a new timeout does not.
change_flushes() {
	nat eim eif || return 1
	ask "$lan1" $L1:9500 $R1:3478 > /dev/null || return 1
	in_gw conectl nat change wan0 timeout 200 || return 1
	in_gw conectl map show wan0 | grep -q "$L1:9500" || { echo "timeout change removed it"; return 1; }
	in_gw conectl nat change wan0 mapping apdm || return 1
	[ -z "$(in_gw conectl map show wan0)" ] || { echo "mapping change kept it"; return 1; }
}

# Paired pooling (RFC 4787 REQ-2): over four external addresses, each of
# eight internal addresses keeps one external address whatever the port
# and remote (apdm: a mapping each), and the pool is used, more than one
# address of it.
paired_pooling() {
	local i a e pool=203.0.113.1,203.0.113.2,203.0.113.3,203.0.113.4 used=
	for i in 2 3 4; do ip -n "$gw" addr add 203.0.113.$i/24 dev gw-wan; done
	for i in 3 4 5 6 7 8 9; do ip -n "$lan1" addr add 10.0.1.$i/24 dev eth0; done
	nat apdm eif address $pool || return 1
	for i in 2 3 4 5 6 7 8 9; do
		a=
		for e in "9600 $R1:3478" "9601 $R2:3478" "9602 $R1:3479"; do
			set -- $e
			e=$(ask "$lan1" 10.0.1.$i:$1 $2) || { echo "no answer"; return 1; }
			e=${e%:*}
			[[ ",$pool," == *",$e,"* ]] || { echo "10.0.1.$i got $e, not of the pool"; return 1; }
			[ -z "$a" ] || [ "$a" = "$e" ] ||
				{ echo "10.0.1.$i got $a and $e"; return 1; }
			a=$e
		done
		echo "10.0.1.$i -> $a"
		used+="$a"$'\n'
	done
	[ "$(sort -u <<< "$used" | grep -c .)" -gt 1 ] || { echo "one address used"; return 1; }
}

# Thousands of mappings, so the flush's walk pauses on the way: it must
# still remove every one of them.
flush_removes_thousands() {
	local n=3000 live
	nat eim eif || return 1
	ip netns exec "$lan1" "$PEER" spray $L1 40000 $n $R1:3478 || return 1
	slowwait 20 bash -c "ip netns exec $gw conectl -j stats wan0 | grep -q '\"mappings\":$n,'" ||
		{ in_gw conectl stats wan0; return 1; }
	in_gw conectl map flush wan0 || return 1
	live=$(in_gw conectl -j stats wan0 | grep -o '"mappings":[0-9]*')
	echo "after the flush: $live, $(in_gw conectl map show wan0 | wc -l) listed"
	[ "$live" = '"mappings":0' ] && [ -z "$(in_gw conectl map show wan0)" ]
}

# The namespace goes (net/lib.sh's cleanup_ns cannot tell: its wait
# passes a literal '|' to ip); the module's unload below and the VM
# runner's splat check see what it left.
netns_deleted_with_mappings() {
	local name=$gw
	nat eim eif || return 1
	ask "$lan1" $L1:9300 $R1:3478 > /dev/null || return 1
	in_gw conectl map show wan0 | grep -q "$L1:9300" || { echo "no mapping"; return 1; }
	ip netns pids "$name" | xargs -r kill
	ip netns del "$name" || return 1
	slowwait 5 bash -c "! ip netns list | grep -q '^$name\b'" ||
		{ echo "$name still listed"; return 1; }
}

unload_with_mappings() {
	topology
	nat eim eif || return 1
	ask "$lan1" $L1:9400 $R1:3478 > /dev/null || return 1
	# Neither the instance, its hooks nor its mappings hold the module.
	rmmod conenat || return 1
	modprobe conenat
}

topology
ktap_print_header
ktap_set_plan 24
port=10000
for m in eim adm apdm; do
	for f in eif adf apdf; do
		check "mapping $m + filtering $f: the seed's tables hold" combination $m $f $port
		port=$((port + 10))
	done
done
check "a refused packet leaves no conntrack; a later hole punch works" hole_punch_after_refusal
check "the internal port is preserved when free" port_preserved
check "two hosts, one source port, two remotes: distinct external ports, each owned" ports_owned
check "a mapping lives until its timeout, then closes" expiry
check "outbound packets refresh a mapping" outbound_refreshes
check "inbound packets do not refresh a mapping" inbound_does_not_refresh
check "inbound-refresh on: inbound packets refresh it" inbound_refresh_option
check "conntrack -E works alongside" conntrack_events_work
check "stats count created mappings and dropped packets" stats_count
check "map show lists the key and permits; flush empties it" map_show_lists
check "nat change: new behaviours flush mappings, a new timeout keeps them" change_flushes
check "paired pooling: eight internal addresses over four external ones" paired_pooling
check "map flush removes every one of thousands of mappings" flush_removes_thousands
check "deleting a namespace with live mappings" netns_deleted_with_mappings
remove_ns_list "$gw"
check "unloading the module with live mappings" unload_with_mappings
ktap_finished
