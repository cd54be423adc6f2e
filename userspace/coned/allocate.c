// SPDX-License-Identifier: GPL-2.0
/*
 * The Allocate request (RFC 8656 section 7.2, RFC 6156): credentials,
 * REQUESTED-TRANSPORT, DONT-FRAGMENT, EVEN-PORT and RESERVATION-TOKEN,
 * REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY, the quotas, then
 * the relay sockets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "coned.h"

/* The comprehension-required attributes TURN's requests may carry. */
bool turn_knows(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_MESSAGE_INTEGRITY:
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_CHANNEL_NUMBER:
	case STUN_ATTR_LIFETIME:
	case STUN_ATTR_XOR_PEER_ADDRESS:
	case STUN_ATTR_DATA:
	case STUN_ATTR_REQUESTED_ADDRESS_FAMILY:
	case STUN_ATTR_EVEN_PORT:
	case STUN_ATTR_REQUESTED_TRANSPORT:
	case STUN_ATTR_DONT_FRAGMENT:
	case STUN_ATTR_RESERVATION_TOKEN:
	case STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY:
		return true;
	default:
		return false;
	}
}

/* 420 for what turn_knows() does not; false if so answered. */
bool turn_check_unknown(struct coned_request *req, const struct turn_auth *a)
{
	uint16_t unknown[16];
	unsigned int n;
	uint8_t buf[512];
	struct stun_builder b;

	n = stun_unknown_required(req->msg, turn_knows, unknown, 16);
	if (!n)
		return true;
	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_ERROR);
	stun_add_error(&b, STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
	stun_add_unknown(&b, unknown, n);
	turn_send_response(req, &b, a);
	return false;
}

/* RFC 8656 7.2: max(default, min(requested, max)); 0 stays 0 (Refresh). */
uint32_t turn_lifetime(const struct coned *srv, const struct stun_msg *m,
		       bool *zero)
{
	const struct turn_config *cfg = &srv->cfg.turn;
	struct stun_attr attr;
	uint32_t want = cfg->alloc_default;

	*zero = false;
	if (stun_find(m, STUN_ATTR_LIFETIME, &attr) &&
	    !stun_get_u32(&attr, &want) && !want) {
		*zero = true;
		return 0;
	}
	if (want > cfg->alloc_max)
		want = cfg->alloc_max;
	return want < cfg->alloc_default ? cfg->alloc_default : want;
}

static void allocate_success(struct coned_request *req,
			     const struct turn_alloc *a,
			     const struct turn_auth *au)
{
	struct stun_builder b;
	uint8_t buf[512];

	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_SUCCESS);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS,
			  (const struct sockaddr *)&a->relayed);
	if (a->relayed6.ss_family)
		stun_add_xor_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS,
				  (const struct sockaddr *)&a->relayed6);
	if (a->missing_code)
		turn_add_address_error(&b, a->missing_family, a->missing_code);
	stun_add_u32(&b, STUN_ATTR_LIFETIME, a->lifetime);
	if (a->has_token)
		stun_add(&b, STUN_ATTR_RESERVATION_TOKEN, a->token,
			 TURN_TOKEN_LEN);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			  (const struct sockaddr *)&req->peer);
	turn_send_response(req, &b, au);
}

struct allocate_args {
	uint8_t transport;
	bool dont_fragment, even, reserve, has_token;
	uint8_t token[TURN_TOKEN_LEN];
	int family;
	bool dual;		/* ADDITIONAL-ADDRESS-FAMILY IPv6: IPv4 and IPv6 */
};

/* The request's attributes; 0 or the error code to answer. */
static int read_args(const struct coned_request *req, struct allocate_args *o)
{
	const struct stun_msg *m = req->msg;
	struct stun_attr attr;
	bool has_family;
	int rc, family;

	memset(o, 0, sizeof(*o));
	if (!stun_find(m, STUN_ATTR_REQUESTED_TRANSPORT, &attr) ||
	    turn_get_transport(&attr, &o->transport))
		return STUN_ERR_BAD_REQUEST;
	if (o->transport != TURN_TRANSPORT_UDP)
		return STUN_ERR_UNSUPPORTED_TRANSPORT;
	o->dont_fragment = stun_find(m, STUN_ATTR_DONT_FRAGMENT, &attr);
	if (stun_find(m, STUN_ATTR_EVEN_PORT, &attr)) {
		if (turn_get_even_port(&attr, &o->reserve))
			return STUN_ERR_BAD_REQUEST;
		o->even = true;
	}
	if (stun_find(m, STUN_ATTR_RESERVATION_TOKEN, &attr)) {
		if (turn_get_token(&attr, o->token) || o->even)
			return STUN_ERR_BAD_REQUEST;
		o->has_token = true;
	}
	o->family = AF_INET;
	has_family = stun_find(m, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &attr);
	if (has_family) {
		rc = turn_get_family(&attr, &o->family);
		if (rc)
			return rc == -EAFNOSUPPORT ? STUN_ERR_ADDRESS_FAMILY :
						     STUN_ERR_BAD_REQUEST;
		if (o->has_token)
			return STUN_ERR_BAD_REQUEST;
	}
	if (!stun_find(m, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &attr))
		return 0;
	/* RFC 8656 7.2: not with the other two; its one valid value IPv6. */
	rc = turn_get_family(&attr, &family);
	if (rc == -EAFNOSUPPORT)
		return STUN_ERR_ADDRESS_FAMILY;
	if (rc || has_family || o->has_token || family != AF_INET6)
		return STUN_ERR_BAD_REQUEST;
	o->dual = true;
	return 0;
}

