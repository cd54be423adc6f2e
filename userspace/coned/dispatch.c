// SPDX-License-Identifier: GPL-2.0
/*
 * From a parsed message to its handler, by method; and the sending of
 * answers, by UDP from a chosen socket or on the request's TCP connection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "coned.h"

static const struct {
	uint16_t method;
	coned_handler handler;
	bool turn;		/* only with --turn */
} methods[] = {
	{ STUN_BINDING, coned_binding, false },
	{ STUN_ALLOCATE, turn_allocate, true },
	{ STUN_REFRESH, turn_refresh, true },
	{ STUN_CREATE_PERMISSION, turn_create_permission, true },
	{ STUN_CHANNEL_BIND, turn_channel_bind, true },
};

void coned_dispatch(struct coned_request *req)
{
	const struct stun_msg *m = req->msg;
	uint16_t method = stun_method(m->type);
	size_t i;

	/* Indications (keepalives) and stray responses get no answer. */
	if (stun_class(m->type) == STUN_INDICATION && method == STUN_SEND &&
	    req->srv->turn && !m->legacy) {
		turn_send_indication(req);
		return;
	}
	if (stun_class(m->type) != STUN_REQUEST)
		return;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (methods[i].turn && (!req->srv->turn || m->legacy))
			continue;
		if (methods[i].method == method) {
			methods[i].handler(req);
			return;
		}
	}
	coned_debug(req->srv, "%s <- %s: unknown method 0x%03x",
		    coned_addr_str(&req->ep->local),
		    coned_addr_str(&req->peer), method);
	coned_send_error(req, STUN_ERR_BAD_REQUEST, NULL, 0);
}

void coned_send(struct coned_request *req, struct coned_endpoint *from,
		const struct sockaddr_storage *to, const uint8_t *buf,
		size_t len)
{
	const char *what = stun_class(stun_get16(buf)) == STUN_ERROR ?
			   "error response" : "response";
	ssize_t n;

	if (req->conn) {
		if (!coned_tcp_write(req->srv, req->conn, buf, len))
			req->conn->dead = true;
		else
			coned_debug(req->srv, "tcp %s -> %s: %s",
				    coned_addr_str(&from->local),
				    coned_addr_str(to), what);
		return;
	}
	n = sendto(from->udp.fd, buf, len, 0, (const struct sockaddr *)to,
		   ss_len(to));
	if (n < 0)
		coned_log("udp %s -> %s: %s", coned_addr_str(&from->local),
			  coned_addr_str(to), strerror(errno));
	else
		coned_debug(req->srv, "udp %s -> %s: %s",
			    coned_addr_str(&from->local), coned_addr_str(to),
			    what);
}

void coned_finish_response(struct coned_request *req, struct stun_builder *b)
{
	/* RFC 3489 clients know neither attribute. */
	if (req->msg->legacy)
		return;
	if (req->srv->cfg.software)
		stun_add_string(b, STUN_ATTR_SOFTWARE, req->srv->cfg.software);
	stun_add_fingerprint(b);
}

size_t coned_finish_len(const struct coned_request *req)
{
	size_t len = STUN_ATTR_HEADER_LEN + 4;		/* FINGERPRINT */
	const char *software = req->srv->cfg.software;

	if (req->msg->legacy)
		return 0;
	if (software)
		len += STUN_ATTR_HEADER_LEN + (strlen(software) + 3) / 4 * 4;
	return len;
}

void coned_send_error(struct coned_request *req, int code,
		      const uint16_t *unknown, unsigned int n_unknown)
{
	static __thread uint8_t buf[1024];
	struct stun_builder b;
	size_t len;

	uint16_t even[65];
	char reason[STUN_MAX_TEXT + 4];

	stun_build_response(&b, buf, sizeof(buf), req->msg, STUN_ERROR);
	if (req->msg->legacy) {
		/*
		 * RFC 3489 11.2.9, 11.2.10: no padding in its attributes, so
		 * ERROR-CODE's reason is padded with spaces to a multiple of
		 * 4 and UNKNOWN-ATTRIBUTES made even by repeating an entry.
		 */
		size_t rlen = strlen(stun_error_reason(code));

		snprintf(reason, sizeof(reason), "%s%.*s",
			 stun_error_reason(code), (int)((4 - rlen % 4) % 4),
			 "   ");
		stun_add_error(&b, code, reason);
		if (n_unknown && n_unknown < 64) {
			memcpy(even, unknown, n_unknown * sizeof(*unknown));
			if (n_unknown % 2)
				even[n_unknown] = unknown[n_unknown - 1];
			stun_add_unknown(&b, even, n_unknown + n_unknown % 2);
		}
	} else {
		stun_add_error(&b, code, NULL);
		if (n_unknown)
			stun_add_unknown(&b, unknown, n_unknown);
	}
	coned_finish_response(req, &b);
	len = stun_build_end(&b);
	if (len)
		coned_send(req, req->ep, &req->peer, buf, len);
}
