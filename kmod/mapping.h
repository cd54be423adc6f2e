/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_MAPPING_H
#define _CONENAT_MAPPING_H

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/rhashtable.h>

#include "instance.h"
#include "subscriber.h"

/* What a flow shares its mapping by; unused parts stay zero. */
struct conenat_int_key {
	const struct conenat_instance *inst;
	__be32 int_addr;
	__be32 rem_addr;		/* adm, apdm */
	__be16 int_port;
	__be16 rem_port;		/* apdm */
	u8 proto;
	u8 pad[3];
};

/* An external endpoint; each belongs to one mapping at a time. */
struct conenat_ext_key {
	__be32 addr;
	__be16 port;
	u8 proto;
	u8 pad;
};

struct conenat_mapping {
	struct rhash_head int_node;
	struct rhash_head ext_node;
	struct conenat_int_key ikey;
	struct conenat_ext_key ekey;
	unsigned long expires;		/* jiffies */
	atomic64_t pkts_out;
	atomic64_t pkts_in;
	struct conenat_instance *inst;
	struct conenat_pool *pool;
	struct conenat_subscriber *sub;	/* its internal address's count */
	spinlock_t lock;		/* remotes list */
	struct hlist_head remotes;
	unsigned int nremotes;
	unsigned long dead;		/* bit 0: removal claimed */
	struct rcu_head rcu;
};

/* Where the flow that makes a mapping goes (for the mapping event). */
struct conenat_dest {
	__be32 addr;
	__be16 port;			/* 0 for ICMP */
};

/* A remote the mapping exchanged packets with. */
struct conenat_remote_key {
	const struct conenat_mapping *m;
	__be32 addr;
	__be16 port;			/* 0 with CONENAT_REMOTE_ADDR_ONLY */
	u8 addr_only;
	u8 pad;
};

/* Bit of conenat_remote.flags: the mapping sent to it. */
#define CONENAT_REMOTE_PERMIT 0

struct conenat_remote {
	struct rhash_head node;
	struct conenat_remote_key key;
	struct hlist_node list;		/* in the mapping, RCU */
	unsigned long flags;
	struct rcu_head rcu;
};

int conenat_mappings_init(struct conenat_net *cn);
void conenat_mappings_destroy(struct conenat_net *cn);
int conenat_mapping_caches_init(void);
void conenat_mapping_caches_destroy(void);

static inline bool conenat_mapping_expired(const struct conenat_mapping *m)
{
	return time_after_eq(jiffies, READ_ONCE(m->expires));
}

static inline void conenat_mapping_refresh(struct conenat_mapping *m,
					   u32 timeout)
{
	unsigned long expires = jiffies + timeout * HZ;

	/* Spare the cache line: a quarter second is precise enough. */
	if (time_after(expires, READ_ONCE(m->expires) + HZ / 4))
		WRITE_ONCE(m->expires, expires);
}

struct conenat_mapping *conenat_lookup_int(struct conenat_net *cn,
					   const struct conenat_int_key *key);
struct conenat_mapping *conenat_lookup_ext(struct conenat_net *cn,
					   const struct conenat_ext_key *key);
/*
 * A new mapping for key on ext_addr, or ERR_PTR: -EDQUOT at the internal
 * address's limit, -ENOSPC with no port left, -ENOMEM.
 */
struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       const struct conenat_int_key *key,
					       __be32 ext_addr, u32 timeout,
					       const struct conenat_dest *dest);
void conenat_mapping_remove(struct conenat_mapping *m, bool expired);
void conenat_mappings_flush(struct conenat_instance *inst);

void conenat_remote_add(struct conenat_mapping *m, __be32 addr, __be16 port,
			bool permit);
bool conenat_filter_permits(struct conenat_mapping *m, u8 filtering,
			    __be32 addr, __be16 port);

void conenat_gc_work(struct work_struct *work);

#endif /* _CONENAT_MAPPING_H */
