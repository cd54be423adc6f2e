// SPDX-License-Identifier: GPL-2.0
/*
 * --metrics ADDR:PORT: Prometheus text exposition (format 0.0.4) over a
 * minimal HTTP/1.0, served by the main thread, summing the workers'
 * counters (relaxed atomic reads).  Debian packages no C client library
 * for Prometheus, so the text is written here; it is a few lines.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "coned.h"

#define OUT_CAP	(64 * 1024)

struct out {
	char *buf;
	size_t len;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= OUT_CAP)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, OUT_CAP - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < OUT_CAP - o->len ? (size_t)n :
			  OUT_CAP - o->len;
}

#define SUM(field) ({ \
	uint64_t _s = 0; \
	unsigned int _i; \
	for (_i = 0; _i < n; _i++) \
		if (w[_i].turn) \
			_s += STAT_GET(w[_i].turn->stats.field); \
	_s; })

static void metric(struct out *o, const char *name, const char *type,
		   const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render(struct out *o, struct coned *w, unsigned int n)
{
	unsigned int i;

	metric(o, "coned_turn_allocations", "gauge", "Live TURN allocations.");
	put(o, "coned_turn_allocations %llu\n",
	    (unsigned long long)SUM(allocations));
	metric(o, "coned_turn_permissions", "gauge", "Live permissions.");
	put(o, "coned_turn_permissions %llu\n",
	    (unsigned long long)SUM(permissions));
	metric(o, "coned_turn_channels", "gauge", "Live channel bindings.");
	put(o, "coned_turn_channels %llu\n", (unsigned long long)SUM(channels));
	metric(o, "coned_turn_allocations_total", "counter",
	       "Allocations created.");
	put(o, "coned_turn_allocations_total %llu\n",
	    (unsigned long long)SUM(allocations_total));
	metric(o, "coned_turn_packets_total", "counter",
	       "Datagrams relayed, by direction.");
	put(o, "coned_turn_packets_total{direction=\"to_peer\"} %llu\n",
	    (unsigned long long)SUM(to_peer.packets));
	put(o, "coned_turn_packets_total{direction=\"to_client\"} %llu\n",
	    (unsigned long long)SUM(to_client.packets));
	metric(o, "coned_turn_bytes_total", "counter",
	       "Payload bytes relayed, by direction.");
	put(o, "coned_turn_bytes_total{direction=\"to_peer\"} %llu\n",
	    (unsigned long long)SUM(to_peer.bytes));
	put(o, "coned_turn_bytes_total{direction=\"to_client\"} %llu\n",
	    (unsigned long long)SUM(to_client.bytes));
	metric(o, "coned_turn_auth_failures_total", "counter",
	       "Requests refused 401 for unknown users, expired REST credentials or a wrong MESSAGE-INTEGRITY.");
	put(o, "coned_turn_auth_failures_total %llu\n",
	    (unsigned long long)SUM(auth_failures));
	metric(o, "coned_turn_stale_nonces_total", "counter",
	       "Requests answered 438.");
	put(o, "coned_turn_stale_nonces_total %llu\n",
	    (unsigned long long)SUM(stale_nonces));
	metric(o, "coned_turn_refusals_total", "counter",
	       "Requests refused, by reason.");
	put(o, "coned_turn_refusals_total{reason=\"peer\"} %llu\n",
	    (unsigned long long)SUM(refused_peer));
	put(o, "coned_turn_refusals_total{reason=\"quota\"} %llu\n",
	    (unsigned long long)SUM(refused_quota));
	put(o, "coned_turn_refusals_total{reason=\"capacity\"} %llu\n",
	    (unsigned long long)SUM(refused_capacity));
	metric(o, "coned_turn_dropped_total", "counter",
	       "Datagrams not relayed, by reason.");
	put(o, "coned_turn_dropped_total{reason=\"no_permission\"} %llu\n",
	    (unsigned long long)SUM(dropped_no_permission));
	put(o, "coned_turn_dropped_total{reason=\"bandwidth\"} %llu\n",
	    (unsigned long long)SUM(dropped_bandwidth));
	put(o, "coned_turn_dropped_total{reason=\"relay_port\"} %llu\n",
	    (unsigned long long)SUM(dropped_relay_port));
	put(o, "coned_turn_dropped_total{reason=\"send_error\"} %llu\n",
	    (unsigned long long)SUM(send_errors));
	metric(o, "coned_turn_coalesced_total", "counter",
	       "Coalesced (UDP_GRO) datagrams from peers, each relayed as the datagrams it holds.");
	put(o, "coned_turn_coalesced_total %llu\n",
	    (unsigned long long)SUM(coalesced));
	metric(o, "coned_turn_client_coalesced_total", "counter",
	       "Coalesced (UDP_GRO) datagrams from clients, each taken as the datagrams it holds.");
	put(o, "coned_turn_client_coalesced_total %llu\n",
	    (unsigned long long)SUM(coalesced_clients));
	metric(o, "coned_worker_allocations", "gauge",
	       "Live allocations per worker thread.");
	for (i = 0; i < n; i++)
		put(o, "coned_worker_allocations{worker=\"%u\"} %llu\n", i,
		    w[i].turn ? (unsigned long long)
		    STAT_GET(w[i].turn->stats.allocations) : 0ULL);
	metric(o, "coned_worker_packets_total", "counter",
	       "Datagrams relayed per worker thread, both directions.");
	for (i = 0; i < n; i++)
		put(o, "coned_worker_packets_total{worker=\"%u\"} %llu\n", i,
		    w[i].turn ? (unsigned long long)
		    (STAT_GET(w[i].turn->stats.to_peer.packets) +
		     STAT_GET(w[i].turn->stats.to_client.packets)) : 0ULL);
}

int coned_metrics_open(const struct sockaddr_storage *addr)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, ss_len(addr)) ||
	    listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

void coned_metrics_serve(int listen_fd, struct coned *w, unsigned int n)
{
	static const char head[] =
		"HTTP/1.0 200 OK\r\n"
		"Content-Type: text/plain; version=0.0.4\r\n"
		"Connection: close\r\n\r\n";
	struct pollfd pfd;
	struct out o;
	char req[1024];
	int fd;

	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		return;
	/* The request line, within a second; its content does not matter. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 1000) != 1 || recv(fd, req, sizeof(req), 0) <= 0) {
		close(fd);
		return;
	}
	o.buf = malloc(OUT_CAP);
	o.len = 0;
	if (o.buf) {
		put(&o, "%s", head);
		render(&o, w, n);
		send(fd, o.buf, o.len, MSG_NOSIGNAL);
		free(o.buf);
	}
	close(fd);
}
