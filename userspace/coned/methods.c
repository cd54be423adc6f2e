// SPDX-License-Identifier: GPL-2.0
/*
 * TURN's other methods (RFC 8656 sections 8, 10, 12, 11): Refresh,
 * CreatePermission, ChannelBind and the Send indication; and the answers
 * they share (MESSAGE-INTEGRITY once the request is authenticated).
 */
#include <string.h>

#include "coned.h"

void turn_send_response(struct coned_request *req, struct stun_builder *b,
			const struct turn_auth *a)
{
	size_t len;

	if (req->srv->cfg.software)
		stun_add_string(b, STUN_ATTR_SOFTWARE, req->srv->cfg.software);
	if (a && a->sha256)
		stun_add_integrity_sha256(b, a->key, sizeof(a->key));
	else if (a)
		stun_add_integrity(b, a->key, sizeof(a->key));
	stun_add_fingerprint(b);
	len = stun_build_end(b);
	if (len)
		coned_send(req, req->ep, &req->peer, b->buf, len);
}

void turn_send_error(struct coned_request *req, int code,
		     const struct turn_auth *a)
{
	char nonce[TURN_NONCE_BUF];
	struct stun_builder b;
	uint8_t buf[512];

	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_ERROR);
	stun_add_error(&b, code, NULL);
	if (code == STUN_ERR_UNAUTHORIZED || code == STUN_ERR_STALE_NONCE) {
		turn_make_nonce(req->srv, &req->peer, nonce);
		stun_add_string(&b, STUN_ATTR_REALM, req->srv->cfg.turn.realm);
		stun_add_string(&b, STUN_ATTR_NONCE, nonce);
	}
	coned_debug(req->srv, "%s %s: %s error %d",
		    req->conn ? "tcp" : "udp", coned_addr_str(&req->peer),
		    stun_method(req->msg->type) == STUN_ALLOCATE ? "allocate" :
		    "turn", code);
	turn_send_response(req, &b, a);
}

static void send_empty_success(struct coned_request *req,
			       const struct turn_auth *a)
{
	struct stun_builder b;
	uint8_t buf[256];

	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_SUCCESS);
	turn_send_response(req, &b, a);
}

/*
 * Authenticate a request on an existing allocation; NULL if answered
 * (401, 438, 420, 437, 441).
 */
static struct turn_alloc *request_alloc(struct coned_request *req,
					struct turn_auth *au)
{
	struct turn_alloc *a;

	if (!turn_authenticate(req, au) || !turn_check_unknown(req, au))
		return NULL;
	a = turn_alloc_find(req->srv, req->ep, req->conn, &req->peer);
	if (!a) {
		turn_send_error(req, STUN_ERR_ALLOCATION_MISMATCH, au);
		return NULL;
	}
	if (strcmp(a->username, au->username)) {
		turn_send_error(req, STUN_ERR_WRONG_CREDENTIALS, au);
		return NULL;
	}
	return a;
}

void turn_refresh(struct coned_request *req)
{
	struct turn_auth au;
	struct turn_alloc *a = request_alloc(req, &au);
	struct stun_builder b;
	struct stun_attr attr;
	uint8_t buf[256];
	uint32_t lifetime;
	bool zero;
	int family;

	if (!a)
		return;
	if (stun_find(req->msg, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &attr) &&
	    (turn_get_family(&attr, &family) ||
	     turn_relay_fd(a, family) < 0)) {
		turn_send_error(req, STUN_ERR_PEER_ADDRESS_FAMILY, &au);
		return;
	}
	lifetime = turn_lifetime(req->srv, req->msg, &zero);
	if (zero)
		turn_alloc_free(req->srv, a, "refreshed with lifetime 0");
	else
		turn_alloc_set_lifetime(req->srv, a, lifetime);
	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_SUCCESS);
	stun_add_u32(&b, STUN_ATTR_LIFETIME, lifetime);
	turn_send_response(req, &b, &au);
}

