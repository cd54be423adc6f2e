// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving datagrams with UDP_GRO, on the listening sockets (clients'
 * STUN, ChannelData, Send indications) and the relay sockets (peers')
 * alike: a burst to one socket may come as one coalesced datagram, which
 * its UDP_GRO control message says how to cut back into its datagrams.
 * Each worker has one set of receive slots for all its sockets: a handler
 * is done with them, its queued sends that point into them flushed,
 * before it returns to the event loop.
 */
#define _GNU_SOURCE	/* recvmmsg() */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "coned.h"

/* The largest UDP_GRO datagram: all a UDP length can say. */
#define GRO_MAX		65535

/*
 * On the heap (about 4.2 MB, of which only what datagrams fill is ever
 * touched): each slot large enough for a coalesced datagram, with
 * CONED_RX_HEADROOM before it for the header of a message to a client.
 */
struct coned_rx {
	struct mmsghdr m[CONED_RX_BATCH];
	struct iovec iov[CONED_RX_BATCH];
	struct sockaddr_storage from[CONED_RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cmsg[CONED_RX_BATCH];
	uint8_t buf[CONED_RX_BATCH][CONED_RX_HEADROOM + GRO_MAX + 4];
};

struct coned_rx *coned_rx_new(void)
{
	return malloc(sizeof(struct coned_rx));
}

void coned_gro_enable(int fd)
{
	int one = 1;

	/* Without it (before Linux 5.0) datagrams just come one by one. */
	setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one));
}

int coned_rx_recv(struct coned_rx *rx, int fd)
{
	struct msghdr *mh;
	int i;

	for (i = 0; i < CONED_RX_BATCH; i++) {
		mh = &rx->m[i].msg_hdr;
		rx->iov[i].iov_base = rx->buf[i] + CONED_RX_HEADROOM;
		rx->iov[i].iov_len = GRO_MAX;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &rx->from[i];
		mh->msg_namelen = sizeof(rx->from[i]);
		mh->msg_iov = &rx->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = rx->cmsg[i].buf;
		mh->msg_controllen = sizeof(rx->cmsg[i].buf);
	}
	return recvmmsg(fd, rx->m, CONED_RX_BATCH, MSG_DONTWAIT, NULL);
}

/* The segment size of a coalesced (UDP_GRO) datagram; 0 for one datagram. */
static size_t gro_size(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int size;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(size)))
			continue;
		memcpy(&size, CMSG_DATA(cm), sizeof(size));
		return size > 0 ? size : 0;
	}
	return 0;
}

void coned_rx_get(struct coned_rx *rx, int i, struct coned_dgram *d)
{
	struct msghdr *mh = &rx->m[i].msg_hdr;
	size_t size = gro_size(mh);

	d->data = rx->buf[i] + CONED_RX_HEADROOM;
	d->len = rx->m[i].msg_len;
	d->from = &rx->from[i];
	d->segment = size && size < d->len ? size : 0;
	d->too_long = (mh->msg_flags & MSG_TRUNC) ||
		      (d->segment ? d->segment : d->len) > CONED_MAX_DATAGRAM;
}

size_t coned_dgram_next(const struct coned_dgram *d, size_t off)
{
	size_t left = d->len - off;

	return d->segment && d->segment < left ? d->segment : left;
}
