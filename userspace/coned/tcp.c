// SPDX-License-Identifier: GPL-2.0
/*
 * STUN over TCP: messages framed by their own length field (RFC 8489
 * section 6.2.2), answered on the connection they came on.
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <fcntl.h>
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
	turn_conn_closed(srv, c);
	coned_tls_free(c->ssl);
	/* close() removes it from the epoll set. */
	close(c->watch.fd);
	srv->n_conns--;
	free(c->buf);
	free(c->out);
	free(c);
}

/* Dispatch every complete message in the buffer; false: close it. */
static bool conn_drain(struct coned *srv, struct tcp_conn *c)
{
	struct coned_request req;
	struct stun_msg msg;
	long frame;

	while (c->len) {
		frame = srv->turn ? turn_frame_len(c->buf, c->len) :
				    stun_frame_len(c->buf, c->len);
		if (frame < 0 || (size_t)frame > c->cap) {
			coned_debug(srv, "tcp %s: not STUN or too long, closed",
				    coned_addr_str(&c->peer));
			return false;
		}
		if (!frame || (size_t)frame > c->len)
			return true;
		if (srv->turn && turn_is_channel_data(c->buf, frame)) {
			turn_channel_data(srv, c->ep, c, &c->peer, c->buf,
					  frame);
		} else if (stun_parse(&msg, c->buf, frame, true)) {
			coned_debug(srv, "tcp %s: malformed message, closed",
				    coned_addr_str(&c->peer));
			return false;
		} else {
			memset(&req, 0, sizeof(req));
			req.srv = srv;
			req.ep = c->ep;
			req.conn = c;
			req.peer = c->peer;
			req.msg = &msg;
			coned_dispatch(&req);
		}
		/* What was relayed points into the buffer: send it now. */
		if (srv->turn)
			turn_tx_flush(srv);
		if (c->dead)
			return false;
		c->len -= frame;
		memmove(c->buf, c->buf + frame, c->len);
		c->partial_since = 0;
	}
	return true;
}

static ssize_t conn_send(struct tcp_conn *c, const void *buf, size_t len)
{
	if (c->ssl)
		return coned_tls_write(c->ssl, buf, len);
	return send(c->watch.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static ssize_t conn_recv(struct tcp_conn *c, void *buf, size_t len)
{
	if (c->ssl)
		return coned_tls_read(c->ssl, buf, len);
	return recv(c->watch.fd, buf, len, 0);
}

static void watch_out(struct coned *srv, struct tcp_conn *c, bool out)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (out ? EPOLLOUT : 0),
		.data.ptr = &c->watch,
	};

	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->watch.fd, &ev);
}

/* Send what waits; false if the connection broke. */
static bool flush_out(struct coned *srv, struct tcp_conn *c)
{
	ssize_t n;

	if (!c->out_len)
		return true;
	n = conn_send(c, c->out, c->out_len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	c->out_len -= n;
	memmove(c->out, c->out + n, c->out_len);
	if (!c->out_len)
		watch_out(srv, c, false);
	return true;
}

bool coned_tcp_write(struct coned *srv, struct tcp_conn *c,
		     const uint8_t *buf, size_t len)
{
	ssize_t n = 0;

	if (c->dead)
		return false;
	if (!c->out_len) {
		n = conn_send(c, buf, len);
		if (n == (ssize_t)len)
			return true;
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			c->dead = true;
			return false;
		}
		if (n < 0)
			n = 0;
	} else if (c->out_len + len > CONED_TCP_OUT) {
		return false;	/* whole frames only: drop this one */
	}
	if (!c->out) {
		c->out = malloc(CONED_TCP_OUT);
		if (!c->out) {
			c->dead = true;
			return false;
		}
	}
	memcpy(c->out + c->out_len, buf + n, len - n);
	if (!c->out_len)
		watch_out(srv, c, true);
	c->out_len += len - n;
	return true;
}