/* A peer address for a: 0, or the error code (400, 443, 403). */
static int check_peer(struct coned_request *req, const struct turn_alloc *a,
		      const struct stun_attr *attr,
		      struct sockaddr_storage *peer)
{
	if (stun_get_xor_addr(req->msg, attr, peer))
		return STUN_ERR_BAD_REQUEST;
	/* A dual allocation takes peers of either family. */
	if (turn_relay_fd(a, peer->ss_family) < 0)
		return STUN_ERR_PEER_ADDRESS_FAMILY;
	if (!turn_peer_allowed(req->srv, peer)) {
		STAT_ADD(req->srv->turn->stats.refused_peer, 1);
		coned_debug(req->srv, "%s: peer %s refused by policy",
			    coned_addr_str(&req->peer), coned_addr_str(peer));
		return STUN_ERR_FORBIDDEN;
	}
	return 0;
}

void turn_create_permission(struct coned_request *req)
{
	struct turn_auth au;
	struct turn_alloc *a = request_alloc(req, &au);
	struct sockaddr_storage peer;
	struct stun_attr attr;
	unsigned int n = 0;
	size_t pos = 0;
	int rc;

	if (!a)
		return;
	/* All or none: check every XOR-PEER-ADDRESS, then install. */
	while (stun_attr_next(req->msg, &pos, &attr)) {
		if (attr.type != STUN_ATTR_XOR_PEER_ADDRESS)
			continue;
		rc = check_peer(req, a, &attr, &peer);
		if (rc) {
			turn_send_error(req, rc, &au);
			return;
		}
		n++;
	}
	if (!n) {
		turn_send_error(req, STUN_ERR_BAD_REQUEST, &au);
		return;
	}
	pos = 0;
	while (stun_attr_next(req->msg, &pos, &attr)) {
		if (attr.type != STUN_ATTR_XOR_PEER_ADDRESS)
			continue;
		stun_get_xor_addr(req->msg, &attr, &peer);
		if (turn_perm_install(req->srv, a, &peer)) {
			turn_send_error(req, STUN_ERR_SERVER_ERROR, &au);
			return;
		}
	}
	send_empty_success(req, &au);
}

void turn_channel_bind(struct coned_request *req)
{
	struct turn_auth au;
	struct turn_alloc *a = request_alloc(req, &au);
	struct sockaddr_storage peer;
	struct turn_channel *c;
	struct stun_attr num, addr;
	uint16_t number;
	int rc;

	if (!a)
		return;
	if (!stun_find(req->msg, STUN_ATTR_CHANNEL_NUMBER, &num) ||
	    !stun_find(req->msg, STUN_ATTR_XOR_PEER_ADDRESS, &addr) ||
	    turn_get_channel(&num, &number) || number < TURN_CHANNEL_MIN ||
	    number > TURN_CHANNEL_MAX) {
		turn_send_error(req, STUN_ERR_BAD_REQUEST, &au);
		return;
	}
	rc = check_peer(req, a, &addr, &peer);
	if (rc) {
		turn_send_error(req, rc, &au);
		return;
	}
	/* A number is bound to one peer, a peer to one number. */
	c = turn_channel_by_number(req->srv, a, number);
	if ((c && !ss_equal(&c->peer, &peer)) ||
	    (!c && turn_channel_by_peer(req->srv, a, &peer))) {
		turn_send_error(req, STUN_ERR_BAD_REQUEST, &au);
		return;
	}
	if (turn_channel_install(req->srv, a, number, &peer) ||
	    turn_perm_install(req->srv, a, &peer)) {
		turn_send_error(req, STUN_ERR_SERVER_ERROR, &au);
		return;
	}
	send_empty_success(req, &au);
}

void turn_send_indication(struct coned_request *req)
{
	struct turn_alloc *a;
	struct sockaddr_storage peer;
	struct stun_attr addr, data, df;

	a = turn_alloc_find(req->srv, req->ep, req->conn, &req->peer);
	if (!a || !stun_find(req->msg, STUN_ATTR_XOR_PEER_ADDRESS, &addr) ||
	    !stun_find(req->msg, STUN_ATTR_DATA, &data) ||
	    stun_get_xor_addr(req->msg, &addr, &peer))
		return;
	if (!turn_perm_find(req->srv, a, &peer)) {
		a->dropped++;
		STAT_ADD(req->srv->turn->stats.dropped_no_permission, 1);
		return;
	}
	turn_to_peer(req->srv, a, &peer, data.value, data.len,
		     stun_find(req->msg, STUN_ATTR_DONT_FRAGMENT, &df));
}
