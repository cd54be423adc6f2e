// SPDX-License-Identifier: GPL-2.0
/*
 * How long an idle UDP mapping lives (RFC 5780 section 4.6).  Mapping i is
 * made at the start and left idle; at time T[i] a second socket asks the
 * server to answer to mapping i's port (RESPONSE-PORT), from the server
 * address mapping i contacted, so any filtering lets it through while the
 * mapping lives.  Each mapping is probed once: an inbound refresh cannot
 * stretch a later measurement.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cone.h"

/* Probe times in seconds, about 1.5x apart; the first above max ends it. */
static const unsigned int probe_at[] = {
	1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512,
	768, 1024, 1536, 2048, 3072, 3600,
};
#define MAX_PROBES	(sizeof(probe_at) / sizeof(probe_at[0]))

static void sleep_until(uint64_t deadline)
{
	uint64_t now = now_ms();
	struct timespec ts;

	if (now >= deadline)
		return;
	ts.tv_sec = (deadline - now) / 1000;
	ts.tv_nsec = (deadline - now) % 1000 * 1000000;
	nanosleep(&ts, NULL);
}

/* Is the mapping of fd, whose external port is port, still there? */
static bool mapping_alive(const struct sockaddr_storage *server,
			  const struct sockaddr_storage *local, int fd,
			  uint16_t port)
{
	struct sockaddr_storage bound;
	struct transaction t;
	int asker = udp_socket(local, &bound);

	if (asker < 0)
		return false;
	if (transaction_init(&t, asker, fd, server, 0, port)) {
		close(asker);
		return false;
	}
	transact(&t, 1);
	close(asker);
	return t.answered;
}

int measure_lifetime(const struct sockaddr_storage *server,
		     const struct sockaddr_storage *local,
		     unsigned int max_sec, struct probe_result *r)
{
	struct transaction t[MAX_PROBES];
	struct sockaddr_storage bound, mapped;
	int fds[MAX_PROBES], rc = 0;
	unsigned int n, i;
	uint64_t start;

	for (n = 0; n < MAX_PROBES && probe_at[n] <= max_sec; n++) {
		fds[n] = udp_socket(local, &bound);
		if (fds[n] < 0) {
			rc = 1;
			goto out;
		}
		if (transaction_init(&t[n], fds[n], fds[n], server, 0, 0)) {
			rc = 1;
			n++;	/* close this one too */
			goto out;
		}
	}
	start = now_ms();
	transact(t, n);
	r->lifetime_measured = true;
	r->lifetime_open_ended = true;
	r->lifetime_min = 0;
	for (i = 0; i < n; i++) {
		if (transaction_mapped(&t[i], &mapped)) {
			rc = fail("no answer from the server for mapping %u", i);
			goto out;
		}
		sleep_until(start + probe_at[i] * 1000ULL);
		if (!mapping_alive(server, local, fds[i], ss_port(&mapped))) {
			r->lifetime_open_ended = false;
			r->lifetime_max = probe_at[i];
			break;
		}
		r->lifetime_min = probe_at[i];
	}
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	return rc;
}
