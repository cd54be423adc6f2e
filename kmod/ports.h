/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_PORTS_H
#define _CONENAT_PORTS_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * The free external ports of one (address, protocol): a dense array of
 * free ports and each port's index in it, so taking a given port, taking a
 * random one and freeing one are all O(1).  A freed port first waits in a
 * quarantine queue (RFC 6888 REQ-8), oldest first.
 */
struct conenat_pool {
	struct list_head list;		/* in conenat_pools, RCU */
	spinlock_t lock;
	__be32 addr;
	u8 proto;
	u16 lo, hi;
	u32 nfree;
	u16 *free;			/* nfree free ports */
	u16 *index;			/* index[port - lo]: its slot in free */
	u16 *qport;			/* quarantine ring of nq ports ... */
	u32 *qrelease;			/* ... free again at these jiffies */
	u32 qhead, nq;
	struct rcu_head rcu;
};

/* All pools of an instance for one port range, replaced as a whole. */
struct conenat_pools {
	spinlock_t lock;		/* adding a pool */
	struct list_head list;
	u16 lo, hi;
	struct rcu_head rcu;
};

struct conenat_pools *conenat_pools_new(u16 lo, u16 hi);
void conenat_pools_free(struct conenat_pools *pools);
struct conenat_pool *conenat_pool_get(struct conenat_pools *pools,
				      __be32 addr, u8 proto);
/* The preferred port if free, else a random free one; 0 if none. */
u16 conenat_port_take(struct conenat_pool *pool, u16 preferred);
/* Free a port, for others after quarantine seconds. */
void conenat_port_put(struct conenat_pool *pool, u16 port, u32 quarantine);

#endif /* _CONENAT_PORTS_H */
