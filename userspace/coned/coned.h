/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each worker thread has a struct coned of its own (its own epoll, sockets
 * bound with SO_REUSEPORT, connections and allocations); they share only
 * the configuration (read-only) and struct turn_shared.
 *
 * coned: a STUN server (RFC 8489) with NAT behaviour discovery (RFC 5780)
 * on epoll, UDP and TCP.  Each socket carries its own context (which of
 * the two addresses and two ports it is); requests go through a table of
 * handlers by STUN method, so TURN's methods can be added beside Binding.
 */
#ifndef CONED_H
#define CONED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sockaddr.h"
#include "stun.h"

/* Indexes of ep[][]: the primary and the alternate address and port. */
enum { PRIMARY, ALTERNATE };

#define CONED_MAX_TCP_CONNS	1024	/* per worker */
#define CONED_MAX_WORKERS	64
#define CONED_TCP_IDLE_SEC	30
/* Connections from one source address, per worker. */
#define CONED_TCP_PER_SOURCE	16
/* --rate-limit's table of per-source buckets, per worker. */
#define CONED_RATE_BUCKETS	4096
#define CONED_RATE_DEFAULT	100	/* answers a second per source */
/* A message begun must be whole within this (slowloris). */
#define CONED_TCP_MSG_SEC	10
/*
 * The path MTU a padded Binding answer must fit (RFC 5780 7.6 PADDING):
 * Ethernet's, the common path, since the outgoing interface's would cost
 * a route lookup per request and still not be the path's.
 */
#define CONED_PATH_MTU		1500
/* A message over TCP longer than this closes the connection. */
#define CONED_TCP_BUF		4096

struct coned;

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* Something epoll watches: what to call when its fd is ready. */
struct coned_watch {
	int fd;
	void (*ready)(struct coned *srv, struct coned_watch *w, uint32_t events);
};

#include "turn.h"

/* One address and port the server answers on, UDP and TCP. */
struct coned_endpoint {
	struct coned_watch udp;
	struct coned_watch tcp;		/* the listener */
	struct coned_watch tls;		/* the TLS listener (primary only) */
	unsigned int addr_idx, port_idx;
	bool open;
	struct sockaddr_storage local;	 /* bound to */
	struct sockaddr_storage advertised; /* as clients see it (1:1 NAT) */
};

/* With TURN: ChannelData of a whole UDP payload, padded. */
#define CONED_TURN_TCP_BUF	(65535 + 8)
/* Bytes waiting to go out on one connection; more are dropped. */
#define CONED_TCP_OUT		(256 * 1024)

typedef struct ssl_st SSL;

struct tcp_conn {
	struct coned_watch watch;
	SSL *ssl;			/* TLS (--tls-port); NULL for TCP */
	bool tls_ready;			/* handshake done */
	struct coned_endpoint *ep;
	struct sockaddr_storage peer;
	uint8_t *buf;
	size_t len, cap;
	uint8_t *out;			/* what send() did not take yet */
	size_t out_len;
	uint64_t last_active;		/* monotonic seconds */
	uint64_t partial_since;		/* a message begun then; 0: none */
	bool dead;			/* a send failed: close it */
	struct turn_alloc *alloc;	/* the allocation made on it */
	struct tcp_conn *next;
};

struct coned_config {
	struct sockaddr_storage addr[2];	/* primary, alternate */
	struct sockaddr_storage advertise[2];
	uint16_t port[2];
	bool has_alt, has_advertise[2];
	const char *software;
	/* OTHER-ADDRESS on the alternate address as coturn 4.6.1 gives it. */
	bool coturn_other_address;
	bool verbose;
	bool mapped_address;	/* MAPPED-ADDRESS beside XOR-MAPPED-ADDRESS */
	unsigned int rate_limit;	/* per source and second; 0: none */
	bool rate_limit_set;
	unsigned int workers;		/* threads, each with its own sockets */
	uint16_t tls_port;		/* 0: no TLS */
	const char *cert, *key;
	struct sockaddr_storage metrics;	/* --metrics; family 0: none */
	struct turn_config turn;
};

struct coned_rate {
	double tokens;
	uint64_t at;			/* ms; 0: never used */
};

struct coned {
	struct coned_config cfg;
	struct coned_rate *rates;	/* CONED_RATE_BUCKETS, with a limit */
	struct coned_endpoint ep[2][2];		/* [address][port] */
	int epfd;
	bool stopping;
	struct tcp_conn *conns;
	unsigned int n_conns;
	struct coned_rx *rx;		/* every UDP socket's receive slots */
	struct turn_server *turn;	/* NULL without --turn */
	int reserve_fd;			/* given back when out of fds */
	struct coned_watch stop;	/* the shared stop eventfd */
	pthread_t thread;
	int rc;				/* the worker's exit code */
};

