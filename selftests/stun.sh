#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT behaviour discovery (RFC 5780) against conenat, stock masquerading
# and no NAT, by cone probe and by coturn's turnutils_natdiscovery against
# coned; interop of cone probe with coturn's turnserver and of the classic
# stun client with coned:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#                        conenat "wan0" on gw-wan            203.0.113.11 (R2)
#                                                      coned (or turnserver)
#                                                      on R1, R2 x 3478, 3479;
#                                                      coned --other-address
#                                                      coturn x 3480, 3481

. "$(dirname "$0")/lib.sh"
require_root_and_module
require_tool coned "userspace/ (make)"
require_tool cone "userspace/ (make)"

# tool_check TOOL DESCRIPTION COMMAND...: check, or, without TOOL (which
# scripts/setup installs), a failure saying so; the other results still run.
tool_check() {
	local tool=$1 desc=$2
	shift 2
	if ! command -v "$tool" > /dev/null; then
		ktap_test_fail "$desc: $tool missing (scripts/setup installs coturn, stun-client)"
		return
	fi
	check "$desc" "$@"
}

TOPOLOGY_NO_ECHO=1
. "$(dirname "$0")/topology.sh"
server_pid=
# Not in a subshell (check's): wait needs the server to be our child.
stop_server() {
	[ -n "$server_pid" ] || return 0
	kill -TERM "$server_pid" 2> /dev/null
	wait "$server_pid"
	local rc=$?
	server_pid=
	return $rc
}

exited_cleanly() { # exited_cleanly STATUS
	echo "coned exited with status $1"
	cat "$tmp/coned.log"
	[ "$1" = 0 ] && grep -q "exiting" "$tmp/coned.log"
}

# A server with one address cannot do RFC 5780, and cone probe says so.
single_address_refused() {
	local pid rc
	# Not through in_wan (a subshell): $! must be coned itself, and its
	# output must not hold check's capture open.
	ip netns exec "$wan" coned --address $R1 --port 3490 --alt-port 3491 \
		> /dev/null 2>&1 &
	pid=$!
	wait_listening 3490 &&
	fails_with "does not do RFC 5780 \\(no OTHER-ADDRESS\\)" \
		in_lan cone probe $R1:3490
	rc=$?
	kill "$pid"
	wait "$pid"
	return $rc
}
trap 'stop_server; stop_compat_coned; cleanup' EXIT

in_wan() { ip netns exec "$wan" "$@"; }
in_lan() { ip netns exec "$lan1" "$@"; }

# Wait until something listens on R1:PORT/udp in wan.
wait_listening() { # wait_listening [PORT]
	local i port=${1:-3478}
	for i in $(seq 100); do
		in_wan ss -Hlun "src $R1:$port" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on $R1:$port"
	return 1
}

start_coned() {
	ip netns exec "$wan" coned --address $R1 --alt-address $R2 \
		> "$tmp/coned.log" 2>&1 &
	server_pid=$!
	wait_listening
}

# natdiscovery's server: coned answering OTHER-ADDRESS as coturn does.
compat_pid=
start_compat_coned() {
	ip netns exec "$wan" coned --address $R1 --alt-address $R2 --port 3480 \
		--alt-port 3481 --other-address coturn > /dev/null 2>&1 &
	compat_pid=$!
	wait_listening 3480
}

stop_compat_coned() {
	[ -n "$compat_pid" ] || return 0
	kill "$compat_pid" 2> /dev/null
	wait "$compat_pid"
	compat_pid=
}

start_coturn() {
	ip netns exec "$wan" turnserver -n --listening-ip=$R1 --listening-ip=$R2 \
		--relay-ip=$R1 --no-tls --no-dtls --no-cli --log-file=stdout \
		> "$tmp/coturn.log" 2>&1 &
	server_pid=$!
	wait_listening
}

