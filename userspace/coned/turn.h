/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by coned.h once struct coned_watch is defined.
 *
 * coned's TURN relay (RFC 8656): allocations with a relay socket each,
 * their permissions and channels, long-term and REST credentials, the
 * peer policy, and the timers that end them (a min-heap, no scans).
 */
#ifndef CONED_TURN_H
#define CONED_TURN_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/socket.h>

#include "stun.h"

struct coned;
struct coned_request;
struct coned_endpoint;
struct tcp_conn;

/* Defaults, in seconds (RFC 8656 sections 7.2, 9, 12). */
#define TURN_ALLOC_DEFAULT	600
#define TURN_ALLOC_MAX		3600
#define TURN_PERM_LIFETIME	300
#define TURN_CHANNEL_LIFETIME	600
/* An expired channel's number and peer stay its own this long (sec. 12). */
#define TURN_CHANNEL_HOLD	300
#define TURN_NONCE_LIFETIME	600
#define TURN_RESERVATION_SEC	30
#define TURN_PORT_LO		49152
#define TURN_PORT_HI		65535
#define TURN_MAX_CIDRS		64
#define TURN_MAX_RELAYS		4
#define TURN_ALLOC_BUCKETS	16384
#define TURN_HASH_BUCKETS	16384
#define TURN_KEY_LEN		STUN_LONG_TERM_KEY_LEN

/* A timer in the heap: fire(srv, t) at `when` (monotonic ms). */
struct coned_timer {
	uint64_t when;
	unsigned int idx;	/* in the heap; 0: not armed */
	void (*fire)(struct coned *srv, struct coned_timer *t);
};

struct timer_heap {
	struct coned_timer **v;	/* v[1..n] */
	unsigned int n, cap;
};

/* timer.c */
uint64_t coned_now_ms(void);
/* Arm (or re-arm) t to fire `ms` from now; -ENOMEM if the heap cannot grow. */
int timer_arm(struct timer_heap *h, struct coned_timer *t, uint64_t when);
void timer_cancel(struct timer_heap *h, struct coned_timer *t);
/* Fire every timer due at now; the ms until the next one (or -1). */
int timer_run(struct coned *srv, struct timer_heap *h, uint64_t now);

struct cidr {
	int family;
	uint8_t addr[16];
	unsigned int prefix;
};

struct turn_user {
	char *name;
	char *password;
};

struct turn_config {
	bool enabled;
	const char *realm;
	struct turn_user *users;	/* --user, then --users-file's */
	unsigned int n_users, n_cli_users;
	const char *users_file;
	const char *auth_secret;
	struct sockaddr_storage relay[TURN_MAX_RELAYS];
	unsigned int n_relays;
	uint16_t port_lo, port_hi;
	struct cidr allow[TURN_MAX_CIDRS], deny[TURN_MAX_CIDRS];
	unsigned int n_allow, n_deny;
	unsigned int user_quota, max_allocations;	/* 0: no limit */
	uint64_t bandwidth;				/* 0: no limit */
	unsigned int alloc_default, alloc_max, perm_lifetime,
		     channel_lifetime, channel_hold,
		     nonce_lifetime;			/* seconds */
};

struct turn_alloc;

struct turn_channel;

struct turn_perm {
	struct sockaddr_storage addr;	/* the peer's IP; port ignored */
	struct coned_timer timer;
	struct turn_alloc *alloc;
	struct turn_perm *next;		/* the allocation's */
	struct turn_perm *hnext;	/* by (allocation, IP) */
};

struct turn_channel {
	uint16_t number;
	struct sockaddr_storage peer;
	struct coned_timer timer;
	struct turn_alloc *alloc;
	struct turn_perm *perm;		/* its peer's; NULL once expired */
	/*
	 * Expired, its number and peer held for --channel-hold: in both
	 * hash tables, so ChannelBind sees the conflicts, but relaying
	 * nothing (perm stays NULL) until the same pair is bound again.
	 */
	bool held;
	struct turn_channel *next;	/* the allocation's */
	struct turn_channel *hnext_num;	/* by (5-tuple, number) */
	struct turn_channel *hnext_peer; /* by (allocation, peer) */
};

/* Relayed traffic, each way. */
struct turn_counters {
	uint64_t packets, bytes;
};

struct turn_alloc {
	struct coned_watch relay;	/* the relay socket; first */
	struct coned_endpoint *ep;	/* the listening socket, for UDP */
	struct tcp_conn *conn;		/* or the TCP connection */
	struct sockaddr_storage client;
	struct sockaddr_storage relayed;
	/*
	 * A dual allocation's IPv6 relay socket and address (RFC 8656
	 * ADDITIONAL-ADDRESS-FAMILY), family 0 without; or the family it
	 * asked for and could not have, and why (ADDRESS-ERROR-CODE).
	 */
	struct coned_watch relay6;
	struct sockaddr_storage relayed6;
	int missing_family, missing_code;
	char username[STUN_MAX_TEXT + 1];
	uint8_t key[TURN_KEY_LEN];
	uint8_t tid[STUN_TID_LEN];	/* of the Allocate that made it */
	uint8_t token[TURN_TOKEN_LEN];	/* of its reservation, if any */
	bool has_token, dont_fragment;
	uint32_t lifetime;		/* granted, for retransmissions */
	struct coned_timer timer;
	struct turn_perm *perms;
	struct turn_channel *channels;
	uint64_t created_ms;
	struct turn_counters to_peer, to_client;
	uint64_t dropped;
	double tokens;			/* --bandwidth's bucket, bytes */
	uint64_t tokens_at;		/* ms */
	struct turn_alloc *hnext;	/* in the 5-tuple hash */
};

