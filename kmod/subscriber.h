/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_SUBSCRIBER_H
#define _CONENAT_SUBSCRIBER_H

#include <linux/rhashtable.h>

#include "netns.h"

struct conenat_instance;

/* An internal address of an instance and how many mappings it holds. */
struct conenat_subscriber_key {
	const struct conenat_instance *inst;
	__be32 addr;
	u32 pad;
};

struct conenat_subscriber {
	struct rhash_head node;
	struct conenat_subscriber_key key;
	u32 nmappings;			/* under its lock of subscriber_locks */
	struct rcu_head rcu;
};

int conenat_subscribers_init(struct conenat_net *cn);
void conenat_subscribers_destroy(struct conenat_net *cn);

/*
 * Count one more mapping of the internal address: the subscriber, or
 * ERR_PTR(-EDQUOT) when it holds limit (0: no limit) already, or -ENOMEM.
 */
struct conenat_subscriber *
conenat_subscriber_hold(struct conenat_net *cn,
			const struct conenat_instance *inst, __be32 addr,
			u32 limit);
void conenat_subscriber_release(struct conenat_net *cn,
				struct conenat_subscriber *s);

#endif /* _CONENAT_SUBSCRIBER_H */
