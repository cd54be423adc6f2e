// SPDX-License-Identifier: GPL-2.0
/*
 * The Binding method: the reflexive address, and RFC 5780's behaviour
 * discovery: answer from the socket CHANGE-REQUEST selects, to the port
 * RESPONSE-PORT names, padded as PADDING asks (within the path MTU);
 * RFC 3489 clients get the attributes they know.
 */
#include "coned.h"

#define MAX_UNKNOWN	16

/* The comprehension-required attributes a Binding request may carry. */
static bool binding_knows(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_CHANGE_REQUEST:
	case STUN_ATTR_RESPONSE_PORT:
	case STUN_ATTR_PADDING:
	/* No authentication for Binding: credentials are read and ignored. */
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_MESSAGE_INTEGRITY:
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
	case STUN_ATTR_USERHASH:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	/* ICE connectivity checks sent to a STUN server are still Bindings. */
	case STUN_ATTR_PRIORITY:
	case STUN_ATTR_USE_CANDIDATE:
		return true;
	default:
		return false;
	}
}

/*
 * The endpoint of the other address and the other port: OTHER-ADDRESS
 * (RFC 5780 section 7.4).  coturn 4.6.1 names the same address on its
 * alternate one, and turnutils_natdiscovery, which aims its mapping test
 * III at test II's OTHER-ADDRESS, only gets address-dependent mappings
 * right against that; --other-address coturn answers the same way.
 */
static const struct coned_endpoint *
opposite(const struct coned *srv, const struct coned_endpoint *ep)
{
	unsigned int addr = !ep->addr_idx;

	if (srv->cfg.coturn_other_address && ep->addr_idx == ALTERNATE)
		addr = ALTERNATE;
	return &srv->ep[addr][!ep->port_idx];
}

/* What the request asks beyond the mapped address; false: answered. */
struct binding_options {
	uint32_t change;		/* STUN_CHANGE_IP | STUN_CHANGE_PORT */
	bool response_port_set;
	uint16_t response_port;
	size_t padding;
};

static bool read_options(struct coned_request *req,
			 struct binding_options *o)
{
	static const uint16_t change_request = STUN_ATTR_CHANGE_REQUEST;
	const struct stun_msg *m = req->msg;
	uint16_t unknown[MAX_UNKNOWN];
	bool padded, tcp = req->conn;
	struct stun_attr a;
	unsigned int n;

	n = stun_unknown_required(m, binding_knows, unknown, MAX_UNKNOWN);
	if (n) {
		coned_send_error(req, STUN_ERR_UNKNOWN_ATTRIBUTE, unknown, n);
		return false;
	}
	if (stun_find(m, STUN_ATTR_CHANGE_REQUEST, &a)) {
		/* Over TCP the answer can only come on the connection. */
		if (tcp || stun_get_u32(&a, &o->change))
			goto bad;
		o->change &= STUN_CHANGE_IP | STUN_CHANGE_PORT;
		/* RFC 5780 7.2: a one-address server knows no CHANGE-REQUEST,
		 * whatever its flags. */
		if (!req->srv->cfg.has_alt) {
			coned_send_error(req, STUN_ERR_UNKNOWN_ATTRIBUTE,
					 &change_request, 1);
			return false;
		}
	}
	if (stun_find(m, STUN_ATTR_RESPONSE_PORT, &a)) {
		if (tcp || stun_get_response_port(&a, &o->response_port) ||
		    !o->response_port)
			goto bad;
		o->response_port_set = true;
	}
	padded = stun_find(m, STUN_ATTR_PADDING, &a);
	/* RFC 5780 7.6: PADDING with RESPONSE-PORT is refused. */
	if (padded && o->response_port_set)
		goto bad;
	if (padded && !tcp)
		o->padding = a.len;
	return true;
bad:
	coned_send_error(req, STUN_ERR_BAD_REQUEST, NULL, 0);
	return false;
}

/*
 * PADDING of up to asked bytes, as much as keeps the whole answer to `to`
 * (IP and UDP headers, the attributes so far and coned_finish_response()'s)
 * within CONED_PATH_MTU: a bigger answer would be fragmented on the way,
 * and one padded far beyond the request a reflector's gain.  None if the
 * attribute's own header does not fit.
 */
static void add_padding(struct coned_request *req, struct stun_builder *b,
			const struct sockaddr_storage *to, size_t asked)
{
	size_t ip = to->ss_family == AF_INET6 ? 40 : 20;
	size_t used = ip + 8 + b->len + coned_finish_len(req) +
		      STUN_ATTR_HEADER_LEN;
	size_t room;

	if (used > CONED_PATH_MTU)
		return;
	room = (CONED_PATH_MTU - used) / 4 * 4;
	stun_add_padding(b, asked < room ? asked : room);
}

void coned_binding(struct coned_request *req)
{
	static __thread uint8_t buf[STUN_MAX_MESSAGE];
	struct binding_options o = { 0 };
	const struct coned_endpoint *other;
	struct coned_endpoint *from;
	struct coned *srv = req->srv;
	struct sockaddr_storage to = req->peer;
	bool legacy = req->msg->legacy;
	struct stun_builder b;
	size_t len;

	/* Over UDP the source may be spoofed: a reflector's budget. */
	if (!req->conn && !coned_rate_ok(srv, &req->peer)) {
		coned_debug(srv, "udp %s: over --rate-limit, dropped",
			    coned_addr_str(&req->peer));
		return;
	}
	if (!read_options(req, &o))
		return;
	from = &srv->ep[req->ep->addr_idx ^ !!(o.change & STUN_CHANGE_IP)]
		       [req->ep->port_idx ^ !!(o.change & STUN_CHANGE_PORT)];
	other = opposite(srv, req->ep);
	if (o.response_port_set)
		ss_set_port(&to, o.response_port);

	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_SUCCESS);
	/* RFC 3489 clients know these attributes by their old names. */
	if (legacy)
		stun_add_addr(&b, STUN_ATTR_MAPPED_ADDRESS,
			      (const struct sockaddr *)&req->peer);
	else
		stun_add_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
				  (const struct sockaddr *)&req->peer);
	/* RFC 5780 6.1 asks for both; RFC 8489 keeps it for old clients. */
	if (!legacy && srv->cfg.mapped_address)
		stun_add_addr(&b, STUN_ATTR_MAPPED_ADDRESS,
			      (const struct sockaddr *)&req->peer);
	stun_add_addr(&b, legacy ? STUN_ATTR_SOURCE_ADDRESS :
				   STUN_ATTR_RESPONSE_ORIGIN,
		      (const struct sockaddr *)&from->advertised);
	if (srv->cfg.has_alt)
		stun_add_addr(&b, legacy ? STUN_ATTR_CHANGED_ADDRESS :
					   STUN_ATTR_OTHER_ADDRESS,
			      (const struct sockaddr *)&other->advertised);
	if (o.padding)
		add_padding(req, &b, &to, o.padding);
	coned_finish_response(req, &b);
	len = stun_build_end(&b);
	if (!len) {
		coned_send_error(req, STUN_ERR_SERVER_ERROR, NULL, 0);
		return;
	}
	coned_debug(srv, "%s %s <- %s: binding%s%s%s",
		    req->conn ? "tcp" : "udp", coned_addr_str(&req->ep->local),
		    coned_addr_str(&req->peer),
		    legacy ? " (RFC 3489)" : "",
		    o.change & STUN_CHANGE_IP ? " change-ip" : "",
		    o.change & STUN_CHANGE_PORT ? " change-port" : "");
	coned_send(req, from, &to, buf, len);
}
