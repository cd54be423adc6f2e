/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_WHEEL_H
#define _CONENAT_WHEEL_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * The expiry wheel: every mapping of a namespace, from its creation until
 * it is freed, sits in the slot of the second it is due to be looked at
 * (its expiry, or CONENAT_WHEEL_SLOTS - 1 seconds ahead at most).  A
 * refresh writes the mapping's expiry only; the collector visits the due
 * slots once a second and re-files what was refreshed, so its work is the
 * mappings that come due, not all of them.
 *
 * Creators add to a slot under its lock; only the collector moves or
 * removes a mapping, so a mapping's slot number changes under the
 * collector alone.
 */
#define CONENAT_WHEEL_SLOTS 1024

struct conenat_wheel_slot {
	spinlock_t lock;		/* head */
	struct hlist_head head;
};

struct conenat_wheel {
	struct conenat_wheel_slot *slots;
	u64 done;			/* the last second visited */
};

struct conenat_net;
struct conenat_mapping;

int conenat_wheel_init(struct conenat_wheel *wheel);
/* Called with the wheel empty. */
void conenat_wheel_destroy(struct conenat_wheel *wheel);
/* File a new mapping by its expiry (any context). */
void conenat_wheel_add(struct conenat_wheel *wheel, struct conenat_mapping *m);
/* Take a mapping off the wheel, for freeing (the collector only). */
void conenat_wheel_del(struct conenat_wheel *wheel, struct conenat_mapping *m);
/*
 * Visit the slots come due: remove the mappings that expired, re-file the
 * others (the collector only).
 */
void conenat_wheel_run(struct conenat_net *cn);

#endif /* _CONENAT_WHEEL_H */
