// SPDX-License-Identifier: GPL-2.0
/*
 * Per internal address ("subscriber", RFC 6888) mapping counts, for the
 * per-address limit of RFC 6888 REQ-4.  A count changes only when a
 * mapping is made or removed, under one of a namespace's hashed locks, so
 * an entry is created, counted and removed at zero without races and
 * without a global lock.
 */

#include <linux/jhash.h>
#include <linux/slab.h>

#include "subscriber.h"

static const struct rhashtable_params subscriber_params = {
	.key_len = sizeof(struct conenat_subscriber_key),
	.key_offset = offsetof(struct conenat_subscriber, key),
	.head_offset = offsetof(struct conenat_subscriber, node),
	.automatic_shrinking = true,
};

int conenat_subscribers_init(struct conenat_net *cn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cn->subscriber_locks); i++)
		spin_lock_init(&cn->subscriber_locks[i]);
	return rhashtable_init(&cn->subscribers, &subscriber_params);
}

/* Called with every mapping gone, so the table is empty. */
void conenat_subscribers_destroy(struct conenat_net *cn)
{
	rhashtable_destroy(&cn->subscribers);
}

static spinlock_t *conenat_subscriber_lock(struct conenat_net *cn,
					   const struct conenat_subscriber_key *key)
{
	u32 hash = jhash(key, sizeof(*key), 0);

	return &cn->subscriber_locks[hash % ARRAY_SIZE(cn->subscriber_locks)];
}

static struct conenat_subscriber *
conenat_subscriber_new(struct conenat_net *cn,
		       const struct conenat_subscriber_key *key)
{
	struct conenat_subscriber *s = kzalloc(sizeof(*s), GFP_ATOMIC);

	if (!s)
		return NULL;
	s->key = *key;
	if (rhashtable_insert_fast(&cn->subscribers, &s->node,
				   subscriber_params)) {
		kfree(s);
		return NULL;
	}
	return s;
}

struct conenat_subscriber *
conenat_subscriber_hold(struct conenat_net *cn,
			const struct conenat_instance *inst, __be32 addr,
			u32 limit)
{
	struct conenat_subscriber_key key = { .inst = inst, .addr = addr };
	spinlock_t *lock = conenat_subscriber_lock(cn, &key);
	struct conenat_subscriber *s;

	spin_lock_bh(lock);
	s = rhashtable_lookup_fast(&cn->subscribers, &key, subscriber_params);
	if (!s)
		s = conenat_subscriber_new(cn, &key);
	if (!s)
		s = ERR_PTR(-ENOMEM);
	else if (limit && s->nmappings >= limit)
		s = ERR_PTR(-EDQUOT);
	else
		s->nmappings++;
	spin_unlock_bh(lock);
	return s;
}

void conenat_subscriber_release(struct conenat_net *cn,
				struct conenat_subscriber *s)
{
	spinlock_t *lock = conenat_subscriber_lock(cn, &s->key);

	spin_lock_bh(lock);
	if (!--s->nmappings) {
		rhashtable_remove_fast(&cn->subscribers, &s->node,
				       subscriber_params);
		kfree_rcu(s, rcu);
	}
	spin_unlock_bh(lock);
}
