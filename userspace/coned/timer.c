// SPDX-License-Identifier: GPL-2.0
/*
 * Timers in a binary min-heap: arm, re-arm and cancel in O(log n), and
 * the main loop sleeps until the earliest.  Each timer knows its slot.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "coned.h"

uint64_t coned_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void place(struct timer_heap *h, unsigned int i, struct coned_timer *t)
{
	h->v[i] = t;
	t->idx = i;
}

static void sift_up(struct timer_heap *h, unsigned int i)
{
	struct coned_timer *t = h->v[i];

	while (i > 1 && h->v[i / 2]->when > t->when) {
		place(h, i, h->v[i / 2]);
		i /= 2;
	}
	place(h, i, t);
}

static void sift_down(struct timer_heap *h, unsigned int i)
{
	struct coned_timer *t = h->v[i];
	unsigned int c;

	for (;;) {
		c = 2 * i;
		if (c > h->n)
			break;
		if (c < h->n && h->v[c + 1]->when < h->v[c]->when)
			c++;
		if (h->v[c]->when >= t->when)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

int timer_arm(struct timer_heap *h, struct coned_timer *t, uint64_t when)
{
	struct coned_timer **v;
	unsigned int cap;

	if (t->idx) {
		t->when = when;
		sift_up(h, t->idx);
		sift_down(h, t->idx);
		return 0;
	}
	if (h->n + 1 >= h->cap) {
		cap = h->cap ? 2 * h->cap : 64;
		v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	t->when = when;
	h->n++;
	place(h, h->n, t);
	sift_up(h, h->n);
	return 0;
}

void timer_cancel(struct timer_heap *h, struct coned_timer *t)
{
	unsigned int i = t->idx;
	struct coned_timer *last;

	if (!i)
		return;
	t->idx = 0;
	last = h->v[h->n--];
	if (last == t)
		return;
	place(h, i, last);
	sift_up(h, i);
	sift_down(h, last->idx);
}

int timer_run(struct coned *srv, struct timer_heap *h, uint64_t now)
{
	struct coned_timer *t;

	while (h->n && h->v[1]->when <= now) {
		t = h->v[1];
		timer_cancel(h, t);
		t->fire(srv, t);
	}
	if (!h->n)
		return -1;
	return h->v[1]->when - now;
}
