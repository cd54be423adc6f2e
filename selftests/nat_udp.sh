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
command -v conntrack > /dev/null || skip_all "conntrack(8) missing (install conntrack)"

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

# Two hosts, one source port: two external ports, each reaching its owner.
ports_owned() {
	local e1 e2
	nat eim eif || return 1
	e1=$(ask "$lan1" $L1:7000 $R1:3478) && e2=$(ask "$lan2" $L2:7000 $R1:3478) || return 1
	echo "lan1 -> $e1, lan2 -> $e2"
	[ "$e1" != "$e2" ] && reaches $R2:7001 "$e1" $L1:7000
}

expiry() {
	local e
	nat eim eif timeout 3 2> /dev/null || return 1
	e=$(ask "$lan1" $L1:8000 $R1:3478) || return 1
	reaches $R2:8001 "$e" $L1:8000 || { echo "not open before expiry"; return 1; }
	sleep 5
	in_gw conectl map show wan0 | grep -q "$L1:8000" && { echo "mapping still listed"; return 1; }
	! reaches $R2:8002 "$e" $L1:8000
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

stats_count() {
	local out
	nat eim apdf || return 1
	ask "$lan1" $L1:9100 $R1:3478 > /dev/null || return 1
	reaches $R2:9101 "$G:9100" $L1:9100
	out=$(in_gw conectl -j stats wan0)
	echo "$out"
	grep -q '"created":1' <<< "$out" && grep -q '"in_dropped":[1-9]' <<< "$out" &&
		grep -q '"mappings":1' <<< "$out"
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

# Paired pooling: one internal address, one external address, any remote.
paired_pooling() {
	local a b c d
	ip -n "$gw" addr add 203.0.113.2/24 dev gw-wan
	nat eim eif address 203.0.113.1,203.0.113.2 || return 1
	a=$(ask "$lan1" $L1:9600 $R1:3478) && b=$(ask "$lan1" $L1:9601 $R2:3478) &&
	c=$(ask "$lan2" $L2:9600 $R1:3478) && d=$(ask "$lan2" $L2:9601 $R2:3478) || return 1
	echo "lan1: $a $b, lan2: $c $d"
	[ "${a%:*}" = "${b%:*}" ] && [ "${c%:*}" = "${d%:*}" ]
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

netns_deleted_with_mappings() {
	nat eim eif || return 1
	ask "$lan1" $L1:9300 $R1:3478 > /dev/null || return 1
	cleanup_ns "$gw" && unset gw
}

unload_with_mappings() {
	topology
	nat eim eif || return 1
	ask "$lan1" $L1:9400 $R1:3478 > /dev/null || return 1
	# Rules hold the module; the instance and its mappings do not.
	in_gw nft delete table ip conenat || return 1
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
check "two hosts, one source port: distinct external ports, each owned" ports_owned
check "a mapping expires after its timeout and closes" expiry
check "outbound packets refresh a mapping" outbound_refreshes
check "inbound packets do not refresh a mapping" inbound_does_not_refresh
check "inbound-refresh on: inbound packets refresh it" inbound_refresh_option
check "conntrack -E works alongside" conntrack_events_work
check "stats count created mappings and dropped packets" stats_count
check "map show lists the key and permits; flush empties it" map_show_lists
check "nat change: new behaviours flush mappings, a new timeout keeps them" change_flushes
check "paired pooling over two external addresses" paired_pooling
check "map flush removes every one of thousands of mappings" flush_removes_thousands
check "deleting a namespace with live mappings" netns_deleted_with_mappings
check "unloading the module with live mappings" unload_with_mappings
ktap_finished
