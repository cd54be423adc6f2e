#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Two aioice agents (a real ICE implementation, RFC 8445) with relay-only
candidates on one TURN server: they must connect relay to relay and
exchange data.  turn_ice.py SERVER USER PASSWORD; exit 0 on success."""
import asyncio
import sys

import aioice


async def main(server, user, password):
    agents = [aioice.Connection(ice_controlling=c, components=1,
                                turn_server=(server, 3478),
                                turn_username=user, turn_password=password,
                                use_ipv6=False,
                                transport_policy=aioice.TransportPolicy.RELAY)
              for c in (True, False)]
    for a in agents:
        await a.gather_candidates()
        kinds = {c.type for c in a.local_candidates}
        if kinds != {"relay"}:
            print(f"local candidates {kinds}, expected relay only")
            return 1
    for a, b in ((agents[0], agents[1]), (agents[1], agents[0])):
        for c in b.local_candidates:
            await a.add_remote_candidate(c)
        await a.add_remote_candidate(None)
        a.remote_username = b.local_username
        a.remote_password = b.local_password
    await asyncio.wait_for(asyncio.gather(*(a.connect() for a in agents)), 20)
    for a, b, msg in ((agents[0], agents[1], b"ping via coned"),
                      (agents[1], agents[0], b"pong via coned")):
        await a.send(msg)
        got = await asyncio.wait_for(b.recv(), 5)
        if got != msg:
            print(f"received {got!r}, expected {msg!r}")
            return 1
    pair = agents[0]._nominated.get(1)
    print(f"# selected pair: {pair.local_candidate.type} -> "
          f"{pair.remote_candidate.type}" if pair else "# no nominated pair")
    for a in agents:
        await a.close()
    return 0


sys.exit(asyncio.run(main(*sys.argv[1:4])))
