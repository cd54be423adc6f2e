// SPDX-License-Identifier: GPL-2.0
/*
 * Relayed datagrams leave in batches: consecutive datagrams from one
 * socket go out in one sendmmsg().  A worker queues while it handles one
 * recvmmsg() batch and flushes at its end, before any STUN request is
 * handled (a request may end an allocation) and before its buffers are
 * reused.  The queue is the thread's own.
 */
#define _GNU_SOURCE	/* sendmmsg() */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "coned.h"

#define TX_BATCH	64

struct tx_batch {
	int fd;
	unsigned int n;
	struct mmsghdr m[TX_BATCH];
	struct iovec iov[TX_BATCH];
	struct sockaddr_storage to[TX_BATCH];
	struct turn_alloc *alloc[TX_BATCH];
	size_t payload[TX_BATCH];
	bool to_client[TX_BATCH];
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

void turn_tx_flush(struct coned *srv)
{
	unsigned int done = 0, i;
	int n;

	while (done < tx.n) {
		n = sendmmsg(tx.fd, tx.m + done, tx.n - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
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
