// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source rate limits for answers to unauthenticated requests (Binding,
 * and TURN's first 401), so that coned is a poor reflector: a spoofed
 * source gets at most --rate-limit answers a second (a burst of twice
 * that).  A fixed table of buckets by the source address's hash: no
 * memory grows with the number of sources; sources that share a bucket
 * share its budget.  Per worker, no lock.
 */
#include <netinet/in.h>

#include "coned.h"

static unsigned int bucket_of(const struct sockaddr_storage *ss)
{
	const uint8_t *p;
	uint32_t h = 2166136261u;
	size_t len, i;

	if (ss->ss_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		len = 8;	/* the /64: one host's addresses share it */
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		len = 4;
	}
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % CONED_RATE_BUCKETS;
}

bool coned_rate_ok(struct coned *srv, const struct sockaddr_storage *src)
{
	unsigned int rate = srv->cfg.rate_limit;
	struct coned_rate *r;
	uint64_t now;

	if (!rate)
		return true;
	r = &srv->rates[bucket_of(src)];
	now = coned_now_ms();
	if (!r->at) {
		r->tokens = 2.0 * rate;
	} else {
		r->tokens += (double)(now - r->at) * rate / 1000;
		if (r->tokens > 2.0 * rate)
			r->tokens = 2.0 * rate;
	}
	r->at = now;
	if (r->tokens < 1)
		return false;
	r->tokens -= 1;
	return true;
}
