// SPDX-License-Identifier: GPL-2.0
/* Binding coned's sockets: each address and port, UDP and TCP. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include "coned.h"

int coned_watch_add(struct coned *srv, struct coned_watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

/* Why bind() failed, in words an operator acts on. */
static const char *bind_error(int err)
{
	switch (err) {
	case EADDRNOTAVAIL:
		return "address not local (no interface has it)";
	case EADDRINUSE:
		return "port already in use";
	case EACCES:
		return "permission denied";
	default:
		return strerror(err);
	}
}

static int open_socket(const struct sockaddr_storage *addr, int type,
		       bool reuseport)
{
	const char *proto = type == SOCK_STREAM ? "tcp" : "udp";
	int fd, one = 1, err;

	fd = socket(addr->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		coned_log("cannot open a %s socket: %s", proto, strerror(errno));
		return -1;
	}
	/* A restart must not wait for the old connections' TIME_WAIT. */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* One socket per worker: the kernel spreads clients by 5-tuple. */
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, ss_len(addr)) ||
	    (type == SOCK_STREAM && listen(fd, 128))) {
		err = errno;
		coned_log("cannot bind %s/%s: %s", coned_addr_str(addr), proto,
			  bind_error(err));
		close(fd);
		return -1;
	}
	return fd;
}

static int open_endpoint(struct coned *srv, struct coned_endpoint *ep)
{
	bool reuseport = srv->cfg.workers > 1;

	ep->udp.fd = open_socket(&ep->local, SOCK_DGRAM, reuseport);
	if (ep->udp.fd < 0)
		return -1;
	coned_gro_enable(ep->udp.fd);
	ep->tcp.fd = open_socket(&ep->local, SOCK_STREAM, reuseport);
	if (ep->tcp.fd < 0) {
		close(ep->udp.fd);
		return -1;
	}
	ep->udp.ready = coned_udp_ready;
	ep->tcp.ready = coned_tcp_accept;
	ep->open = true;
	if (coned_watch_add(srv, &ep->udp) || coned_watch_add(srv, &ep->tcp)) {
		coned_log("epoll: %s", strerror(errno));
		return -1;
	}
	/* TLS on the primary address only, on --tls-port. */
	if (srv->cfg.tls_port && !ep->addr_idx && !ep->port_idx) {
		struct sockaddr_storage tls = ep->local;

		ss_set_port(&tls, srv->cfg.tls_port);
		ep->tls.fd = open_socket(&tls, SOCK_STREAM, reuseport);
		if (ep->tls.fd < 0)
			return -1;
		ep->tls.ready = coned_tls_accept;
		if (coned_watch_add(srv, &ep->tls)) {
			coned_log("epoll: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int coned_open_sockets(struct coned *srv)
{
	const struct coned_config *cfg = &srv->cfg;
	unsigned int n = cfg->has_alt ? 2 : 1, a, p;

	for (a = 0; a < n; a++) {
		for (p = 0; p < n; p++) {
			struct coned_endpoint *ep = &srv->ep[a][p];

			ep->addr_idx = a;
			ep->port_idx = p;
			ep->local = cfg->addr[a];
			ss_set_port(&ep->local, cfg->port[p]);
			ep->advertised = cfg->has_advertise[a] ?
					 cfg->advertise[a] : cfg->addr[a];
			ss_set_port(&ep->advertised, cfg->port[p]);
			if (open_endpoint(srv, ep))
				return 1;
		}
	}
	return 0;
}

/*
 * With several workers the sockets share their ports (SO_REUSEPORT), and
 * so could another coned's: bind each once without it first, so a port
 * that something else holds is refused as with one worker.
 */
int coned_check_ports(const struct coned_config *cfg)
{
	unsigned int n = cfg->has_alt ? 2 : 1, a, p, t;
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_storage local;
	int fd;

	for (a = 0; a < n; a++) {
		for (p = 0; p < n; p++) {
			local = cfg->addr[a];
			ss_set_port(&local, cfg->port[p]);
			for (t = 0; t < 2; t++) {
				fd = open_socket(&local, types[t], false);
				if (fd < 0)
					return 1;
				close(fd);
			}
		}
	}
	return 0;
}

void coned_close_sockets(struct coned *srv)
{
	unsigned int a, p;

	for (a = 0; a < 2; a++) {
		for (p = 0; p < 2; p++) {
			struct coned_endpoint *ep = &srv->ep[a][p];

			if (!ep->open)
				continue;
			close(ep->udp.fd);
			close(ep->tcp.fd);
			if (ep->tls.ready)
				close(ep->tls.fd);
			ep->tls.ready = NULL;
			ep->open = false;
		}
	}
}
