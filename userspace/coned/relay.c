// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: a peer's datagram on a relay socket goes to its client
 * as ChannelData (channel bound) or a Data indication; a client's
 * ChannelData or Send indication goes to the peer.  A failed send is
 * counted and dropped: it never ends the allocation.  Relay sockets take
 * UDP_GRO: a peer's burst may come as one coalesced datagram, cut back
 * into its datagrams here.  And IP_RECVERR: ICMP errors about what they
 * sent go to the client in Data indications.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <linux/errqueue.h>
#include <openssl/rand.h>

#include "coned.h"

/* Segment slots, refilled after a flush. */
#define RELAY_BATCH	64

void turn_set_dont_fragment(int fd, int family, bool on)
{
	int v;

	if (family == AF_INET6) {
		v = on ? IPV6_PMTUDISC_DO : IPV6_PMTUDISC_DONT;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
	} else {
		v = on ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	}
}

/* --bandwidth: a bucket of one second's bytes, both directions. */
static bool within_bandwidth(struct coned *srv, struct turn_alloc *a,
			     size_t len)
{
	uint64_t bw = __atomic_load_n(&srv->turn->shared->bandwidth,
				      __ATOMIC_RELAXED), now;

	if (!bw)
		return true;
	now = coned_now_ms();
	a->tokens += (double)(now - a->tokens_at) * bw / 1000;
	a->tokens_at = now;
	if (a->tokens > bw)
		a->tokens = bw;
	if (a->tokens < len) {
		a->dropped++;
		STAT_ADD(srv->turn->stats.dropped_bandwidth, 1);
		return false;
	}
	a->tokens -= len;
	return true;
}

static void to_client(struct coned *srv, struct turn_alloc *a,
		      const uint8_t *buf, size_t len, size_t payload)
{
	if (a->conn) {
		if (!coned_tcp_write(srv, a->conn, buf, len))
			goto drop;
	} else {
		turn_tx_queue(srv, a->ep->udp.fd, &a->client, buf, len, a,
			      payload, true);
		return;
	}
	a->to_client.packets++;
	a->to_client.bytes += payload;
	STAT_ADD(srv->turn->stats.to_client.packets, 1);
	STAT_ADD(srv->turn->stats.to_client.bytes, payload);
	return;
drop:
	a->dropped++;
	STAT_ADD(srv->turn->stats.send_errors, 1);
}

/* A datagram from peer, n bytes at buf + CONED_RX_HEADROOM, for a's client. */
static void from_peer(struct coned *srv, struct turn_alloc *a,
		      const struct sockaddr_storage *peer, uint8_t *buf,
		      size_t n)
{
	uint8_t *payload = buf + CONED_RX_HEADROOM, *out;
	struct turn_channel *c;
	struct stun_builder b;
	size_t pad = (4 - n % 4) % 4, hdr, alen;
	uint8_t tid[STUN_TID_LEN];

	if (!turn_perm_find(srv, a, peer)) {
		a->dropped++;
		STAT_ADD(srv->turn->stats.dropped_no_permission, 1);
		return;
	}
	if (!within_bandwidth(srv, a, n))
		return;
	memset(payload + n, 0, pad);
	c = turn_channel_by_peer(srv, a, peer);
	if (c && !c->held) {
		out = payload - TURN_CHANNEL_HEADER;
		stun_put16(out, c->number);
		stun_put16(out + 2, n);
		/* Padded on TCP only (RFC 8656 section 12.5). */
		to_client(srv, a, out, TURN_CHANNEL_HEADER + n +
			  (a->conn ? pad : 0), n);
		return;
	}
	/* A Data indication: XOR-PEER-ADDRESS, then DATA around payload. */
	alen = peer->ss_family == AF_INET6 ? 20 : 8;
	hdr = STUN_HEADER_LEN + STUN_ATTR_HEADER_LEN + alen +
	      STUN_ATTR_HEADER_LEN;
	out = payload - hdr;
	RAND_bytes(tid, sizeof(tid));
	stun_build_init(&b, out, hdr, stun_type(STUN_DATA, STUN_INDICATION),
			tid, false);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
			  (const struct sockaddr *)peer);
	if (b.overflow)
		return;
	stun_put16(out + b.len, STUN_ATTR_DATA);
	stun_put16(out + b.len + 2, n);
	stun_put16(out + 2, hdr - STUN_HEADER_LEN + n + pad);
	to_client(srv, a, out, hdr + n + pad, n);
}

/* Each slot: room for a Data indication header, the datagram, padding. */
#define SLOT		(CONED_RX_HEADROOM + CONED_MAX_DATAGRAM + 4)