/*
 * The relay sockets: o's family, and for a dual allocation IPv6 too.  If
 * only one of a dual allocation's two opens it is the allocation's, the
 * other's error goes in ADDRESS-ERROR-CODE (RFC 8656 7.2).  0 or the
 * error code to answer.  EVEN-PORT applies to both, R to IPv4 only.
 */
static int open_relays(struct coned *srv, struct turn_alloc *a,
		       const struct allocate_args *o)
{
	int rc, rc6;

	rc = turn_relay_open(srv, &a->relay.fd, &a->relayed, o->family,
			     o->even, o->reserve,
			     o->has_token ? o->token : NULL, a->token);
	a->has_token = !rc && o->reserve;
	if (!o->dual)
		return rc;
	rc6 = turn_relay_open(srv, rc ? &a->relay.fd : &a->relay6.fd,
			      rc ? &a->relayed : &a->relayed6, AF_INET6,
			      o->even, false, NULL, NULL);
	if (rc && rc6)
		return rc;
	a->missing_family = rc ? AF_INET : AF_INET6;
	a->missing_code = rc ? rc : rc6;
	return 0;
}

static void close_relays(struct turn_alloc *a)
{
	close(a->relay.fd);
	if (a->relayed6.ss_family)
		close(a->relay6.fd);
}

void turn_allocate(struct coned_request *req)
{
	struct coned *srv = req->srv;
	struct turn_stats *st = &srv->turn->stats;
	struct allocate_args o;
	struct turn_auth au;
	struct turn_alloc *a;
	bool zero;
	int rc;

	if (!turn_authenticate(req, &au) || !turn_check_unknown(req, &au))
		return;
	a = turn_alloc_find(srv, req->ep, req->conn, &req->peer);
	if (a) {
		/* A retransmission gets the same answer; anything else 437. */
		if (!memcmp(a->tid, stun_tid(req->msg), STUN_TID_LEN) &&
		    !strcmp(a->username, au.username))
			allocate_success(req, a, &au);
		else
			turn_send_error(req, STUN_ERR_ALLOCATION_MISMATCH, &au);
		return;
	}
	rc = read_args(req, &o);
	if (rc) {
		turn_send_error(req, rc, &au);
		return;
	}
	if (!turn_quota_take(srv, au.username)) {
		STAT_ADD(st->refused_quota, 1);
		turn_send_error(req, STUN_ERR_ALLOCATION_QUOTA, &au);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		turn_quota_release(srv, au.username);
		turn_send_error(req, STUN_ERR_SERVER_ERROR, &au);
		return;
	}
	a->ep = req->ep;
	a->conn = req->conn;
	a->client = req->peer;
	memcpy(a->tid, stun_tid(req->msg), STUN_TID_LEN);
	snprintf(a->username, sizeof(a->username), "%s", au.username);
	memcpy(a->key, au.key, sizeof(a->key));
	a->dont_fragment = o.dont_fragment;
	rc = open_relays(srv, a, &o);
	if (rc) {
		if (rc == STUN_ERR_INSUFFICIENT_CAPACITY)
			STAT_ADD(st->refused_capacity, 1);
		turn_quota_release(srv, au.username);
		free(a);
		turn_send_error(req, rc, &au);
		return;
	}
	if (o.dont_fragment) {
		turn_set_dont_fragment(a->relay.fd, a->relayed.ss_family, true);
		if (a->relayed6.ss_family)
			turn_set_dont_fragment(a->relay6.fd, AF_INET6, true);
	}
	turn_alloc_set_lifetime(srv, a, turn_lifetime(srv, req->msg, &zero));
	if (turn_alloc_insert(srv, a)) {
		timer_cancel(&srv->turn->timers, &a->timer);
		close_relays(a);
		turn_quota_release(srv, au.username);
		free(a);
		turn_send_error(req, STUN_ERR_SERVER_ERROR, &au);
		return;
	}
	allocate_success(req, a, &au);
}