no_nat() {
	in_gw conectl nat del wan0 > /dev/null 2>&1
	in_gw nft delete table ip masq 2> /dev/null
	return 0
}

masquerade() { # masquerade [fully-random]
	no_nat
	in_gw nft -f - <<-EOF2
	table ip masq {
		chain post {
			type nat hook postrouting priority 100;
			oifname "gw-wan" masquerade $1
		}
	}
	EOF2
}

# cone_says MAPPING FILTERING [SERVER]: cone probe -j reports exactly these.
cone_says() {
	local out
	out=$(in_lan cone probe -j "${3:-$R1}") || { echo "$out"; return 1; }
	echo "$out"
	grep -q "\"nat\":true" <<< "$out" &&
		grep -q "\"mapping\":\"$1\"" <<< "$out" &&
		grep -q "\"filtering\":\"$2\"" <<< "$out"
}

# natdiscovery's verdict as "MAPPING FILTERING" in conenat's words.
natdiscovery_verdict() {
	local out m f
	out=$(in_lan timeout 60 turnutils_natdiscovery -m -f -p 3480 $R1 2>&1)
	case $out in
	*"Endpoint Independent Mapping"*) m=eim ;;
	*"Address and Port Dependent Mapping"*) m=apdm ;;
	*"Address Dependent Mapping"*) m=adm ;;
	*) m=none ;;
	esac
	case $out in
	*"Endpoint Independent Filtering"*) f=eif ;;
	*"Address and Port Dependent Filtering"*) f=apdf ;;
	*"Address Dependent Filtering"*) f=adf ;;
	*) f=none ;;
	esac
	echo "$m $f"
}

# natdiscovery aims its mapping test III at the OTHER-ADDRESS of test II's
# answer, where RFC 5780 4.3 says test I's: against a server that follows
# RFC 5780 7.4 (the other address and port of the socket asked) it reads
# an address-dependent mapping as address and port-dependent.  coturn's
# OTHER-ADDRESS on its second address (its own address, other port) hides
# that, so natdiscovery asks a coned that answers as coturn does.
natdiscovery_says() { # natdiscovery_says MAPPING FILTERING
	local got
	got=$(natdiscovery_verdict)
	echo "natdiscovery: $got, configured: $1 $2"
	[ "$got" = "$1 $2" ]
}

# The classic stun client's verdict: its mapping and filter phrases.
stun_verdict() {
	in_lan timeout 60 stun $R1 2>&1 | grep -oE \
		'(Independent|Dependent) Mapping|(Independent|Address Dependent|Port Dependent) Filter' |
		paste -sd, -
}

verdict_is() { # verdict_is WANT GOT
	echo "stun says \"$2\", want \"$1\""
	[ "$2" = "$1" ]
}

stun_matches() { # stun_matches WANT GOT
	command -v stun > /dev/null ||
		{ echo "stun missing (scripts/setup installs stun-client)"; return 1; }
	verdict_is "$1" "$2"
}

# A LAN host whose address the remote sees unchanged.
no_nat_seen() {
	local out
	no_nat
	ip -n "$wan" route add 10.0.1.0/24 via $G
	out=$(in_lan cone probe -j $R1)
	ip -n "$wan" route del 10.0.1.0/24 via $G
	echo "$out"
	grep -q '"nat":false' <<< "$out" && grep -q "\"mapped\":\"$L1:" <<< "$out"
}

# With a 5 s UDP timeout the lifetime found is about 5 s.
lifetime_measured() {
	local out lo hi
	in_gw conectl nat add wan0 dev gw-wan mapping eim filtering eif timeout 5 ||
		return 1
	out=$(in_lan cone probe -j --lifetime=16 $R1) || { echo "$out"; return 1; }
	echo "$out"
	lo=$(grep -oE '"lifetime_min":[0-9]+' <<< "$out" | cut -d: -f2)
	hi=$(grep -oE '"lifetime_max":[0-9]+' <<< "$out" | cut -d: -f2)
	[ -n "$lo" ] && [ -n "$hi" ] && [ "$lo" -ge 3 ] && [ "$hi" -le 8 ]
}

