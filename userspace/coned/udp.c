// SPDX-License-Identifier: GPL-2.0
/*
 * Datagrams on one of coned's UDP sockets, up to a batch per wakeup with
 * recvmmsg(), so one busy socket cannot starve the rest.  ChannelData is
 * told by its first byte and relayed before any STUN parsing; relayed
 * datagrams queue for sendmmsg() and leave before the next STUN request
 * is handled and at the end of the batch.
 */
#define _GNU_SOURCE	/* recvmmsg() */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "coned.h"

#define UDP_BATCH	TURN_RX_BATCH
/* A STUN request or ChannelData larger than this is dropped. */
#define UDP_SLOT	TURN_MAX_DATAGRAM

struct udp_pool {
	struct mmsghdr m[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_storage from[UDP_BATCH];
	uint8_t buf[UDP_BATCH][UDP_SLOT];
};

static __thread struct udp_pool rx;

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

void coned_udp_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct coned_endpoint *ep = (struct coned_endpoint *)
		((char *)w - offsetof(struct coned_endpoint, udp));
	int i, n;

	for (i = 0; i < UDP_BATCH; i++) {
		rx.iov[i].iov_base = rx.buf[i];
		rx.iov[i].iov_len = UDP_SLOT;
		memset(&rx.m[i].msg_hdr, 0, sizeof(rx.m[i].msg_hdr));
		rx.m[i].msg_hdr.msg_name = &rx.from[i];
		rx.m[i].msg_hdr.msg_namelen = sizeof(rx.from[i]);
		rx.m[i].msg_hdr.msg_iov = &rx.iov[i];
		rx.m[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(w->fd, rx.m, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			coned_log("udp %s: %s", coned_addr_str(&ep->local),
				  strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (rx.m[i].msg_hdr.msg_flags & MSG_TRUNC) {
			coned_debug(srv, "udp %s <- %s: over %d bytes, dropped",
				    coned_addr_str(&ep->local),
				    coned_addr_str(&rx.from[i]), UDP_SLOT);
			continue;
		}
		one_datagram(srv, ep, &rx.from[i], rx.buf[i], rx.m[i].msg_len);
	}
	if (srv->turn)
		turn_tx_flush(srv);
}
