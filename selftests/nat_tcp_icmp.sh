#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TCP (RFC 5382) and ICMP (RFC 5508) through conenat, on the network of
# topology.sh, with TCP echo servers on R1:80, R1:81 and R2:80 that write
# back the source they see.

. "$(dirname "$0")/lib.sh"
require_root_and_module
require_tool ping iputils-ping
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

tcp_ask() { ip netns exec "$1" "$PEER" tcp-ask "$2" "$3" 3000; }

# The instance's only mapping expires in how many ms?
expires_ms() {
	in_gw conectl -j map show wan0 | grep -o '"expires_ms":[0-9]*' | cut -d: -f2
}

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

# Does a connection from SRC to EXT reach a listener on LOCAL?  The
# listener must have bound and lived, the SYN must have been sent.
tcp_reaches() { # tcp_reaches SRC EXT LOCAL
	local pid rc
	ip netns exec "$lan1" "$PEER" tcp-echo "$3" > /dev/null 2>&1 &
	pid=$!
	listening "$lan1" tcp "${3##*:}" || broken "no TCP listener on $3"
	ip netns exec "$wan" "$PEER" tcp-ask "$1" "$2" 2000 > /dev/null
	rc=$?
	kill "$pid" 2> /dev/null || broken "the listener on $3 died"
	wait "$pid" 2> /dev/null
	[ "$rc" -le 1 ] || broken "connect from $1 to $2"
	return "$rc"
}

# The positive control of a refused SYN: the same path under eif, from a
# remote the mapping never contacted, on the next internal port.
tcp_inbound_control() { # tcp_inbound_control PORT
	local e
	nat eim eif || return 1
	e=$(tcp_ask "$lan1" $L1:$1 $R1:80) || { echo "control: no answer"; return 1; }
	tcp_reaches $R2:4099 "$e" $L1:$1 ||
		{ echo "control: a SYN under eif did not reach $L1:$1"; return 1; }
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
	[ "$got_port $got_addr" = "$want" ] || return 1
	[ "$1" = eif ] || tcp_inbound_control $(($2 + 1))
}

# An established TCP mapping lives by tcp-timeout (not the default 7440 s,
# not the UDP one): a connection held open, its mapping's expiry read.
tcp_timeout_applies() {
	local ms pid
	nat eim eif tcp-timeout 5000 || return 1
	ip netns exec "$lan1" "$PEER" tcp-hold $L1:9800 $R1:82 3000 > "$tmp/hold" &
	pid=$!
	slowwait 3 grep -q connected "$tmp/hold" || { echo "no connection"; return 1; }
	ms=$(expires_ms)
	wait "$pid"
	echo "expires in $ms ms (tcp-timeout 5000 s)"
	[ -n "$ms" ] && [ "$ms" -gt 4900000 ] && [ "$ms" -le 5000000 ]
}

# The mapping of a connection closed at once (the echo server closes after
# writing) falls to tcp-transitory-timeout (RFC 7857 section 2.1).
tcp_transitory_after_close() {
	local ms
	nat eim eif tcp-transitory-timeout 3 2> /dev/null || return 1
	tcp_ask "$lan1" $L1:9810 $R1:80 > /dev/null || return 1
	sleep 1
	ms=$(expires_ms)
	echo "after the close, expires in ${ms:-(gone)} ms (tcp-transitory-timeout 3 s)"
	[ -n "$ms" ] || { echo "gone before its timeout"; return 1; }
	[ "$ms" -le 3000 ] || return 1
	sleep 4
	[ -z "$(in_gw conectl map show wan0)" ] || { echo "still listed after 5 s"; return 1; }
}