/* A request being answered: where it came from and how. */
struct coned_request {
	struct coned *srv;
	struct coned_endpoint *ep;	/* the socket it arrived on */
	struct tcp_conn *conn;		/* NULL for UDP */
	struct sockaddr_storage peer;
	const struct stun_msg *msg;
};

/* A method's handler: builds and sends its answer (or drops the request). */
typedef void (*coned_handler)(struct coned_request *req);

/* log.c */
void coned_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void coned_debug(const struct coned *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ss_str() into one of a few static buffers, for log lines. */
const char *coned_addr_str(const struct sockaddr_storage *ss);

/* sockets.c: bind everything the configuration names; 0 or exit code. */
int coned_open_sockets(struct coned *srv);
/* Is each listening port free for this coned? (0, or 1 said in the log) */
int coned_check_ports(const struct coned_config *cfg);
void coned_close_sockets(struct coned *srv);
int coned_watch_add(struct coned *srv, struct coned_watch *w);

/* gro.c: receive slots for a batch, cut back into their datagrams. */
#define CONED_RX_BATCH		64
/* Largest datagram taken (or segment of a coalesced one); more is dropped. */
#define CONED_MAX_DATAGRAM	9216
/* Room before each datagram for the longest Data indication header. */
#define CONED_RX_HEADROOM	(STUN_HEADER_LEN + 4 + 20 + 4)

struct coned_rx;

/* One datagram of a batch, or the datagrams it coalesces. */
struct coned_dgram {
	uint8_t *data;		/* CONED_RX_HEADROOM writable before it */
	size_t len;
	size_t segment;		/* each one's size, the last may be less; 0: one */
	bool too_long;		/* truncated, or over CONED_MAX_DATAGRAM */
	const struct sockaddr_storage *from;
};

struct coned_rx *coned_rx_new(void);
/* UDP_GRO on a UDP socket. */
void coned_gro_enable(int fd);
/* recvmmsg() a batch from fd: how many, or -1 (errno). */
int coned_rx_recv(struct coned_rx *rx, int fd);
void coned_rx_get(struct coned_rx *rx, int i, struct coned_dgram *d);
/* The length of d's datagram at offset off (off < d->len). */
size_t coned_dgram_next(const struct coned_dgram *d, size_t off);

/* udp.c */
void coned_udp_ready(struct coned *srv, struct coned_watch *w, uint32_t ev);

/* tcp.c */
void coned_tcp_accept(struct coned *srv, struct coned_watch *w, uint32_t ev);
void coned_tcp_expire(struct coned *srv, uint64_t now);
void coned_tcp_close_all(struct coned *srv);
/*
 * Queue buf on the connection: what the socket does not take now waits
 * for EPOLLOUT.  False (and nothing sent) if the queue is full.
 */
bool coned_tcp_write(struct coned *srv, struct tcp_conn *c,
		     const uint8_t *buf, size_t len);

/* dispatch.c: one message from a peer, by method and class. */
void coned_dispatch(struct coned_request *req);
/* Send a built response from endpoint `from` to `to` (TCP: the conn). */
void coned_send(struct coned_request *req, struct coned_endpoint *from,
		const struct sockaddr_storage *to, const uint8_t *buf,
		size_t len);
/* An error response with code and, for 420, the unknown attributes. */
void coned_send_error(struct coned_request *req, int code,
		      const uint16_t *unknown, unsigned int n_unknown);
/* SOFTWARE (if configured) and FINGERPRINT: the end of every response. */
void coned_finish_response(struct coned_request *req, struct stun_builder *b);
/* How many bytes coned_finish_response() adds. */
size_t coned_finish_len(const struct coned_request *req);

/* tls.c: one SSL_CTX, replaced whole by coned_tls_load() (SIGHUP). */
int coned_tls_load(const char *cert, const char *key);
SSL *coned_tls_new(int fd);
/* 1 done, 0 again later (*want_write: on EPOLLOUT), -1 failed. */
int coned_tls_handshake(SSL *ssl, bool *want_write);
/* As recv() and send(): EAGAIN while TLS wants the socket. */
ssize_t coned_tls_read(SSL *ssl, void *buf, size_t len);
ssize_t coned_tls_write(SSL *ssl, const void *buf, size_t len);
void coned_tls_free(SSL *ssl);
void coned_tls_accept(struct coned *srv, struct coned_watch *w, uint32_t ev);

/* metrics.c: --metrics, served by the main thread. */
int coned_metrics_open(const struct sockaddr_storage *addr);
void coned_metrics_serve(int listen_fd, struct coned *workers, unsigned int n);

/* binding.c */
void coned_binding(struct coned_request *req);

uint64_t coned_now(void);

/* ratelimit.c: may an unauthenticated request from src be answered? */
bool coned_rate_ok(struct coned *srv, const struct sockaddr_storage *src);

#endif /* CONED_H */
