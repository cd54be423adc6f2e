#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The seed, played with real packets through conenat (make demo):
# its packet flow, then its mapping table and its filtering table.

. "$(dirname "$0")/lib.sh"
require_root_and_module
. "$(dirname "$0")/topology.sh"
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
table() { in_gw conectl map show wan0 | sed 's/^/   NAT table: /'; }

show_ask() { # show_ask LOCAL REMOTE
	local seen
	seen=$(ask "$lan1" "$1" "$2") || seen="(no answer)"
	printf '   %s sends to %s -> %s sees it from %s\n' "$1" "$2" "$2" "$seen"
}

show_unsolicited() { # show_unsolicited SRC EXT LOCAL
	if reaches "$1" "$2" "$3"; then
		printf '   %s sends to %s -> delivered to %s\n' "$1" "$2" "$3"
	else
		printf '   %s sends to %s -> dropped by the NAT\n' "$1" "$2"
	fi
}

topology
cat <<EOT
Network: LAN host $L1 behind gateway $G (conenat on gw-wan);
remote hosts R1=$R1 and R2=$R2 run echo servers that answer with the
source address they see.
EOT

say "Packet flow (endpoint-independent mapping and filtering)"
nat eim eif
show_ask $L1:5000 $R1:3478
echo "   the reply came back to $L1:5000 through the mapping:"
table

port=6000
for m in eim adm apdm; do
	say "Mapping behaviour $m: one internal endpoint, three destinations"
	nat $m eif
	show_ask $L1:$port $R1:3478
	show_ask $L1:$port $R2:3478
	show_ask $L1:$port $R1:3479
	table
	port=$((port + 100))
done

for f in eif adf apdf; do
	say "Filtering behaviour $f: $L1:$port contacted $R1:3478; who may answer?"
	nat eim $f
	ext=$(ask "$lan1" $L1:$port $R1:3478)
	show_unsolicited $R1:3478 "$ext" $L1:$port
	show_unsolicited $R1:4000 "$ext" $L1:$port
	show_unsolicited $R2:4000 "$ext" $L1:$port
	table
	port=$((port + 100))
done
echo
in_gw conectl stats
