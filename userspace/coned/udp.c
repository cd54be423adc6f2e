// SPDX-License-Identifier: GPL-2.0
/* Datagrams on one of coned's UDP sockets. */
#include <errno.h>
#include <string.h>

#include "coned.h"

/* Datagrams read per wakeup, so one busy socket cannot starve the rest. */
#define UDP_BATCH	64

void coned_udp_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct coned_endpoint *ep = (struct coned_endpoint *)
		((char *)w - offsetof(struct coned_endpoint, udp));
	static __thread uint8_t buf[STUN_MAX_MESSAGE];
	struct coned_request req;
	struct stun_msg msg;
	unsigned int i;
	socklen_t alen;
	ssize_t n;
	int err;

	for (i = 0; i < UDP_BATCH; i++) {
		memset(&req, 0, sizeof(req));
		alen = sizeof(req.peer);
		n = recvfrom(w->fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&req.peer, &alen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				coned_log("udp %s: %s", coned_addr_str(&ep->local),
					  strerror(errno));
			return;
		}
		/* ChannelData by its first byte, before any STUN parsing. */
		if (srv->turn && turn_is_channel_data(buf, n)) {
			turn_channel_data(srv, ep, NULL, &req.peer, buf, n);
			continue;
		}
		err = stun_parse(&msg, buf, n, true);
		if (err) {
			coned_debug(srv, "udp %s <- %s: %zd bytes dropped (%s)",
				    coned_addr_str(&ep->local),
				    coned_addr_str(&req.peer), n,
				    err == -EBADMSG ? "bad FINGERPRINT" :
				    "not a STUN message");
			continue;
		}
		req.srv = srv;
		req.ep = ep;
		req.msg = &msg;
		coned_dispatch(&req);
	}
}