static void conn_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	struct tcp_conn *c = (struct tcp_conn *)w;
	ssize_t n;

	if ((ev & EPOLLOUT) && !flush_out(srv, c)) {
		conn_close(srv, c);
		return;
	}
	if (c->dead) {
		conn_close(srv, c);
		return;
	}
	if (c->ssl && !c->tls_ready) {
		bool want_write = false;
		int rc = coned_tls_handshake(c->ssl, &want_write);

		if (rc < 0) {
			coned_debug(srv, "tls %s: handshake failed",
				    coned_addr_str(&c->peer));
			conn_close(srv, c);
			return;
		}
		watch_out(srv, c, want_write || c->out_len);
		if (!rc)
			return;
		c->tls_ready = true;
	}
	if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !c->ssl)
		return;
	/* Until the socket is dry: TLS may hold decrypted records. */
	for (;;) {
		if (c->len == c->cap) {
			conn_close(srv, c);
			return;
		}
		n = conn_recv(c, c->buf + c->len, c->cap - c->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0 || (c->len += n, !conn_drain(srv, c))) {
			conn_close(srv, c);
			return;
		}
		c->last_active = coned_now();
		/* The deadline runs from the last whole message. */
		if (c->len && !c->partial_since)
			c->partial_since = c->last_active;
	}
}

/* This worker's connections from peer's address. */
static unsigned int from_source(const struct coned *srv,
				const struct sockaddr_storage *peer)
{
	const struct tcp_conn *c;
	unsigned int n = 0;

	for (c = srv->conns; c; c = c->next)
		n += ss_same_addr(&c->peer, peer);
	return n;
}

static void accept_conn(struct coned *srv, struct coned_watch *w,
			struct coned_endpoint *ep, bool tls)
{
	struct sockaddr_storage peer;
	socklen_t alen = sizeof(peer);
	struct tcp_conn *c;
	int fd;

	fd = accept4(w->fd, (struct sockaddr *)&peer, &alen,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		/*
		 * Out of descriptors: the connection would stay queued and
		 * the listener readable, spinning the loop.  Give back the
		 * reserve, accept and close it, take the reserve again.
		 */
		if (srv->reserve_fd >= 0)
			close(srv->reserve_fd);
		fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		coned_log("tcp %s: out of file descriptors, connection refused",
			  coned_addr_str(&ep->local));
		return;
	}
	if (fd < 0)
		return;
	if (from_source(srv, &peer) >= CONED_TCP_PER_SOURCE) {
		coned_debug(srv, "tcp %s: %d connections from %s, refused",
			    coned_addr_str(&ep->local), CONED_TCP_PER_SOURCE,
			    coned_addr_str(&peer));
		close(fd);
		return;
	}
	if (srv->n_conns >= CONED_MAX_TCP_CONNS) {
		coned_log("tcp %s: %u connections, refusing %s",
			  coned_addr_str(&ep->local), srv->n_conns,
			  coned_addr_str(&peer));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->cap = srv->turn ? CONED_TURN_TCP_BUF : CONED_TCP_BUF;
		c->buf = malloc(c->cap);
	}
	if (!c || !c->buf) {
		free(c);
		close(fd);
		return;
	}
	c->watch.fd = fd;
	c->watch.ready = conn_ready;
	if (tls && !(c->ssl = coned_tls_new(fd))) {
		close(fd);
		free(c->buf);
		free(c);
		return;
	}
	c->ep = ep;
	c->peer = peer;
	c->last_active = coned_now();
	if (coned_watch_add(srv, &c->watch)) {
		coned_tls_free(c->ssl);
		close(fd);
		free(c->buf);
		free(c);
		return;
	}
	c->next = srv->conns;
	srv->conns = c;
	srv->n_conns++;
}

void coned_tcp_accept(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	accept_conn(srv, w, (struct coned_endpoint *)
		    ((char *)w - offsetof(struct coned_endpoint, tcp)), false);
}

void coned_tls_accept(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	accept_conn(srv, w, (struct coned_endpoint *)
		    ((char *)w - offsetof(struct coned_endpoint, tls)), true);
}

void coned_tcp_expire(struct coned *srv, uint64_t now)
{
	struct tcp_conn *c = srv->conns, *next;

	for (; c; c = next) {
		next = c->next;
		/* A message begun must arrive whole in time (slowloris). */
		if (c->partial_since &&
		    now - c->partial_since >= CONED_TCP_MSG_SEC) {
			coned_debug(srv, "tcp %s: message not whole in %d s, closed",
				    coned_addr_str(&c->peer), CONED_TCP_MSG_SEC);
			conn_close(srv, c);
			continue;
		}
		/* An allocation's lifetime, not idleness, ends its connection. */
		if (!c->alloc && now - c->last_active >= CONED_TCP_IDLE_SEC)
			conn_close(srv, c);
	}
}

void coned_tcp_close_all(struct coned *srv)
{
	while (srv->conns)
		conn_close(srv, srv->conns);
}
