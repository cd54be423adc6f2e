// SPDX-License-Identifier: GPL-2.0
/*
 * STUN over TCP: messages framed by their own length field (RFC 8489
 * section 6.2.2), answered on the connection they came on.
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "coned.h"

static void conn_close(struct coned *srv, struct tcp_conn *c)
{
	struct tcp_conn **p;

	for (p = &srv->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	/* close() removes it from the epoll set. */
	close(c->watch.fd);
	srv->n_conns--;
	free(c);
}

/* Dispatch every complete message in the buffer; false: close it. */
static bool conn_drain(struct coned *srv, struct tcp_conn *c)
{
	struct coned_request req;
	struct stun_msg msg;
	long frame;

	while (c->len) {
		frame = stun_frame_len(c->buf, c->len);
		if (frame < 0 || frame > CONED_TCP_BUF) {
			coned_debug(srv, "tcp %s: not STUN or too long, closed",
				    coned_addr_str(&c->peer));
			return false;
		}
		if (!frame || (size_t)frame > c->len)
			return true;
		if (stun_parse(&msg, c->buf, frame, true)) {
			coned_debug(srv, "tcp %s: malformed message, closed",
				    coned_addr_str(&c->peer));
			return false;
		}
		memset(&req, 0, sizeof(req));
		req.srv = srv;
		req.ep = c->ep;
		req.conn = c;
		req.peer = c->peer;
		req.msg = &msg;
		coned_dispatch(&req);
		if (c->dead)
			return false;
		c->len -= frame;
		memmove(c->buf, c->buf + frame, c->len);
	}
	return true;
}

static void conn_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct tcp_conn *c = (struct tcp_conn *)w;
	ssize_t n;

	n = recv(w->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (c->len += n, !conn_drain(srv, c))) {
		conn_close(srv, c);
		return;
	}
	c->last_active = coned_now();
}

void coned_tcp_accept(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct coned_endpoint *ep = (struct coned_endpoint *)
		((char *)w - offsetof(struct coned_endpoint, tcp));
	struct sockaddr_storage peer;
	socklen_t alen = sizeof(peer);
	struct tcp_conn *c;
	int fd;

	fd = accept4(w->fd, (struct sockaddr *)&peer, &alen,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (srv->n_conns >= CONED_MAX_TCP_CONNS) {
		coned_log("tcp %s: %u connections, refusing %s",
			  coned_addr_str(&ep->local), srv->n_conns,
			  coned_addr_str(&peer));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->watch.fd = fd;
	c->watch.ready = conn_ready;
	c->ep = ep;
	c->peer = peer;
	c->last_active = coned_now();
	if (coned_watch_add(srv, &c->watch)) {
		close(fd);
		free(c);
		return;
	}
	c->next = srv->conns;
	srv->conns = c;
	srv->n_conns++;
}

void coned_tcp_expire(struct coned *srv, uint64_t now)
{
	struct tcp_conn *c = srv->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (now - c->last_active >= CONED_TCP_IDLE_SEC)
			conn_close(srv, c);
	}
}

void coned_tcp_close_all(struct coned *srv)
{
	while (srv->conns)
		conn_close(srv, srv->conns);
}
