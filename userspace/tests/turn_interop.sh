#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# coned's TURN relay against coturn's own tools: turnutils_uclient as the
# client, turnutils_peer as the peer, each in a network namespace of its
# own with a distinct address (TURN permissions are per IP address, so
# loopback would prove nothing).  UDP and TCP, channels and Send
# indications, client to client (-y), long-term and REST credentials, no
# message lost; a wrong password and an expired REST credential refused;
# and two ICE agents, aioice and libnice, connecting relay to relay.
# KTAP on stdout; needs root.
SERVER=198.51.100.1
CLIENT=192.0.2.10
PEER=203.0.113.10
SECRET=s3cret
BIN=$(cd "$(dirname "$0")/../bin" && pwd)
ns=turn$$
tmp=$(mktemp -d)
failed=0
n=0

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces)"
	exit 4
fi
for tool in turnutils_uclient turnutils_peer ip; do
	command -v $tool > /dev/null ||
		{ echo "not ok 1 $tool missing: run scripts/setup"; exit 1; }
done
echo "1..14"

cleanup() {
	[ -f "$tmp/pids" ] && kill $(cat "$tmp/pids") 2> /dev/null
	wait 2> /dev/null
	for n in srv cli peer br; do ip netns del $ns-$n 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add $ns-br
ip -n $ns-br link add br0 type bridge
ip -n $ns-br link set br0 up
for spec in srv:$SERVER cli:$CLIENT peer:$PEER; do
	name=${spec%%:*}
	addr=${spec#*:}
	ip netns add $ns-$name
	# Not "veth...": libnice ignores interfaces of that name.
	ip link add eth0 netns $ns-$name type veth peer name $name netns $ns-br
	ip -n $ns-br link set $name master br0 up
	ip -n $ns-$name link set lo up
	ip -n $ns-$name link set eth0 up
	ip -n $ns-$name addr add $addr/24 dev eth0
	ip -n $ns-$name route add default dev eth0
done

ip netns exec $ns-srv "$BIN/coned" --address $SERVER --turn --realm interop \
	--user alice:secret --auth-secret $SECRET > "$tmp/coned.log" 2>&1 &
echo $! > "$tmp/pids"
ip netns exec $ns-peer turnutils_peer -L $PEER > /dev/null 2>&1 &
echo $! >> "$tmp/pids"
sleep 0.5

result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		failed=1
		echo "not ok $n $2"
	fi
}

# relayed DESCRIPTION UCLIENT-ARGS...: every message sent comes back.
relayed() {
	local desc=$1 out sent recv lost
	shift
	out=$(timeout 60 ip netns exec $ns-cli turnutils_uclient "$@" $SERVER 2>&1)
	local rc=$?
	sent=$(sed -n 's/.*start_mclient: tot_send_msgs=\([0-9]*\).*/\1/p' <<< "$out" | tail -1)
	recv=$(sed -n 's/.*start_mclient: tot_send_msgs=[0-9]*, tot_recv_msgs=\([0-9]*\).*/\1/p' <<< "$out" | tail -1)
	lost=$(sed -n 's/.*Total lost packets \([0-9]*\).*/\1/p' <<< "$out" | tail -1)
	if [ "$rc" = 0 ] && [ -n "$sent" ] && [ "$sent" -gt 0 ] &&
	   [ "$sent" = "$recv" ] && [ "$lost" = 0 ]; then
		result ok "$desc: $recv of $sent messages relayed"
	else
		echo "# exit $rc, sent '$sent', received '$recv', lost '$lost'"
		tail -5 <<< "$out" | sed 's/^/# /'
		result fail "$desc"
	fi
}

# refused DESCRIPTION UCLIENT-ARGS...: no allocation, uclient fails.
refused() {
	local desc=$1 before after
	shift
	before=$(grep -c 'allocation created' "$tmp/coned.log")
	timeout 60 ip netns exec $ns-cli turnutils_uclient "$@" $SERVER > "$tmp/out" 2>&1
	local rc=$?
	after=$(grep -c 'allocation created' "$tmp/coned.log")
	if [ "$rc" != 0 ] && [ "$before" = "$after" ] &&
	   grep -q 'Cannot complete Allocation' "$tmp/out"; then
		result ok "$desc"
	else
		echo "# exit $rc, allocations before $before after $after"
		tail -3 "$tmp/out" | sed 's/^/# /'
		result fail "$desc"
	fi
}

common=(-u alice -w secret -n 50 -m 2 -l 200)
relayed "udp, channels" "${common[@]}" -e $PEER
relayed "udp, send indications" "${common[@]}" -s -e $PEER
relayed "tcp, channels" "${common[@]}" -t -e $PEER
relayed "tcp, send indications" "${common[@]}" -t -s -e $PEER
relayed "udp, client to client" "${common[@]}" -y
relayed "tcp, client to client, 1000 bytes" -u alice -w secret -n 50 -m 2 -l 1000 -t -y
relayed "udp, DONT-FRAGMENT, no RTCP" "${common[@]}" -g -c -e $PEER
relayed "udp, REST credentials" -W $SECRET -u alice -n 50 -m 2 -l 200 -e $PEER
refused "wrong password refused" -u alice -w wrong -n 5 -m 1 -e $PEER
user="1000:alice"
pass=$(printf %s "$user" | openssl dgst -sha1 -hmac $SECRET -binary | base64)
refused "expired REST credential refused" -u "$user" -w "$pass" -n 5 -m 1 -e $PEER
user="$(( $(date +%s) + 600 )):alice"
pass=$(printf %s "$user" | openssl dgst -sha1 -hmac $SECRET -binary | base64)
relayed "unexpired REST credential (control)" -u "$user" -w "$pass" -n 20 -m 1 -e $PEER
# A real ICE agent (aioice, Debian's python3-aioice): two agents with
# relay-only candidates connect relay to relay and exchange data.
if out=$(timeout 60 ip netns exec $ns-cli /usr/bin/python3 \
	"$(dirname "$0")/turn_ice.py" $SERVER alice secret 2>&1); then
	result ok "aioice: relay-to-relay pair, data both ways ($(sed -n 's/^# selected pair: //p' <<< "$out"))"
else
	sed 's/^/# /' <<< "$out" | tail -5
	result fail "aioice: relay-to-relay pair, data both ways"
fi
# And libnice (force-relay), through the C harness turn_nice.
if out=$(timeout 60 ip netns exec $ns-cli "$(dirname "$0")/turn_nice" \
	$SERVER alice secret 2>&1); then
	result ok "libnice: relay-to-relay pair, data both ways"
else
	sed 's/^/# /' <<< "$out" | tail -5
	tail -4 "$tmp/coned.log" | sed 's/^/# /'
	result fail "libnice: relay-to-relay pair, data both ways"
fi
# One log line per allocation created and ended, none per packet; those
# still live end when coned stops.
kill "$(head -1 "$tmp/pids")"
wait "$(head -1 "$tmp/pids")" 2> /dev/null
created=$(grep -c 'allocation created' "$tmp/coned.log")
ended=$(grep -c 'allocation ended' "$tmp/coned.log")
lines=$(wc -l < "$tmp/coned.log")
if [ "$created" -gt 0 ] && [ "$created" = "$ended" ] &&
   [ "$lines" -le $((created + ended + 3)) ]; then
	result ok "log: $created allocations created and ended, $lines lines"
else
	echo "# created $created ended $ended lines $lines"
	result fail "log: one line per allocation created and ended"
fi
[ "$failed" = 0 ] && echo "# PASSED" || echo "# FAILED"
exit $failed