/*
 * A port held for a later Allocate with the RESERVATION-TOKEN, which may
 * arrive at another worker: the list is shared (under the lock), the
 * timer is the reserving worker's, and a taking worker only marks it.
 */
struct turn_reservation {
	uint8_t token[TURN_TOKEN_LEN];
	int fd;
	bool taken;
	struct sockaddr_storage addr;
	struct coned_timer timer;
	struct turn_reservation *next;
};

struct turn_user_count {
	char *name;
	unsigned int n;
	struct turn_user_count *next;
};

/*
 * A worker's counters: written by it alone, read by the metrics thread;
 * relaxed atomic stores cost nothing on the writer's side.
 */
#define STAT_ADD(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define STAT_GET(field)	__atomic_load_n(&(field), __ATOMIC_RELAXED)

struct turn_stats {
	uint64_t allocations_total, auth_failures, stale_nonces;
	uint64_t refused_peer, refused_quota, refused_capacity;
	uint64_t send_errors, dropped_no_permission, dropped_bandwidth;
	uint64_t dropped_relay_port;
	uint64_t coalesced;		/* UDP_GRO datagrams from peers */
	uint64_t coalesced_clients;	/* and from clients */
	uint64_t allocations, permissions, channels;	/* live */
	struct turn_counters to_peer, to_client;
};

/*
 * What the workers share, none of it on the data path: the quotas'
 * counts and the reservations (under lock, on Allocate and at an
 * allocation's end), which relay ports are live (atomic bytes, read
 * only for datagrams towards our own relay addresses), the nonce key
 * (written once before the workers start).
 */
struct turn_shared {
	pthread_mutex_t lock;
	struct turn_user_count *counts;
	unsigned int n_allocs;
	struct turn_reservation *reservations;
	uint8_t *port_live[2];		/* [family][port] */
	uint8_t nonce_key[20];
	/*
	 * What SIGHUP reloads: users, the REST secret and the quotas
	 * (under the lock), the bandwidth (atomic, read per datagram).
	 */
	struct turn_config *live;
	uint64_t bandwidth;
};

/* Install cfg's users, secret and limits as the live ones (SIGHUP). */
int turn_shared_reload(struct turn_shared *sh, const struct turn_config *cfg);

struct turn_relay_rx;

/* One worker's TURN state: its allocations, tables and timers. */
struct turn_server {
	struct turn_shared *shared;
	struct timer_heap timers;
	struct turn_alloc *buckets[TURN_ALLOC_BUCKETS];
	struct turn_perm *perm_buckets[TURN_HASH_BUCKETS];
	struct turn_channel *chan_num_buckets[TURN_HASH_BUCKETS];
	struct turn_channel *chan_peer_buckets[TURN_HASH_BUCKETS];
	unsigned int n_allocs;		/* this worker's */
	struct sockaddr_storage *locals;	/* the host's own addresses */
	unsigned int n_locals;
	uint16_t next_port;
	struct turn_stats stats;
	struct turn_relay_rx *rx;	/* relay.c's segment slots */
};

/* peer.c */
/* The default-denied ranges, parsed once before the workers start. */
void turn_peer_defaults(void);
bool cidr_parse(const char *s, struct cidr *c);
bool cidr_match(const struct cidr *c, const struct sockaddr_storage *ss);
/* Collect the host's addresses (getifaddrs); 0 or -errno. */
int turn_peer_init(struct coned *srv);
/* May a permission or channel to peer be installed? */
bool turn_peer_allowed(const struct coned *srv,
		       const struct sockaddr_storage *peer);
/* Is peer one of our relay addresses (relay-to-relay)? */
bool turn_is_relay_addr(const struct coned *srv,
			const struct sockaddr_storage *peer);

/* auth.c */
struct turn_auth {
	const char *username;		/* points into req's copy */
	char name[STUN_MAX_TEXT + 1];
	uint8_t key[TURN_KEY_LEN];
	bool sha256;			/* answer with -SHA256 */
};
/*
 * Check a request's long-term credentials.  True: authenticated, a
 * filled in.  False: answered already (400, 401, 438).
 */
bool turn_authenticate(struct coned_request *req, struct turn_auth *a);
/* Read --users-file into cfg (replacing the file's earlier users). */
int turn_read_users(struct turn_config *cfg, const char *path);
int turn_auth_init(struct turn_shared *sh);
/* The live users and secret, after the workers stopped. */
void turn_auth_free(struct turn_shared *sh);
int turn_add_user(struct turn_config *cfg, const char *spec);
/* A nonce for client, valid --nonce-lifetime seconds (25 bytes). */
void turn_make_nonce(const struct coned *srv,
		     const struct sockaddr_storage *client, char *out);
