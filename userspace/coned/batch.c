// SPDX-License-Identifier: GPL-2.0
/*
 * Relayed datagrams leave in batches: consecutive datagrams from one
 * socket to one destination, of one size, go out in one sendmsg() with
 * UDP_SEGMENT (GSO); the rest in one sendmmsg().  A worker queues while it handles one
 * recvmmsg() batch and flushes at its end, before any STUN request is
 * handled (a request may end an allocation) and before its buffers are
 * reused.  The queue is the thread's own.
 */
#define _GNU_SOURCE	/* sendmmsg() */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "coned.h"

#define TX_BATCH	64
#define GSO_MAX_SEGMENT	1400

struct tx_batch {
	int fd;
	unsigned int n;
	struct mmsghdr m[TX_BATCH];
	struct iovec iov[TX_BATCH];
	struct sockaddr_storage to[TX_BATCH];
	struct turn_alloc *alloc[TX_BATCH];
	size_t payload[TX_BATCH];
	bool to_client[TX_BATCH];
	bool no_gso;		/* UDP_SEGMENT refused once: not again */
};

static __thread struct tx_batch tx = { .fd = -1 };

static void account(struct coned *srv, unsigned int i, bool sent)
{
	struct turn_alloc *a = tx.alloc[i];
	struct turn_stats *st = &srv->turn->stats;
	struct turn_counters *ac, *sc;

	if (!sent) {
		a->dropped++;
		STAT_ADD(st->send_errors, 1);
		return;
	}
	ac = tx.to_client[i] ? &a->to_client : &a->to_peer;
	sc = tx.to_client[i] ? &st->to_client : &st->to_peer;
	ac->packets++;
	ac->bytes += tx.payload[i];
	STAT_ADD(sc->packets, 1);
	STAT_ADD(sc->bytes, tx.payload[i]);
}

/*
 * A run of datagrams from `from` on to one destination, all of the first
 * one's size but the last (no larger): one sendmsg with UDP_SEGMENT (UDP
 * GSO), the kernel cuts it.  How many it covers (at least 1 to try).
 */
static unsigned int gso_run(unsigned int from)
{
	size_t size = tx.iov[from].iov_len, total = size;
	unsigned int i;

	/* Segments must fit the path MTU; keep to what surely does. */
	if (size > GSO_MAX_SEGMENT)
		return 1;
	for (i = from + 1; i < tx.n; i++) {
		if (tx.iov[i].iov_len > size || total + tx.iov[i].iov_len > 65000 ||
		    !ss_equal(&tx.to[i], &tx.to[from]))
			break;
		total += tx.iov[i].iov_len;
		if (tx.iov[i].iov_len < size) {
			i++;
			break;
		}
	}
	return i - from;
}

/* Send run datagrams from `from` as one GSO send; false if refused. */
static bool gso_send(unsigned int from, unsigned int run)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
		.msg_name = &tx.to[from],
		.msg_namelen = ss_len(&tx.to[from]),
		.msg_iov = &tx.iov[from],
		.msg_iovlen = run,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	uint16_t size = tx.iov[from].iov_len;

	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	return sendmsg(tx.fd, &mh, 0) >= 0;
}

void turn_tx_flush(struct coned *srv)
{
	unsigned int done = 0, i, run;
	bool retried = false;
	int n;

	while (done < tx.n) {
		run = gso_run(done);
		if (run > 1 && !tx.no_gso) {
			if (gso_send(done, run)) {
				for (i = done; i < done + run; i++)
					account(srv, i, true);
				done += run;
				continue;
			}
			/* Not for this socket (or kernel): one by one. */
			tx.no_gso = errno == EIO || errno == ENOPROTOOPT;
		}
		/* Up to the next GSO run, if any. */
		for (run = done + 1; run < tx.n && (tx.no_gso || gso_run(run) < 2);
		     run++)
			;
		n = sendmmsg(tx.fd, tx.m + done, run - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * With IP_RECVERR an ICMP error about an earlier datagram
		 * fails the next send once (the socket's pending error),
		 * whatever that send is: so each failure is tried again once.
		 */
		if (n < 0 && !retried) {
			retried = true;
			continue;
		}
		retried = false;
		if (n <= 0) {
			/* This one failed: count it, go on with the rest. */
			coned_debug(srv, "relay send: %s", strerror(errno));
			account(srv, done++, false);
			continue;
		}
		for (i = done; i < done + (unsigned int)n; i++)
			account(srv, i, true);
		done += n;
	}
	tx.n = 0;
	tx.fd = -1;
}

void turn_tx_queue(struct coned *srv, int fd,
		   const struct sockaddr_storage *to, const uint8_t *buf,
		   size_t len, struct turn_alloc *a, size_t payload,
		   bool to_client)
{
	unsigned int i;

	if (tx.n && (tx.fd != fd || tx.n == TX_BATCH))
		turn_tx_flush(srv);
	i = tx.n++;
	tx.fd = fd;
	tx.to[i] = *to;
	tx.iov[i].iov_base = (void *)buf;
	tx.iov[i].iov_len = len;
	memset(&tx.m[i], 0, sizeof(tx.m[i]));
	tx.m[i].msg_hdr.msg_name = &tx.to[i];
	tx.m[i].msg_hdr.msg_namelen = ss_len(to);
	tx.m[i].msg_hdr.msg_iov = &tx.iov[i];
	tx.m[i].msg_hdr.msg_iovlen = 1;
	tx.alloc[i] = a;
	tx.payload[i] = payload;
	tx.to_client[i] = to_client;
}
