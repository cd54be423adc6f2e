#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a real uplink meets, beyond the mapping tables:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ]  (.2 later)          203.0.113.11 (R2)
#                        conenat "wan0" on gw-wan       echo on R1:3478, R2:3478
#                        gw's own services: udp 51820, tcp 2222
#
# - the gateway's own ports are never handed to a LAN host, and its
#   services stay reachable under every filtering behaviour;
# - GRE and ESP leave with the gateway's address, never a private one;
# - an instance without addresses follows the uplink's address;
# - two uplinks with an instance each work side by side;
# - a flow offloaded to a flowtable keeps its mapping alive.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT
RAWIP=$TOP/selftests/rawip

tcp_ask() { ip netns exec "$1" "$PEER" tcp-ask "$2" "$3" 3000; }

# The gateway's UDP service keeps its port: a LAN host sending from it
# gets another one, and a remote that was never contacted reaches the
# gateway, not the LAN host.
own_udp_port() { # own_udp_port FILTERING
	local e seen
	nat eim "$1" || return 1
	in_gw "$PEER" echo 0.0.0.0:51820 > /dev/null 2>&1 &
	listening "$gw" udp 51820 || return 1
	e=$(ask "$lan1" $L1:51820 $R1:3478) || { echo "the LAN host got no answer"; return 1; }
	echo "the LAN host's 51820 is $e outside"
	[ "${e%:*}" = $G ] && [ "${e#*:}" != 51820 ] || return 1
	seen=$(ask "$wan" $R2:4100 $G:51820) || { echo "the gateway's service did not answer"; return 1; }
	[ "$seen" = $R2:4100 ] || { echo "answered by $seen"; return 1; }
	! reaches $R2:4101 $G:51820 $L1:51820 || { echo "the LAN host got the gateway's traffic"; return 1; }
}

own_tcp_port() { # own_tcp_port FILTERING
	local e seen
	nat eim "$1" || return 1
	in_gw "$PEER" tcp-echo 0.0.0.0:2222 > /dev/null 2>&1 &
	listening "$gw" tcp 2222 || return 1
	e=$(tcp_ask "$lan1" $L1:2222 $R1:80) || { echo "the LAN host could not connect"; return 1; }
	echo "the LAN host's 2222 is $e outside"
	[ "${e%:*}" = $G ] && [ "${e#*:}" != 2222 ] || return 1
	seen=$(tcp_ask "$wan" $R2:4200 $G:2222) || { echo "the gateway's ssh-like port refused"; return 1; }
	[ "$seen" = $R2:4200 ] || { echo "answered by $seen"; return 1; }
}

# A service the gateway starts on a port a mapping already holds wins new
# inbound flows; the LAN host keeps its own flow.
later_bound_port() {
	local e seen
	nat eim eif || return 1
	e=$(ask "$lan1" $L1:40000 $R1:3478) || return 1
	[ "$e" = $G:40000 ] || { echo "not preserved: $e"; return 1; }
	reaches $R2:4300 $G:40000 $L1:40000 || { echo "eif refused before the service started"; return 1; }
	in_gw "$PEER" echo 0.0.0.0:40000 > /dev/null 2>&1 &
	listening "$gw" udp 40000 || return 1
	seen=$(ask "$wan" $R2:4301 $G:40000) || { echo "the gateway's new service did not answer"; return 1; }
	[ "$seen" = $R2:4301 ] || return 1
	[ "$(ask "$lan1" $L1:40000 $R1:3478)" = $G:40000 ] || { echo "the LAN host lost its mapping"; return 1; }
}

# A protocol without ports leaves with the gateway's address.
portless() { # portless PROTO
	local seen
	nat eim eif || return 1
	ip netns exec "$wan" "$RAWIP" recv "$1" 3000 > "$tmp/raw" &
	local pid=$!
	sleep 0.3
	ip netns exec "$lan1" "$RAWIP" send "$1" $R1 64 || return 1
	wait "$pid" || { echo "no packet of protocol $1 arrived"; return 1; }
	seen=$(cat "$tmp/raw")
	echo "protocol $1 from $L1 arrived from $seen"
	[ "$seen" = $G ]
}

# No address of its own: the device's, before and after it changes.
follows_address() {
	local e1 e2 rc=0
	nat eim eif || return 1
	e1=$(ask "$lan1" $L1:41000 $R1:3478) || return 1
	[ "$e1" = $G:41000 ] || { echo "before: $e1"; return 1; }
	in_gw ip addr del $G/24 dev gw-wan
	in_gw ip addr add 203.0.113.2/24 dev gw-wan
	e2=$(ask "$lan1" $L1:41000 $R1:3478) || { echo "no answer after the change"; rc=1; }
	echo "before $e1, after $e2"
	if in_gw conectl map show | grep -q -- "-> $G:"; then
		echo "a mapping on the old address remains"
		rc=1
	fi
	[ "$e2" = 203.0.113.2:41000 ] || rc=1
	in_gw ip addr del 203.0.113.2/24 dev gw-wan
	in_gw ip addr add $G/24 dev gw-wan
	return $rc
}

