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
	listening "$lan1" tcp "${3##*:}"
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

# Filtering per protocol (RFC 5382 REQ-3): UDP open, TCP port-restricted.
tcp_filtering_apart() {
	local u t
	nat eim eif tcp-filtering apdf || return 1
	u=$(ask "$lan1" $L1:21000 $R1:3478) &&
	t=$(tcp_ask "$lan1" $L1:21000 $R1:80) || { echo "no answer"; return 1; }
	reaches $R2:4100 "$u" $L1:21000 || { echo "udp from R2 refused"; return 1; }
	if tcp_reaches $R2:4100 "$t" $L1:21000; then
		echo "tcp from R2 passed apdf"
		return 1
	fi
}

# The instance's only mapping expires in how many ms?
expires_ms() {
	in_gw conectl -j map show wan0 | grep -o '"expires_ms":[0-9]*' | cut -d: -f2
}

# The host's RST to an inbound SYN leaves the mapping's timer alone
# (RFC 7857 section 2.1); eif lets the SYN in, nothing listens.
rst_does_not_refresh() {
	local e before after
	nat eim eif tcp-transitory-timeout 60 2> /dev/null || return 1
	ip netns exec "$lan1" "$PEER" tcp-try $L1:21100 $R1:9 2000 > /dev/null
	e=$G:21100
	sleep 2
	before=$(expires_ms)
	ip netns exec "$wan" "$PEER" tcp-try $R2:4200 "$e" 2000
	after=$(expires_ms)
	echo "expires in $before ms, after the RST in $after ms"
	[ -n "$before" ] && [ -n "$after" ] && [ "$after" -lt "$before" ]
}

# Two hosts, one source port, different remotes: stock NAT would give
# both the same external port; conenat never shares one (RFC 5382 REQ-6).
tcp_no_port_overloading() {
	local e1 e2
	nat eim eif || return 1
	e1=$(tcp_ask "$lan1" $L1:21400 $R1:80) &&
	e2=$(tcp_ask "$lan2" $L2:21400 $R2:80) || { echo "no answer"; return 1; }
	echo "lan1 got $e1, lan2 got $e2"
	[ "$e1" != "$e2" ]
}

# A refused SYN is answered, with port unreachable, only after 6 s
# (RFC 5382 REQ-4), or never with unsolicited-syn drop (REQ-4a).
unsolicited_syn() { # unsolicited_syn reject|drop PORT
	local out result ms
	nat eim apdf unsolicited-syn "$1" || return 1
	tcp_ask "$lan1" $L1:$2 $R1:80 > /dev/null || return 1
	out=$(ip netns exec "$wan" "$PEER" tcp-try $R2:4300 $G:$2 10000)
	read -r result ms <<< "$out"
	echo "the remote's connect: $result after $ms ms"
	in_gw conectl stats wan0
	if [ "$1" = drop ]; then
		[ "$result" = timeout ] &&
			in_gw conectl -j stats wan0 | grep -q '"syn_refused":0'
	else
		[ "$result" = refused ] && [ "$ms" -ge 6000 ] &&
			in_gw conectl -j stats wan0 | grep -q '"syn_refused":1'
	fi
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 $R1:81 $R2:80 > /dev/null 2>&1 &
listening "$wan" tcp 81
ktap_print_header
ktap_set_plan 16
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
check "tcp-filtering: TCP filtered apdf while UDP stays eif" tcp_filtering_apart
check "tcp: two hosts' connections never share an external port" tcp_no_port_overloading
check "tcp: the host's RST to an inbound SYN does not refresh the mapping" rst_does_not_refresh
check "tcp: a refused SYN gets port unreachable, not before 6 s" unsolicited_syn reject 21200
check "tcp: unsolicited-syn drop never answers a refused SYN" unsolicited_syn drop 21300
ktap_finished