topology
ktap_print_header
ktap_set_plan 44

start_coned && start_compat_coned || exit "$KSFT_FAIL"
check "coned: a second instance says the port is taken" \
	fails_with "port already in use" in_wan coned --address $R1
check "coned: an address not on the host is refused" \
	fails_with "address not local" in_wan coned --address 203.0.113.99
nat eim eif || exit "$KSFT_FAIL"
check "cone probe: a one-address server is refused" single_address_refused

declare -A stun_coned
for m in eim adm apdm; do
	for f in eif adf apdf; do
		nat $m $f || exit "$KSFT_FAIL"
		check "cone probe, conenat $m $f" cone_says $m $f
		tool_check turnutils_natdiscovery "natdiscovery vs coned, conenat $m $f" \
			natdiscovery_says $m $f
		command -v stun > /dev/null && stun_coned[$m.$f]=$(stun_verdict)
	done
done

# The classic client's names for what conenat was told to be, all nine.
# It compares the mappings seen from two server addresses first: a mapping
# that changes with the remote address is "Dependent Mapping", and then it
# names no filter.
declare -A stun_want=(
	[eim.eif]="Independent Mapping,Independent Filter"
	[adm.eif]="Dependent Mapping"
	[apdm.eif]="Dependent Mapping"
	[eim.adf]="Independent Mapping,Address Dependent Filter"
	[eim.apdf]="Independent Mapping,Port Dependent Filter"
	[adm.adf]="Dependent Mapping"
	[adm.apdf]="Dependent Mapping"
	[apdm.adf]="Dependent Mapping"
	[apdm.apdf]="Dependent Mapping"
)
for m in eim adm apdm; do
	for f in eif adf apdf; do
		tool_check stun "stun vs coned, conenat $m $f: ${stun_want[$m.$f]}" \
			verdict_is "${stun_want[$m.$f]}" "${stun_coned[$m.$f]}"
	done
done

masquerade
check "cone probe, nft masquerade: eim apdf" cone_says eim apdf
tool_check turnutils_natdiscovery "natdiscovery vs coned, nft masquerade: eim apdf" \
	natdiscovery_says eim apdf
masquerade fully-random
check "cone probe, nft masquerade fully-random: apdm apdf" cone_says apdm apdf
tool_check turnutils_natdiscovery \
	"natdiscovery vs coned, nft masquerade fully-random: apdm apdf" \
	natdiscovery_says apdm apdf
no_nat
check "cone probe, no NAT: reported as none" no_nat_seen
check "cone probe --lifetime: about conenat's 5 s timeout" lifetime_measured
stop_compat_coned
stop_server
check "coned: SIGTERM, clean exit" exited_cleanly $?

# coturn's RFC 5780 server: cone probe's verdicts must be conenat's
# (cone probe asks only the first address, whose OTHER-ADDRESS coturn gets
# right), and the stun client's the same as against coned.
if command -v turnserver > /dev/null; then
	start_coturn || exit "$KSFT_FAIL"
fi
for c in eim.eif adm.adf apdm.apdf; do
	nat ${c%.*} ${c#*.} || exit "$KSFT_FAIL"
	tool_check turnserver "cone probe vs coturn, conenat ${c/./ }" \
		cone_says ${c%.*} ${c#*.}
done
for c in eim.eif eim.adf eim.apdf apdm.apdf; do
	nat ${c%.*} ${c#*.} || exit "$KSFT_FAIL"
	got=
	command -v stun > /dev/null && command -v turnserver > /dev/null &&
		got=$(stun_verdict)
	tool_check turnserver "stun vs coturn, conenat ${c/./ }: as against coned" \
		stun_matches "${stun_coned[$c]}" "$got"
done
stop_server
no_nat

ktap_finished
