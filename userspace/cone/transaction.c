// SPDX-License-Identifier: GPL-2.0
/*
 * STUN transactions over UDP, several at once: each request is resent with
 * a doubling timeout (RFC 8489 6.2.1) until its answer arrives, so that one
 * lost datagram never reads as "filtered".
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>

#include "cone.h"

#define MAX_FDS		32	/* lifetime probes: one socket each */

int transaction_init(struct transaction *t, int send_fd, int recv_fd,
		     const struct sockaddr_storage *to, uint32_t change,
		     uint16_t response_port)
{
	uint8_t tid[STUN_TID_LEN];
	struct stun_builder b;

	memset(t, 0, sizeof(*t));
	if (getrandom(tid, sizeof(tid), 0) != sizeof(tid))
		return fail("getrandom: %s", strerror(errno));
	t->send_fd = send_fd;
	t->recv_fd = recv_fd;
	t->to = *to;
	stun_build_init(&b, t->req, sizeof(t->req),
			stun_type(STUN_BINDING, STUN_REQUEST), tid, false);
	if (change)
		stun_add_u32(&b, STUN_ATTR_CHANGE_REQUEST, change);
	if (response_port)
		stun_add_response_port(&b, response_port);
	stun_add_fingerprint(&b);
	t->req_len = stun_build_end(&b);
	return 0;
}

/* The transaction among t[0..n) on fd whose ID the message carries. */
static struct transaction *match(struct transaction *t, unsigned int n,
				 int fd, const uint8_t *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (t[i].recv_fd == fd && !t[i].answered &&
		    !memcmp(buf + 8, t[i].req + 8, STUN_TID_LEN))
			return &t[i];
	return NULL;
}

static void receive(struct transaction *t, unsigned int n, int fd)
{
	struct sockaddr_storage from;
	uint8_t buf[CONE_MAX_RESPONSE];
	struct transaction *tr;
	socklen_t alen;
	ssize_t len;

	for (;;) {
		alen = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), 0,
			       (struct sockaddr *)&from, &alen);
		if (len < 0)
			return;
		if (!stun_is_message(buf, len, false))
			continue;
		tr = match(t, n, fd, buf, len);
		if (!tr)
			continue;
		memcpy(tr->resp, buf, len);
		if (stun_parse(&tr->msg, tr->resp, len, false))
			continue;
		tr->from = from;
		tr->answered = true;
	}
}

/* Send what is due; the time of the next deadline, or 0 when all done. */
static uint64_t send_due(struct transaction *t, unsigned int n, uint64_t now)
{
	uint64_t next = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct transaction *tr = &t[i];

		if (tr->answered || !tr->req_len)
			continue;
		if (tr->next_ms <= now) {
			if (tr->sent == CONE_TRIES)
				continue;	/* the last wait is over */
			sendto(tr->send_fd, tr->req, tr->req_len, 0,
			       (struct sockaddr *)&tr->to, ss_len(&tr->to));
			tr->sent++;
			/* 500, 1000, 2000 ms; then as long again for the last. */
			tr->next_ms = now + ((uint64_t)CONE_RTO_MS <<
					     (tr->sent - 1 < 2 ? tr->sent - 1 : 2));
		}
		if (!next || tr->next_ms < next)
			next = tr->next_ms;
	}
	return next;
}

void transact(struct transaction *t, unsigned int n)
{
	struct pollfd fds[MAX_FDS];
	unsigned int nfds = 0, i, j;
	uint64_t now, next;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nfds && fds[j].fd != t[i].recv_fd; j++)
			;
		if (j == nfds && nfds < MAX_FDS)
			fds[nfds++] = (struct pollfd){ .fd = t[i].recv_fd,
						       .events = POLLIN };
	}
	for (;;) {
		now = now_ms();
		next = send_due(t, n, now);
		if (!next)
			return;
		if (poll(fds, nfds, next > now ? next - now : 0) <= 0)
			continue;
		for (j = 0; j < nfds; j++)
			if (fds[j].revents & POLLIN)
				receive(t, n, fds[j].fd);
	}
}

int transaction_mapped(const struct transaction *t,
		       struct sockaddr_storage *mapped)
{
	struct stun_attr a;

	if (!t->answered)
		return -ENOENT;
	if (stun_class(t->msg.type) != STUN_SUCCESS)
		return -EPROTO;
	if (stun_find(&t->msg, STUN_ATTR_XOR_MAPPED_ADDRESS, &a))
		return stun_get_xor_addr(&t->msg, &a, mapped);
	if (stun_find(&t->msg, STUN_ATTR_MAPPED_ADDRESS, &a))
		return stun_get_addr(&a, mapped);
	return -ENOENT;
}
