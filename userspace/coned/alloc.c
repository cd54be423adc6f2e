// SPDX-License-Identifier: GPL-2.0
/*
 * TURN allocations: found by their 5-tuple (a hash for UDP clients, the
 * connection for TCP ones), their permissions and channels, their relay
 * sockets and ports (EVEN-PORT, reservations), and their ends, each on a
 * timer of the heap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <openssl/rand.h>

#include "coned.h"

static unsigned int tuple_hash(const struct coned_endpoint *ep,
			       const struct sockaddr_storage *client)
{
	const uint8_t *p = (const uint8_t *)client;
	size_t len = ss_len(client), i;
	uint32_t h = 2166136261u ^ (uint32_t)(uintptr_t)ep;

	/* FNV-1a over the address and port bytes of the sockaddr. */
	for (i = 2; i < len; i++) {
		if (client->ss_family == AF_INET6 && i >= 24)
			break;	/* scope id */
		h = (h ^ p[i]) * 16777619u;
	}
	return h % TURN_ALLOC_BUCKETS;
}

struct turn_alloc *turn_alloc_find(struct coned *srv,
				   const struct coned_endpoint *ep,
				   const struct tcp_conn *conn,
				   const struct sockaddr_storage *client)
{
	struct turn_alloc *a;

	if (conn)
		return conn->alloc;
	for (a = srv->turn->buckets[tuple_hash(ep, client)]; a; a = a->hnext)
		if (a->ep == ep && !a->conn && ss_equal(&a->client, client))
			return a;
	return NULL;
}

static int family_idx(int family)
{
	return family == AF_INET6;
}

static struct turn_user_count **count_slot(struct turn_shared *sh,
					   const char *name)
{
	struct turn_user_count **p;

	for (p = &sh->counts; *p; p = &(*p)->next)
		if (!strcmp((*p)->name, name))
			break;
	return p;
}

bool turn_quota_take(struct coned *srv, const char *name)
{
	struct turn_shared *sh = srv->turn->shared;
	const struct turn_config *cfg;
	struct turn_user_count **p, *c;
	bool ok = false;

	pthread_mutex_lock(&sh->lock);
	cfg = sh->live;
	p = count_slot(sh, name);
	c = *p;
	if (cfg->max_allocations && sh->n_allocs >= cfg->max_allocations)
		goto out;
	if (cfg->user_quota && c && c->n >= cfg->user_quota)
		goto out;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			goto out;
		c->name = strdup(name);
		if (!c->name) {
			free(c);
			goto out;
		}
		*p = c;
	}
	c->n++;
	sh->n_allocs++;
	ok = true;
out:
	pthread_mutex_unlock(&sh->lock);
	return ok;
}

void turn_quota_release(struct coned *srv, const char *name)
{
	struct turn_shared *sh = srv->turn->shared;
	struct turn_user_count **p, *c;

	pthread_mutex_lock(&sh->lock);
	p = count_slot(sh, name);
	c = *p;
	if (c) {
		sh->n_allocs--;
		if (!--c->n) {
			*p = c->next;
			free(c->name);
			free(c);
		}
	}
	pthread_mutex_unlock(&sh->lock);
}

int turn_relay_fd(const struct turn_alloc *a, int family)
{
	if (a->relayed.ss_family == family)
		return a->relay.fd;
	if (a->relayed6.ss_family == family)
		return a->relay6.fd;
	return -1;
}

bool turn_port_live(const struct coned *srv, int family, uint16_t port)
{
	return __atomic_load_n(&srv->turn->shared->port_live[family_idx(family)][port],
			       __ATOMIC_RELAXED);
}

static void set_port_live(struct coned *srv, const struct sockaddr_storage *ss,
			  bool live)
{
	__atomic_store_n(&srv->turn->shared->port_live[family_idx(ss->ss_family)][ss_port(ss)],
			 live, __ATOMIC_RELAXED);
}

static void alloc_expired(struct coned *srv, struct coned_timer *t)
{
	turn_alloc_free(srv, container_of(t, struct turn_alloc, timer),
			"expired");
}