/*
 * Beside the worker's receive slots (gro.c): the slots a coalesced
 * datagram's segments are copied to, each with headroom of its own for
 * its headers, which also hold the Data indications made of ICMP errors
 * (queued sends point into them until the next flush); about 0.6 MB.
 */
struct turn_relay_rx {
	uint8_t seg[RELAY_BATCH][SLOT];
	unsigned int next_seg;
};

struct turn_relay_rx *turn_relay_rx_new(void)
{
	return malloc(sizeof(struct turn_relay_rx));
}

void turn_relay_options(int fd, int family)
{
	int one = 1;

	coned_gro_enable(fd);
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

/*
 * A slot with headroom for a message to a client; queued sends point
 * into the slots, so they are reused only after a flush.
 */
static uint8_t *seg_slot(struct coned *srv)
{
	struct turn_relay_rx *rx = srv->turn->rx;

	if (rx->next_seg == RELAY_BATCH) {
		turn_tx_flush(srv);
		rx->next_seg = 0;
	}
	return rx->seg[rx->next_seg++];
}

/*
 * A coalesced datagram: each segment relayed as the datagram it was,
 * copied to a slot of its own, so that its header can go before it.
 */
static void from_peer_segments(struct coned *srv, struct turn_alloc *a,
			       const struct coned_dgram *d)
{
	size_t off, seg;
	uint8_t *slot;

	for (off = 0; off < d->len; off += seg) {
		seg = coned_dgram_next(d, off);
		slot = seg_slot(srv);
		memcpy(slot + CONED_RX_HEADROOM, d->data + off, seg);
		from_peer(srv, a, d->from, slot, seg);
		if (a->conn && a->conn->dead)
			return;
	}
}

/*
 * The ICMP attribute (RFC 8656) for an error the relay socket queued:
 * false unless it is one a client is told of, destination unreachable
 * or time exceeded, for ICMPv6 also packet too big.  Its error data is
 * the next-hop MTU for "fragmentation needed" and "packet too big", zero
 * otherwise.
 */
static bool icmp_attr(const struct sock_extended_err *ee, uint8_t v[8])
{
	bool mtu;

	if (ee->ee_origin == SO_EE_ORIGIN_ICMP &&
	    (ee->ee_type == 3 || ee->ee_type == 11))
		mtu = ee->ee_type == 3 && ee->ee_code == 4;
	else if (ee->ee_origin == SO_EE_ORIGIN_ICMP6 &&
		 ee->ee_type >= 1 && ee->ee_type <= 3)
		mtu = ee->ee_type == 2;
	else
		return false;
	stun_put16(v, 0);
	v[2] = ee->ee_type;
	v[3] = ee->ee_code;
	stun_put32(v + 4, mtu ? ee->ee_info : 0);
	return true;
}

/* The IP_RECVERR or IPV6_RECVERR control message of mh; NULL if none. */
static const struct sock_extended_err *extended_err(struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		     (cm->cmsg_level == SOL_IPV6 &&
		      cm->cmsg_type == IPV6_RECVERR)) &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err)))
			return (const struct sock_extended_err *)CMSG_DATA(cm);
	return NULL;
}

/* A Data indication with XOR-PEER-ADDRESS and ICMP, for a's client. */
static void icmp_to_client(struct coned *srv, struct turn_alloc *a,
			   const struct sockaddr_storage *peer,
			   const uint8_t icmp[8])
{
	uint8_t tid[STUN_TID_LEN], *slot = seg_slot(srv);
	struct stun_builder b;
	size_t len;

	RAND_bytes(tid, sizeof(tid));
	stun_build_init(&b, slot, SLOT, stun_type(STUN_DATA, STUN_INDICATION),
			tid, false);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
			  (const struct sockaddr *)peer);
	stun_add(&b, STUN_ATTR_ICMP, icmp, 8);
	len = stun_build_end(&b);
	if (len)
		to_client(srv, a, slot, len, 0);
}

/*
 * Drain the relay socket's error queue (a batch at most; EPOLLERR comes
 * again for the rest).  An ICMP error names the destination of the
 * datagram it is about; the client hears of it if that peer has a
 * permission.  Local errors (EMSGSIZE) were counted when the send failed.
 */
static void icmp_errors(struct coned *srv, struct turn_alloc *a, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
				    sizeof(struct sockaddr_in6))];
		struct cmsghdr align;
	} u;
	const struct sock_extended_err *ee;
	struct sockaddr_storage peer;
	struct msghdr mh;
	uint8_t icmp[8];
	int i;

	for (i = 0; i < RELAY_BATCH; i++) {
		memset(&mh, 0, sizeof(mh));
		memset(&peer, 0, sizeof(peer));
		mh.msg_name = &peer;
		mh.msg_namelen = sizeof(peer);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		ee = extended_err(&mh);
		if (!ee || !icmp_attr(ee, icmp) ||
		    turn_relay_fd(a, peer.ss_family) != fd ||
		    !turn_perm_find(srv, a, &peer))
			continue;
		icmp_to_client(srv, a, &peer, icmp);
		if (a->conn && a->conn->dead)
			return;
	}
}