#define TURN_NONCE_BUF	25

/* alloc.c */
struct turn_alloc *turn_alloc_find(struct coned *srv,
				   const struct coned_endpoint *ep,
				   const struct tcp_conn *conn,
				   const struct sockaddr_storage *client);
void turn_alloc_free(struct coned *srv, struct turn_alloc *a,
		     const char *why);
struct turn_perm *turn_perm_find(struct coned *srv, struct turn_alloc *a,
				 const struct sockaddr_storage *peer);
int turn_perm_install(struct coned *srv, struct turn_alloc *a,
		      const struct sockaddr_storage *peer);
struct turn_channel *turn_channel_by_number(struct coned *srv,
					    struct turn_alloc *a,
					    uint16_t number);
/* The fast path: a client's channel by its 5-tuple, one lookup. */
struct turn_channel *turn_channel_lookup(struct coned *srv,
					 const struct coned_endpoint *ep,
					 const struct tcp_conn *conn,
					 const struct sockaddr_storage *client,
					 uint16_t number);
struct turn_channel *turn_channel_by_peer(struct coned *srv,
					  struct turn_alloc *a,
					  const struct sockaddr_storage *peer);
int turn_channel_install(struct coned *srv, struct turn_alloc *a,
			 uint16_t number,
			 const struct sockaddr_storage *peer);
void turn_alloc_set_lifetime(struct coned *srv, struct turn_alloc *a,
			     uint32_t seconds);
void turn_conn_closed(struct coned *srv, struct tcp_conn *c);
int turn_alloc_insert(struct coned *srv, struct turn_alloc *a);
/* Count an allocation against the quotas; false (486) if over one. */
bool turn_quota_take(struct coned *srv, const char *name);
void turn_quota_release(struct coned *srv, const char *name);
/* a's relay socket for peers of family; -1 if it has no such address. */
int turn_relay_fd(const struct turn_alloc *a, int family);
/* Is port of family a live allocation's relayed port (any worker)? */
bool turn_port_live(const struct coned *srv, int family, uint16_t port);
/* Free every reservation (after the workers stopped). */
void turn_reservations_free(struct turn_shared *sh);
void turn_shutdown(struct coned *srv);

/* allocate.c: the Allocate request. */
void turn_allocate(struct coned_request *req);
bool turn_knows(uint16_t type);
/* 420 for unknown comprehension-required attributes; false if sent. */
bool turn_check_unknown(struct coned_request *req, const struct turn_auth *a);
/* The lifetime a request asks for, as RFC 8656 7.2 bounds it. */
uint32_t turn_lifetime(const struct coned *srv, const struct stun_msg *m,
		       bool *zero);
/* A relay socket into *fd, its address; the STUN error code on failure. */
int turn_relay_open(struct coned *srv, int *fd,
		    struct sockaddr_storage *relayed, int family, bool even,
		    bool reserve, const uint8_t *token,
		    uint8_t out_token[TURN_TOKEN_LEN]);

/* methods.c: Refresh, CreatePermission, ChannelBind, Send indication. */
void turn_refresh(struct coned_request *req);
void turn_create_permission(struct coned_request *req);
void turn_channel_bind(struct coned_request *req);
void turn_send_indication(struct coned_request *req);
/* An error with REALM/NONCE for 401/438, MESSAGE-INTEGRITY if a. */
void turn_send_error(struct coned_request *req, int code,
		     const struct turn_auth *a);
/* SOFTWARE, MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT; send it. */
void turn_send_response(struct coned_request *req, struct stun_builder *b,
			const struct turn_auth *a);

/* relay.c: the data path. */
struct turn_relay_rx *turn_relay_rx_new(void);
/* UDP_GRO and IP_RECVERR (or IPV6_RECVERR) on a relay socket. */
void turn_relay_options(int fd, int family);
void turn_relay_ready(struct coned *srv, struct coned_watch *w,
		      uint32_t events);
void turn_relay6_ready(struct coned *srv, struct coned_watch *w,
		       uint32_t events);
/* A ChannelData message from a client (UDP datagram or TCP frame). */
void turn_channel_data(struct coned *srv, struct coned_endpoint *ep,
		       struct tcp_conn *conn,
		       const struct sockaddr_storage *client,
		       const uint8_t *buf, size_t len);
/* Send payload to peer from a's relay socket, counted. */
void turn_to_peer(struct coned *srv, struct turn_alloc *a,
		  const struct sockaddr_storage *peer, const uint8_t *data,
		  size_t len, bool dont_fragment);
void turn_set_dont_fragment(int fd, int family, bool on);

/* batch.c: sendmmsg() of queued datagrams, accounted when sent. */
void turn_tx_queue(struct coned *srv, int fd,
		   const struct sockaddr_storage *to, const uint8_t *buf,
		   size_t len, struct turn_alloc *a, size_t payload,
		   bool to_client);
void turn_tx_flush(struct coned *srv);

#endif /* CONED_TURN_H */