void turn_alloc_set_lifetime(struct coned *srv, struct turn_alloc *a,
			     uint32_t seconds)
{
	a->lifetime = seconds;
	timer_arm(&srv->turn->timers, &a->timer,
		  coned_now_ms() + (uint64_t)seconds * 1000);
}

/* Enter a new allocation (its relay socket open) into the tables. */
int turn_alloc_insert(struct coned *srv, struct turn_alloc *a)
{
	struct turn_server *t = srv->turn;
	unsigned int h;

	a->relay.ready = turn_relay_ready;
	a->relay6.ready = turn_relay6_ready;
	a->timer.fire = alloc_expired;
	if (coned_watch_add(srv, &a->relay) ||
	    (a->relayed6.ss_family && coned_watch_add(srv, &a->relay6)))
		return -errno;
	if (a->conn) {
		a->conn->alloc = a;
	} else {
		h = tuple_hash(a->ep, &a->client);
		a->hnext = t->buckets[h];
		t->buckets[h] = a;
	}
	set_port_live(srv, &a->relayed, true);
	if (a->relayed6.ss_family)
		set_port_live(srv, &a->relayed6, true);
	t->n_allocs++;
	STAT_ADD(t->stats.allocations_total, 1);
	STAT_ADD(t->stats.allocations, 1);
	a->created_ms = coned_now_ms();
	a->tokens = __atomic_load_n(&t->shared->bandwidth, __ATOMIC_RELAXED);
	a->tokens_at = a->created_ms;
	coned_log("allocation created: user \"%s\" client %s/%s relay %s%s%s lifetime %us",
		  a->username, a->conn ? "tcp" : "udp",
		  coned_addr_str(&a->client), coned_addr_str(&a->relayed),
		  a->relayed6.ss_family ? " " : "",
		  a->relayed6.ss_family ? coned_addr_str(&a->relayed6) : "",
		  a->lifetime);
	return 0;
}

/* FNV-1a over the address bytes (and port) of a sockaddr. */
static uint32_t hash_addr(uint32_t h, const struct sockaddr_storage *ss,
			  bool port)
{
	const uint8_t *p;
	size_t len, i;

	if (ss->ss_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		len = 16;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		len = 4;
	}
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	if (port) {
		uint16_t v = ss_port(ss);

		h = (h ^ (v & 0xFF)) * 16777619u;
		h = (h ^ (v >> 8)) * 16777619u;
	}
	return h;
}

static uint32_t hash_ptr(const void *p)
{
	uint64_t v = (uintptr_t)p;

	return (uint32_t)((v >> 4) ^ (v >> 20)) * 2654435761u;
}

static unsigned int perm_hash(const struct turn_alloc *a,
			      const struct sockaddr_storage *peer)
{
	return hash_addr(2166136261u ^ hash_ptr(a), peer, false) %
	       TURN_HASH_BUCKETS;
}

static unsigned int chan_num_hash(const struct coned_endpoint *ep,
				  const struct tcp_conn *conn,
				  const struct sockaddr_storage *client,
				  uint16_t number)
{
	uint32_t h = 2166136261u ^ hash_ptr(ep) ^ hash_ptr(conn) ^ number;

	return hash_addr(h, client, true) % TURN_HASH_BUCKETS;
}

static unsigned int chan_peer_hash(const struct turn_alloc *a,
				   const struct sockaddr_storage *peer)
{
	return hash_addr(2166136261u ^ hash_ptr(a), peer, true) %
	       TURN_HASH_BUCKETS;
}

#define UNLINK(head, item, link) do { \
	__typeof__(item) *_pp; \
	for (_pp = (head); *_pp; _pp = &(*_pp)->link) { \
		if (*_pp == (item)) { \
			*_pp = (item)->link; \
			break; \
		} \
	} \
} while (0)

static void perm_free(struct coned *srv, struct turn_perm *p)
{
	struct turn_server *t = srv->turn;
	struct turn_channel *c;

	UNLINK(&p->alloc->perms, p, next);
	UNLINK(&t->perm_buckets[perm_hash(p->alloc, &p->addr)], p, hnext);
	for (c = p->alloc->channels; c; c = c->next)
		if (c->perm == p)
			c->perm = NULL;
	timer_cancel(&t->timers, &p->timer);
	STAT_ADD(t->stats.permissions, -1);
	free(p);
}