# An ICMP echo mapping lives icmp-timeout, then goes (RFC 5508 REQ-2).
icmp_timeout_expires() {
	nat eim eif icmp-timeout 3 2> /dev/null || return 1
	ip netns exec "$lan1" ping -q -c 1 -W 2 -e 4343 $R1 > /dev/null ||
		{ echo "no echo reply"; return 1; }
	sleep 1
	in_gw conectl map show wan0 | grep -q "icmp $L1:4343 -> .* expires [12]s" ||
		{ echo "not listed with 1-2 s left:"; in_gw conectl map show wan0; return 1; }
	sleep 4
	[ -z "$(in_gw conectl map show wan0)" ] || { echo "still listed after 5 s"; return 1; }
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

# An ICMP error about a mapped flow reaches the sender, translated (port
# unreachable, type 3 code 3, from the remote), and leaves the mapping in
# place (RFC 5508 REQ-3, REQ-6; RFC 4787 REQ-12).
icmp_error_translated() {
	nat eim eif || return 1
	local err
	err=$(ip netns exec "$lan1" "$PEER" icmp-error $L1:9900 $R1:9999)
	[ "$err" = "icmp 3 3 from $R1" ] || { echo "error seen: ${err:-none}"; return 1; }
	in_gw conectl map show wan0 | grep -q "udp $L1:9900 -> "
}

# An ICMP error about a TCP flow (R1 rejects port 9 with port unreachable)
# reaches the sender translated and leaves its mapping (RFC 5382 REQ-9, 10).
tcp_icmp_error_translated() {
	local out
	nat eim eif || return 1
	out=$(ip netns exec "$lan1" "$PEER" tcp-try $L1:9910 $R1:9 3000)
	echo "connect to a rejecting R1:9: $out"
	[ "${out%% *}" = icmp-3-3 ] || return 1
	in_gw conectl map show wan0 | grep -q "tcp $L1:9910 -> " ||
		{ echo "the error ended the mapping"; return 1; }
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
	tcp_inbound_control 21001
}

# The host's RST to an inbound SYN reaches the remote translated and leaves
# the mapping's timer alone (RFC 7857 section 2.1); eif lets the SYN in,
# nothing listens.
rst_does_not_refresh() {
	local e before after out
	nat eim eif tcp-transitory-timeout 60 2> /dev/null || return 1
	ip netns exec "$lan1" "$PEER" tcp-try $L1:21100 $R1:9 2000 > /dev/null
	e=$G:21100
	sleep 2
	before=$(expires_ms)
	out=$(ip netns exec "$wan" "$PEER" tcp-try $R2:4200 "$e" 2000)
	after=$(expires_ms)
	echo "the remote's connect: $out; expires in $before ms, after the RST in $after ms"
	# The RST reached the remote translated (RFC 7857): "reset", not a timeout.
	[ "${out%% *}" = reset ] || return 1
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

# A refused SYN is answered, with port unreachable (ICMP type 3 code 3,
# from the gateway's address, read from the error queue: a RST would give
# the same ECONNREFUSED) only after 6 s (RFC 5382 REQ-4), or never with
# unsolicited-syn drop (REQ-4a).
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
			in_gw conectl -j stats wan0 | grep -q '"syn_refused":0[,}]'
	else
		[ "$result" = icmp-3-3 ] && [ "$ms" -ge 6000 ] &&
			in_gw conectl -j stats wan0 | grep -q '"syn_refused":1[,}]'
	fi
}

topology
ip netns exec "$wan" "$PEER" tcp-echo $R1:80 $R1:81 $R2:80 > /dev/null 2>&1 &
ip netns exec "$wan" "$PEER" tcp-sink $R1:82 > /dev/null 2>&1 &
ip netns exec "$wan" nft -f - <<-EOF || exit "$KSFT_FAIL"
	table ip reject9 {
		chain in {
			type filter hook input priority 0;
			tcp dport 9 ip saddr $G reject with icmp type port-unreachable
		}
	}
EOF
listening "$wan" tcp 81
listening "$wan" tcp 82
ktap_print_header
ktap_set_plan 19
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
check "tcp: a closed connection's mapping falls to tcp-transitory-timeout" tcp_transitory_after_close
check "icmp: an echo mapping lives icmp-timeout, then expires" icmp_timeout_expires
check "icmp: eim shares one identifier mapping across remotes" icmp_mapping eim 1
check "icmp: adm maps an identifier per remote address" icmp_mapping adm 2
check "icmp: apdm, too (queries have no remote port)" icmp_mapping apdm 2
check "icmp: errors about a mapped flow are translated and end nothing" icmp_error_translated
check "tcp: ICMP errors about a connection are translated and end nothing" tcp_icmp_error_translated
check "tcp-filtering: TCP filtered apdf while UDP stays eif" tcp_filtering_apart
check "tcp: two hosts' connections never share an external port" tcp_no_port_overloading
check "tcp: the host's RST to an inbound SYN does not refresh the mapping" rst_does_not_refresh
check "tcp: a refused SYN gets port unreachable, not before 6 s" unsolicited_syn reject 21200
check "tcp: unsolicited-syn drop never answers a refused SYN" unsolicited_syn drop 21300
ktap_finished
