#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP (RFC 5382) and ICMP (RFC 5508) through conenat, on the network of
# topology.sh, with TCP echo servers on R1:80, R1:81 and R2:80 that write
# back the source they see.

. "$(dirname "$0")/lib.sh"
require_root_and_module
command -v ping > /dev/null || skip_all "ping missing (install iputils-ping)"
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

tcp_ask() { ip netns exec "$1" "$PEER" tcp-ask "$2" "$3" 3000; }

# The mapping table again, with TCP connections.
tcp_mapping_table() { # tcp_mapping_table MAPPING PORT
	local e1 e2 e3
	nat "$1" eif || return 1
	e1=$(tcp_ask "$lan1" $L1:$2 $R1:80) &&
	e2=$(tcp_ask "$lan1" $L1:$2 $R2:80) &&
	e3=$(tcp_ask "$lan1" $L1:$2 $R1:81) || { echo "no answer"; return 1; }
	echo "R1:80 saw $e1, R2:80 saw $e2, R1:81 saw $e3"
	case $1 in
	eim) [ "$e1" = "$e2" ] && [ "$e1" = "$e3" ] ;;
	adm) [ "$e1" != "$e2" ] && [ "$e1" = "$e3" ] ;;
	apdm) [ "$e1" != "$e2" ] && [ "$e1" != "$e3" ] && [ "$e2" != "$e3" ] ;;
	esac
}

# Does a connection from SRC to EXT reach a listener on LOCAL?
tcp_reaches() { # tcp_reaches SRC EXT LOCAL
	local pid rc
	ip netns exec "$lan1" "$PEER" tcp-echo "$3" > /dev/null 2>&1 &
	pid=$!
	sleep 0.3
	ip netns exec "$wan" "$PEER" tcp-ask "$1" "$2" 2000 > /dev/null
	rc=$?
	kill "$pid"
	wait "$pid" 2> /dev/null
	return "$rc"
}

# The filtering table, with unsolicited SYNs.
tcp_filtering_table() { # tcp_filtering_table FILTERING PORT
	local e want got_port got_addr
	nat eim "$1" || return 1
	e=$(tcp_ask "$lan1" $L1:$2 $R1:80) || { echo "no answer"; return 1; }
	case $1 in
	eif) want="yes yes" ;;
	adf) want="yes no" ;;
	apdf) want="no no" ;;
	esac
	tcp_reaches $R1:4000 "$e" $L1:$2 && got_port=yes || got_port=no
	tcp_reaches $R2:4000 "$e" $L1:$2 && got_addr=yes || got_addr=no
	echo "mapping $e: SYN from R1:4000 $got_port, from R2:4000 $got_addr (want $want)"
	[ "$got_port $got_addr" = "$want" ]
}

# An established TCP mapping lives by tcp-timeout, not the UDP one.
tcp_timeout_applies() {
	local ms
	nat eim eif tcp-timeout 7440 || return 1
	tcp_ask "$lan1" $L1:9800 $R1:80 > /dev/null || return 1
	ms=$(in_gw conectl -j map show wan0 | grep -o '"expires_ms":[0-9]*' | cut -d: -f2)
	echo "expires in $ms ms"
	[ -n "$ms" ] && [ "$ms" -gt 3600000 ]
}

# ICMP echo identifiers are mapped like ports, by the mapping behaviour.
icmp_mapping() { # icmp_mapping MAPPING MAPPINGS_EXPECTED
	local n
	nat "$1" eif || return 1
	ip netns exec "$lan1" ping -q -c 1 -W 2 -e 4242 $R1 > /dev/null || return 1
	ip netns exec "$lan1" ping -q -c 1 -W 2 -e 4242 $R2 > /dev/null || return 1
	in_gw conectl map show wan0
	n=$(in_gw conectl map show wan0 | grep -c "icmp $L1:4242 -> ")
	[ "$n" = "$2" ]
}

# An ICMP error about a mapped flow reaches the sender, translated, and
# leaves the mapping in place (RFC 5508 REQ-3, REQ-6; RFC 4787 REQ-12).
icmp_error_translated() {
	nat eim eif || return 1
	local err
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:9900 $R1:9999)
	[ "$err" = "Connection refused" ] || { echo "error seen: ${err:-none}"; return 1; }
	in_gw conectl map show wan0 | grep -q "udp $L1:9900 -> "
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 $R1:81 $R2:80 > /dev/null 2>&1 &
ktap_print_header
ktap_set_plan 11
port=20000
for m in eim adm apdm; do
	check "tcp: mapping $m holds the seed's mapping table" tcp_mapping_table $m $port
	port=$((port + 10))
done
for f in eif adf apdf; do
	check "tcp: filtering $f holds the seed's filtering table" tcp_filtering_table $f $port
	port=$((port + 10))
done
check "tcp: an established connection's mapping lives by tcp-timeout" tcp_timeout_applies
check "icmp: eim shares one identifier mapping across remotes" icmp_mapping eim 1
check "icmp: adm maps an identifier per remote address" icmp_mapping adm 2
check "icmp: apdm, too (queries have no remote port)" icmp_mapping apdm 2
check "icmp: errors about a mapped flow are translated and end nothing" icmp_error_translated
ktap_finished