static void channel_free(struct coned *srv, struct turn_channel *c)
{
	struct turn_server *t = srv->turn;
	struct turn_alloc *a = c->alloc;

	UNLINK(&a->channels, c, next);
	UNLINK(&t->chan_num_buckets[chan_num_hash(a->ep, a->conn, &a->client,
						  c->number)], c, hnext_num);
	UNLINK(&t->chan_peer_buckets[chan_peer_hash(a, &c->peer)], c,
	       hnext_peer);
	timer_cancel(&t->timers, &c->timer);
	if (!c->held)
		STAT_ADD(t->stats.channels, -1);
	free(c);
}

void turn_alloc_free(struct coned *srv, struct turn_alloc *a,
		     const char *why)
{
	struct turn_server *t = srv->turn;
	struct turn_alloc **p;

	coned_log("allocation ended (%s): user \"%s\" client %s/%s relay %s after %llus, "
		  "to peers %llu packets %llu bytes, to client %llu packets %llu bytes, dropped %llu",
		  why, a->username, a->conn ? "tcp" : "udp",
		  coned_addr_str(&a->client), coned_addr_str(&a->relayed),
		  (unsigned long long)(coned_now_ms() - a->created_ms) / 1000,
		  (unsigned long long)a->to_peer.packets,
		  (unsigned long long)a->to_peer.bytes,
		  (unsigned long long)a->to_client.packets,
		  (unsigned long long)a->to_client.bytes,
		  (unsigned long long)a->dropped);
	if (a->conn) {
		a->conn->alloc = NULL;
	} else {
		for (p = &t->buckets[tuple_hash(a->ep, &a->client)]; *p;
		     p = &(*p)->hnext) {
			if (*p == a) {
				*p = a->hnext;
				break;
			}
		}
	}
	set_port_live(srv, &a->relayed, false);
	if (a->relayed6.ss_family) {
		set_port_live(srv, &a->relayed6, false);
		close(a->relay6.fd);
	}
	STAT_ADD(t->stats.allocations, -1);
	while (a->perms)
		perm_free(srv, a->perms);
	while (a->channels)
		channel_free(srv, a->channels);
	timer_cancel(&t->timers, &a->timer);
	close(a->relay.fd);
	turn_quota_release(srv, a->username);
	t->n_allocs--;
	free(a);
}

struct turn_perm *turn_perm_find(struct coned *srv, struct turn_alloc *a,
				 const struct sockaddr_storage *peer)
{
	struct turn_perm *p;

	for (p = srv->turn->perm_buckets[perm_hash(a, peer)]; p; p = p->hnext)
		if (p->alloc == a && ss_same_addr(&p->addr, peer))
			return p;
	return NULL;
}

static void perm_expired(struct coned *srv, struct coned_timer *t)
{
	perm_free(srv, container_of(t, struct turn_perm, timer));
}

int turn_perm_install(struct coned *srv, struct turn_alloc *a,
		      const struct sockaddr_storage *peer)
{
	struct turn_perm *p = turn_perm_find(srv, a, peer);
	struct turn_channel *c;
	unsigned int h;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->addr = *peer;
		ss_set_port(&p->addr, 0);
		p->alloc = a;
		p->timer.fire = perm_expired;
		p->next = a->perms;
		a->perms = p;
		h = perm_hash(a, peer);
		p->hnext = srv->turn->perm_buckets[h];
		srv->turn->perm_buckets[h] = p;
		STAT_ADD(srv->turn->stats.permissions, 1);
		/* Channels to this IP relay again, unless held. */
		for (c = a->channels; c; c = c->next)
			if (!c->held && ss_same_addr(&c->peer, peer))
				c->perm = p;
	}
	return timer_arm(&srv->turn->timers, &p->timer, coned_now_ms() +
			 (uint64_t)srv->cfg.turn.perm_lifetime * 1000);
}

struct turn_channel *turn_channel_lookup(struct coned *srv,
					 const struct coned_endpoint *ep,
					 const struct tcp_conn *conn,
					 const struct sockaddr_storage *client,
					 uint16_t number)
{
	struct turn_channel *c;

	c = srv->turn->chan_num_buckets[chan_num_hash(ep, conn, client,
						       number)];
	for (; c; c = c->hnext_num)
		if (c->number == number && c->alloc->ep == ep &&
		    c->alloc->conn == conn && ss_equal(&c->alloc->client, client))
			return c;
	return NULL;
}