/* A batch from relay socket w of a (either of a dual allocation's). */
static void relay_read(struct coned *srv, struct turn_alloc *a,
		       struct coned_watch *w, uint32_t events)
{
	struct coned_dgram d;
	int i, n;

	srv->turn->rx->next_seg = 0;
	if (events & EPOLLERR)
		icmp_errors(srv, a, w->fd);
	if (a->conn && a->conn->dead)
		return;
	n = coned_rx_recv(srv->rx, w->fd);
	for (i = 0; i < n; i++) {
		coned_rx_get(srv->rx, i, &d);
		if (d.too_long)
			a->dropped += d.segment ? (d.len + d.segment - 1) /
						  d.segment : 1;
		else if (d.segment)
			from_peer_segments(srv, a, &d);
		else
			from_peer(srv, a, d.from, d.data - CONED_RX_HEADROOM, d.len);
		if (d.segment)
			STAT_ADD(srv->turn->stats.coalesced, 1);
		/* Sending to a TCP client may have broken it. */
		if (a->conn && a->conn->dead)
			break;
	}
	turn_tx_flush(srv);
}

void turn_relay_ready(struct coned *srv, struct coned_watch *w,
		      uint32_t events)
{
	relay_read(srv, container_of(w, struct turn_alloc, relay), w, events);
}

void turn_relay6_ready(struct coned *srv, struct coned_watch *w,
		       uint32_t events)
{
	relay_read(srv, container_of(w, struct turn_alloc, relay6), w, events);
}

void turn_to_peer(struct coned *srv, struct turn_alloc *a,
		  const struct sockaddr_storage *peer, const uint8_t *data,
		  size_t len, bool dont_fragment)
{
	struct turn_server *t = srv->turn;
	bool df = dont_fragment && !a->dont_fragment;
	int fd = turn_relay_fd(a, peer->ss_family);
	ssize_t n;

	/*
	 * Towards our own relay addresses only ports of live allocations:
	 * when the relay address is the listening one, a client must not
	 * reach the STUN/TURN port (or anything else) through the relay.
	 */
	if (turn_is_relay_addr(srv, peer) &&
	    !turn_port_live(srv, peer->ss_family, ss_port(peer))) {
		a->dropped++;
		STAT_ADD(t->stats.dropped_relay_port, 1);
		return;
	}
	if (!within_bandwidth(srv, a, len))
		return;
	if (!df) {
		turn_tx_queue(srv, fd, peer, data, len, a, len, false);
		return;
	}
	turn_tx_flush(srv);
	turn_set_dont_fragment(fd, peer->ss_family, true);
	n = sendto(fd, data, len, 0, (const struct sockaddr *)peer,
		   ss_len(peer));
	/* Once more if it only reported an earlier ICMP error (batch.c). */
	if (n < 0)
		n = sendto(fd, data, len, 0, (const struct sockaddr *)peer,
			   ss_len(peer));
	turn_set_dont_fragment(fd, peer->ss_family, false);
	if (n < 0) {
		a->dropped++;
		STAT_ADD(t->stats.send_errors, 1);
		coned_debug(srv, "relay for %s -> %s: %s",
			    coned_addr_str(&a->client), coned_addr_str(peer),
			    strerror(errno));
		return;
	}
	a->to_peer.packets++;
	a->to_peer.bytes += len;
	STAT_ADD(t->stats.to_peer.packets, 1);
	STAT_ADD(t->stats.to_peer.bytes, len);
}

void turn_channel_data(struct coned *srv, struct coned_endpoint *ep,
		       struct tcp_conn *conn,
		       const struct sockaddr_storage *client,
		       const uint8_t *buf, size_t len)
{
	struct turn_channel *c;
	const uint8_t *data;
	size_t data_len;
	uint16_t number;

	if (turn_parse_channel_data(buf, len, &number, &data, &data_len))
		return;
	/*
	 * One lookup: the channel by the client's 5-tuple and number; a
	 * held (expired) one has no permission.
	 */
	c = turn_channel_lookup(srv, ep, conn, client, number);
	if (!c || !c->perm) {
		STAT_ADD(srv->turn->stats.dropped_no_permission, 1);
		return;
	}
	turn_to_peer(srv, c->alloc, &c->peer, data, data_len, false);
}
