/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_MAPPING_H
#define _CONENAT_MAPPING_H

#include <linux/jiffies.h>
#include <linux/llist.h>
#include <linux/rhashtable.h>
#include <net/netfilter/nf_conntrack_zones.h>

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

/* Bits of conenat_mapping.state. */
enum conenat_mapping_state {
	/* Removal claimed: unhashed or being unhashed, freed by the collector. */
	CONENAT_MAP_DYING_BIT,
};

/*
 * A mapping's life: made on a flow's first packet and put on the wheel,
 * then in the internal table and its pool's owner array.  Whoever claims
 * its removal (CONENAT_MAP_DYING_BIT: the packet path replacing an expired
 * one, the collector, a flush, a deletion) unhashes it and hands it to the
 * collector (conenat_net.dying), which alone frees it: it takes it off the
 * wheel, ends its remotes and their conntrack entries, and frees it after
 * an RCU grace period.  Readers hold RCU.
 */
struct conenat_mapping {
	struct rhash_head int_node;
	struct hlist_node wheel_node;	/* in its wheel slot */
	struct conenat_int_key ikey;	/* ikey.inst: its instance */
	struct conenat_ext_key ekey;
	unsigned long expires;		/* jiffies */
	u64 pkts_out;			/* racy counts: no atomics per packet */
	u64 pkts_in;
	struct conenat_pool *pool;
	struct conenat_subscriber *sub;	/* its internal address's count */
	struct hlist_head remotes;	/* under lock; the collector's once dying */
	spinlock_t lock;
	u16 nremotes;
	u16 wheel_slot;			/* the collector's */
	struct nf_conntrack_zone zone;	/* of the flow that made it */
	unsigned long state;		/* enum conenat_mapping_state */
	union {
		struct llist_node dying;	/* claimed, until the collector */
		struct rcu_head rcu;		/* then until freed */
	};
};

static inline struct conenat_instance *
conenat_mapping_inst(const struct conenat_mapping *m)
{
	return (struct conenat_instance *)m->ikey.inst;
}

static inline bool conenat_mapping_dying(const struct conenat_mapping *m)
{
	return test_bit(CONENAT_MAP_DYING_BIT, &m->state);
}

/* Where the flow that makes a mapping goes (for the mapping event). */
struct conenat_dest {
	__be32 addr;
	__be16 port;			/* 0 for ICMP */
};

/* A remote the mapping exchanged packets with. */
struct conenat_remote_key {
	const struct conenat_mapping *m;
	__be32 addr;
	__be16 port;			/* 0 with addr_only */
	u8 addr_only;
	u8 pad;
};

/* Bits of conenat_remote.flags. */
enum conenat_remote_flags {
	CONENAT_REMOTE_PERMIT_BIT,	/* the mapping sent to it */
};

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

/* Its TCP connection closed: the transitory timeout, if it was the only one. */
void conenat_mapping_closed(struct conenat_mapping *m, u32 timeout);

/* A live mapping by internal key, or NULL (RCU). */
struct conenat_mapping *conenat_lookup_int(struct conenat_net *cn,
					   const struct conenat_int_key *key);
/*
 * The mapping for key (a new one on pool, or one another CPU made first),
 * or ERR_PTR: -EDQUOT at the internal address's limit, -ENOSPC with no
 * port left, -ENOMEM, -EAGAIN when a dying mapping still holds the key.
 */
struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       const struct conenat_int_key *key,
					       struct conenat_pool *pool,
					       const struct nf_conn *ct,
					       u32 timeout,
					       const struct conenat_dest *dest);
/* Does an offloaded flow keep the expired mapping alive?  Refreshes it. */
bool conenat_mapping_offloaded(struct conenat_mapping *m);
/* Claim and unhash a mapping, unless another did (RCU or cn->lock). */
void conenat_mapping_remove(struct conenat_mapping *m, bool expired);
/* Remove every mapping of the pools, in one pass (process context). */
void conenat_pools_flush(struct conenat_pools *pools);
/* Free what was removed (the collector, or with it stopped). */
void conenat_mappings_reap(struct conenat_net *cn);

void conenat_remote_add(struct conenat_mapping *m, __be32 addr, __be16 port,
			bool permit);
bool conenat_filter_permits(struct conenat_mapping *m, u8 filtering,
			    __be32 addr, __be16 port);

void conenat_gc_work(struct work_struct *work);

#endif /* _CONENAT_MAPPING_H */