struct turn_channel *turn_channel_by_number(struct coned *srv,
					    struct turn_alloc *a,
					    uint16_t number)
{
	return turn_channel_lookup(srv, a->ep, a->conn, &a->client, number);
}

struct turn_channel *turn_channel_by_peer(struct coned *srv,
					  struct turn_alloc *a,
					  const struct sockaddr_storage *peer)
{
	struct turn_channel *c;

	c = srv->turn->chan_peer_buckets[chan_peer_hash(a, peer)];
	for (; c; c = c->hnext_peer)
		if (c->alloc == a && ss_equal(&c->peer, peer))
			return c;
	return NULL;
}

static void channel_released(struct coned *srv, struct coned_timer *t)
{
	channel_free(srv, container_of(t, struct turn_channel, timer));
}

/*
 * RFC 8656 section 12: for 5 minutes after a binding expires neither its
 * number nor its peer may be bound otherwise, so late ChannelData of the
 * old binding cannot reach a new peer.  Without room on the heap the
 * channel goes at once, the binding relays nothing either way.
 */
static void channel_expired(struct coned *srv, struct coned_timer *t)
{
	struct turn_channel *c = container_of(t, struct turn_channel, timer);

	c->timer.fire = channel_released;
	if (timer_arm(&srv->turn->timers, &c->timer, coned_now_ms() +
		      (uint64_t)srv->cfg.turn.channel_hold * 1000)) {
		channel_free(srv, c);
		return;
	}
	c->held = true;
	c->perm = NULL;
	STAT_ADD(srv->turn->stats.channels, -1);
}

int turn_channel_install(struct coned *srv, struct turn_alloc *a,
			 uint16_t number,
			 const struct sockaddr_storage *peer)
{
	struct turn_channel *c = turn_channel_by_number(srv, a, number);
	struct turn_server *t = srv->turn;
	unsigned int h;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->number = number;
		c->peer = *peer;
		c->alloc = a;
		c->timer.fire = channel_expired;
		c->next = a->channels;
		a->channels = c;
		h = chan_num_hash(a->ep, a->conn, &a->client, number);
		c->hnext_num = t->chan_num_buckets[h];
		t->chan_num_buckets[h] = c;
		h = chan_peer_hash(a, peer);
		c->hnext_peer = t->chan_peer_buckets[h];
		t->chan_peer_buckets[h] = c;
		c->perm = turn_perm_find(srv, a, peer);
		STAT_ADD(t->stats.channels, 1);
	} else if (c->held) {
		/* The same pair again (the caller checked): live again. */
		c->held = false;
		c->timer.fire = channel_expired;
		c->perm = turn_perm_find(srv, a, peer);
		STAT_ADD(t->stats.channels, 1);
	}
	return timer_arm(&srv->turn->timers, &c->timer, coned_now_ms() +
			 (uint64_t)srv->cfg.turn.channel_lifetime * 1000);
}

void turn_conn_closed(struct coned *srv, struct tcp_conn *c)
{
	if (c->alloc)
		turn_alloc_free(srv, c->alloc, "connection closed");
}

/* Reservations: the odd port of an EVEN-PORT R=1 Allocate, 30 s. */

