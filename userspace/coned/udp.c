// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams on one of coned's UDP sockets, up to a batch per wakeup with
 * recvmmsg(), so one busy socket cannot starve the rest; a client's
 * burst coalesced by UDP_GRO is cut back into its datagrams (gro.c).
 * ChannelData is told by its first byte and relayed before any STUN
 * parsing; relayed datagrams queue for sendmmsg() and leave before the
 * next STUN request is handled and at the end of the batch.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "coned.h"

static void one_datagram(struct coned *srv, struct coned_endpoint *ep,
			 const struct sockaddr_storage *from,
			 const uint8_t *buf, size_t n)
{
	struct coned_request req;
	struct stun_msg msg;
	int err;

	if (srv->turn && turn_is_channel_data(buf, n)) {
		turn_channel_data(srv, ep, NULL, from, buf, n);
		return;
	}
	err = stun_parse(&msg, buf, n, true);
	if (err) {
		coned_debug(srv, "udp %s <- %s: %zu bytes dropped (%s)",
			    coned_addr_str(&ep->local), coned_addr_str(from), n,
			    err == -EBADMSG ? "bad FINGERPRINT" :
			    "not a STUN message");
		return;
	}
	/* A request may end an allocation with datagrams queued. */
	if (srv->turn && stun_class(msg.type) == STUN_REQUEST)
		turn_tx_flush(srv);
	memset(&req, 0, sizeof(req));
	req.srv = srv;
	req.ep = ep;
	req.peer = *from;
	req.msg = &msg;
	coned_dispatch(&req);
}

/* A coalesced datagram (UDP_GRO): each of its datagrams, in place. */
static void segments(struct coned *srv, struct coned_endpoint *ep,
		     const struct coned_dgram *d)
{
	size_t off, seg;

	if (srv->turn)
		STAT_ADD(srv->turn->stats.coalesced_clients, 1);
	for (off = 0; off < d->len; off += seg) {
		seg = coned_dgram_next(d, off);
		one_datagram(srv, ep, d->from, d->data + off, seg);
	}
}

void coned_udp_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct coned_endpoint *ep = container_of(w, struct coned_endpoint, udp);
	struct coned_dgram d;
	int i, n;

	n = coned_rx_recv(srv->rx, w->fd);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			coned_log("udp %s: %s", coned_addr_str(&ep->local),
				  strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		coned_rx_get(srv->rx, i, &d);
		if (d.too_long)
			coned_debug(srv, "udp %s <- %s: over %d bytes, dropped",
				    coned_addr_str(&ep->local),
				    coned_addr_str(d.from), CONED_MAX_DATAGRAM);
		else if (d.segment)
			segments(srv, ep, &d);
		else
			one_datagram(srv, ep, d.from, d.data, d.len);
	}
	if (srv->turn)
		turn_tx_flush(srv);
}