# A flow in an nftables flowtable bypasses the hooks: its mapping lives
# on while the flow does, and expires once it stops.
offloaded_flow() {
	local e
	nat eim apdf timeout 3 > /dev/null 2>&1 || return 1
	in_gw nft -f - <<-EOF || return 1
	table inet fastpath {
		flowtable ft { hook ingress priority 0; devices = { gw-lan1, gw-wan }; }
		chain forward { type filter hook forward priority 0; meta l4proto udp flow add @ft; }
	}
	EOF
	e=$(ask "$lan1" $L1:42000 $R1:3478) || return 1
	ip netns exec "$lan1" "$PEER" stream $L1:42000 $R1:3478 70 100 > /dev/null 2>&1 &
	local pid=$!
	sleep 6
	in_gw conntrack -L -p udp --orig-port-src 42000 2> /dev/null | grep -q OFFLOAD ||
		{ echo "the flow was not offloaded"; kill $pid; return 1; }
	in_gw conectl map show | grep -q -- "-> $e " ||
		{ echo "the mapping of $e expired under its offloaded flow"; kill $pid; return 1; }
	wait $pid
	slowwait 60 bash -c "! ip netns exec $gw conectl map show | grep -q -- '-> $e '" ||
		{ echo "the mapping outlived its flow"; return 1; }
	in_gw nft delete table inet fastpath
}

# Two uplinks, two instances: each translates to its own address, new
# inbound flows work on each, and what a remote sends in on the second
# uplink to the first one's address is inbound, not a LAN host's hairpin.
#   lan2 --> [ gw ] gw-wan2 198.51.100.1 ---- wan2 198.51.100.10 (R3)
R3=198.51.100.10
multi_wan() {
	local e1 e2 seen
	setup_ns wan2 || return 1
	veth "$wan2" eth0 $R3/24 "$gw" gw-wan2 198.51.100.1/24
	ip -n "$wan2" route add 203.0.113.0/24 via 198.51.100.1
	ip netns exec "$wan2" "$PEER" echo $R3:3478 > /dev/null 2>&1 &
	listening "$wan2" udp 3478 || return 1
	nat eim eif || return 1
	in_gw conectl nat add wan1 dev gw-wan2 mapping eim filtering eif || return 1
	e1=$(ask "$lan1" $L1:43000 $R1:3478) || return 1
	e2=$(ask "$lan2" $L2:43000 $R3:3478) || return 1
	echo "lan1 leaves as $e1, lan2 as $e2"
	[ "$e1" = $G:43000 ] && [ "$e2" = 198.51.100.1:43000 ] || return 1
	reaches $R2:4400 $G:43000 $L1:43000 || { echo "no inbound on the first uplink"; return 1; }
	hear "$lan2" $L2:43000 "$tmp/listen2"
	ip netns exec "$wan2" "$PEER" send $R3:4400 198.51.100.1:43000 unsolicited
	heard || { echo "no inbound on the second uplink"; return 1; }
	hear "$lan1" $L1:43000 "$tmp/listen1"
	ip netns exec "$wan2" "$PEER" send $R3:4402 $G:43000 unsolicited
	heard || { echo "the first uplink's mapping got nothing via the second"; return 1; }
	seen=$(cut -d' ' -f1 "$tmp/listen1")
	echo "via the second uplink, lan1 saw $seen"
	in_gw conectl nat del wan1
	[ "$seen" = $R3:4402 ]
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 > /dev/null 2>&1 &
listening "$wan" tcp 80

ktap_print_header
ktap_set_plan 12
for f in eif adf apdf; do
	check "gateway: its udp port stays its own ($f)" own_udp_port $f
	in_gw pkill -f "peer echo 0.0.0.0:51820"
	check "gateway: its tcp port stays its own ($f)" own_tcp_port $f
	in_gw pkill -f "peer tcp-echo 0.0.0.0:2222"
done
check "gateway: a port bound later serves the gateway" later_bound_port
in_gw pkill -f "peer echo 0.0.0.0:40000"
check "gateway: GRE leaves with the external address" portless 47
check "gateway: ESP leaves with the external address" portless 50
check "gateway: follows the uplink's new address" follows_address
check "gateway: two uplinks, two instances, inbound on each" multi_wan
check "gateway: an offloaded flow keeps its mapping alive, then not" offloaded_flow
ktap_finished