static void reservation_expired(struct coned *srv, struct coned_timer *t)
{
	struct turn_reservation *r = container_of(t, struct turn_reservation,
						  timer);
	struct turn_shared *sh = srv->turn->shared;
	struct turn_reservation **p;

	pthread_mutex_lock(&sh->lock);
	for (p = &sh->reservations; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	pthread_mutex_unlock(&sh->lock);
	if (!r->taken)
		close(r->fd);
	free(r);
}

void turn_reservations_free(struct turn_shared *sh)
{
	struct turn_reservation *r;

	while ((r = sh->reservations)) {
		sh->reservations = r->next;
		if (!r->taken)
			close(r->fd);
		free(r);
	}
}

static int reserve(struct coned *srv, int fd,
		   const struct sockaddr_storage *addr,
		   uint8_t token[TURN_TOKEN_LEN])
{
	struct turn_shared *sh = srv->turn->shared;
	struct turn_reservation *r = calloc(1, sizeof(*r));

	if (!r || RAND_bytes(r->token, TURN_TOKEN_LEN) != 1) {
		free(r);
		return -ENOMEM;
	}
	r->fd = fd;
	r->addr = *addr;
	r->timer.fire = reservation_expired;
	if (timer_arm(&srv->turn->timers, &r->timer, coned_now_ms() +
		      TURN_RESERVATION_SEC * 1000)) {
		free(r);
		return -ENOMEM;
	}
	memcpy(token, r->token, TURN_TOKEN_LEN);
	pthread_mutex_lock(&sh->lock);
	r->next = sh->reservations;
	sh->reservations = r;
	pthread_mutex_unlock(&sh->lock);
	return 0;
}

/* Take the reserved socket of token; its fd, or -1. */
static int take_reservation(struct coned *srv, const uint8_t *token,
			    int family, struct sockaddr_storage *addr)
{
	struct turn_shared *sh = srv->turn->shared;
	struct turn_reservation *r;
	int fd = -1;

	pthread_mutex_lock(&sh->lock);
	for (r = sh->reservations; r; r = r->next) {
		if (r->taken || memcmp(r->token, token, TURN_TOKEN_LEN) ||
		    r->addr.ss_family != family)
			continue;
		r->taken = true;
		fd = r->fd;
		*addr = r->addr;
		break;
	}
	pthread_mutex_unlock(&sh->lock);
	return fd;
}

static int bind_relay(const struct sockaddr_storage *addr, uint16_t port)
{
	struct sockaddr_storage ss = *addr;
	int fd, one = 1, pmtu = IP_PMTUDISC_DONT;

	ss_set_port(&ss, port);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	turn_relay_options(fd, ss.ss_family);
	if (bind(fd, (struct sockaddr *)&ss, ss_len(&ss))) {
		close(fd);
		return -1;
	}
	return fd;
}

int turn_relay_open(struct coned *srv, int *out_fd,
		    struct sockaddr_storage *relayed, int family, bool even,
		    bool want_reserve, const uint8_t *token,
		    uint8_t out_token[TURN_TOKEN_LEN])
{
	const struct turn_config *cfg = &srv->cfg.turn;
	struct turn_server *t = srv->turn;
	const struct sockaddr_storage *addr = NULL;
	unsigned int i, span = cfg->port_hi - cfg->port_lo + 1;
	uint16_t port;
	int fd, fd2;

	for (i = 0; i < cfg->n_relays && !addr; i++)
		if (cfg->relay[i].ss_family == family)
			addr = &cfg->relay[i];
	if (!addr)
		return STUN_ERR_ADDRESS_FAMILY;
	if (token) {
		*out_fd = take_reservation(srv, token, family, relayed);
		return *out_fd < 0 ? STUN_ERR_INSUFFICIENT_CAPACITY : 0;
	}
	for (i = 0; i < span; i++) {
		port = cfg->port_lo + (t->next_port++ % span);
		if (even && (port & 1))
			continue;
		if (turn_port_live(srv, family, port))
			continue;
		fd = bind_relay(addr, port);
		if (fd < 0)
			continue;
		if (want_reserve) {
			if (port == cfg->port_hi ||
			    turn_port_live(srv, family, port + 1) ||
			    (fd2 = bind_relay(addr, port + 1)) < 0) {
				close(fd);
				continue;
			}
			*relayed = *addr;
			ss_set_port(relayed, port + 1);
			if (reserve(srv, fd2, relayed, out_token)) {
				close(fd2);
				close(fd);
				return STUN_ERR_SERVER_ERROR;
			}
		}
		*out_fd = fd;
		*relayed = *addr;
		ss_set_port(relayed, port);
		return 0;
	}
	return STUN_ERR_INSUFFICIENT_CAPACITY;
}

void turn_shutdown(struct coned *srv)
{
	struct turn_server *t = srv->turn;
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < TURN_ALLOC_BUCKETS; i++)
		while (t->buckets[i])
			turn_alloc_free(srv, t->buckets[i], "server stopping");
}
