#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NAT tests' network, sourced after lib.sh:
#
#   lan1 10.0.1.2 ---- 10.0.1.1 [ gw ] 203.0.113.1 ---- wan 203.0.113.10 (R1)
#   lan2 10.0.2.2 ---- 10.0.2.1 [    ]                      203.0.113.11 (R2)
#                        conenat "wan0" on gw-wan       echo on R1:3478, R1:3479, R2:3478

PEER=$TOP/selftests/peer
[ -x "$PEER" ] || skip_all "peer not built (make -C selftests)"
G=203.0.113.1 R1=203.0.113.10 R2=203.0.113.11 L1=10.0.1.2 L2=10.0.2.2

tmp=$(mktemp -d)
cleanup() { cleanup_all_ns; rm -rf "$tmp"; }

veth() { # veth NS1 DEV1 ADDR1 NS2 DEV2 ADDR2
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

topology() {
	setup_ns gw lan1 lan2 wan || exit "$KSFT_FAIL"
	veth "$lan1" eth0 $L1/24 "$gw" gw-lan1 10.0.1.1/24
	veth "$lan2" eth0 $L2/24 "$gw" gw-lan2 10.0.2.1/24
	veth "$wan" eth0 $R1/24 "$gw" gw-wan $G/24
	ip -n "$wan" addr add $R2/24 dev eth0
	ip -n "$lan1" route add default via 10.0.1.1
	ip -n "$lan2" route add default via 10.0.2.1
	ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
	# Detached from stdout: a test's output capture must not wait for it.
	# TOPOLOGY_NO_ECHO=1 leaves R's ports to a test's own server (coned).
	[ -n "${TOPOLOGY_NO_ECHO:-}" ] && return
	ip netns exec "$wan" "$PEER" echo $R1:3478 $R1:3479 $R2:3478 > /dev/null 2>&1 &
	listening "$wan" udp 3479
}

in_gw() { ip netns exec "$gw" "$@"; }
# ask NS LOCAL REMOTE: the external endpoint the remote saw.
ask() { ip netns exec "$1" "$PEER" ask "$2" "$3" 3000; }

nat() { # nat MAPPING FILTERING [conectl options]
	local m=$1 f=$2
	shift 2
	in_gw conectl nat del wan0 > /dev/null 2>&1
	in_gw conectl nat add wan0 dev gw-wan mapping "$m" filtering "$f" "$@"
}

# Wait until a socket of NS listens on PORT: a loaded guest may start a
# listener later than the packets meant for it would arrive.
listening() { # listening NS udp|tcp PORT
	local flags=-Hlun
	[ "$2" = tcp ] && flags=-Hltn
	slowwait 5 bash -c "[ -n \"\$(ip netns exec $1 ss $flags 'sport = :$3')\" ]"
}

# broken WHAT: a check's own plumbing failed (a listener did not bind, a
# send failed), so "did not arrive" would prove nothing: the check fails,
# whatever it expected.  Only inside check (it exits check's subshell).
broken() { echo "test setup failed: $*"; exit 1; }

# A datagram listener on LOCAL in NS, in the background, printing
# "SOURCE TEXT" into FILE.  Its own timeout is long: heard bounds the
# wait from the last send instead, so a guest slow to start processes
# (the debug kernel under TCG) does not use up the window before the
# datagrams are even sent.
hear() { # hear NS LOCAL [FILE]
	ip netns exec "$1" "$PEER" listen "$2" 60000 > "${3:-$tmp/listen}" &
	listener=$!
	listening "$1" udp "${2##*:}"
}

# Did the listener of hear get a datagram within HEAR_MS of now (0), or
# not (1)?  Anything else is broken plumbing (2).  make check-debug sets
# HEAR_MS higher.
heard() {
	local i rc
	for ((i = 0; i < ${HEAR_MS:-2000} / 100; i++)); do
		kill -0 "$listener" 2> /dev/null || break
		sleep 0.1
	done
	# Still waiting: nothing came.
	kill "$listener" 2> /dev/null && { wait "$listener"; return 1; }
	wait "$listener"
	rc=$?
	[ "$rc" -le 1 ] && return "$rc"
	return 2
}

# Does an unsolicited datagram from SRC to EXT reach LAN endpoint LOCAL
# (of lan1, or of NS)?
reaches() { # reaches SRC EXT LOCAL [NS]
	local rc ns=${4:-$lan1}
	hear "$ns" "$3" || broken "no UDP listener on $3"
	ip netns exec "$wan" "$PEER" send "$1" "$2" unsolicited ||
		broken "send from $1 to $2"
	sleep 0.1
	ip netns exec "$wan" "$PEER" send "$1" "$2" unsolicited ||
		broken "send from $1 to $2"
	heard
	rc=$?
	[ "$rc" -le 1 ] || broken "the listener on $3 failed"
	[ "$(cut -d' ' -f1 "$tmp/listen")" = "$1" ]
}
