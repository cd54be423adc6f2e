/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_PORTS_H
#define _CONENAT_PORTS_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * Ports fall in four classes, by range (below 1024 or not, RFC 4787
 * REQ-3a) and parity (REQ-4); an allocation may be confined to some.
 */
#define CONENAT_PORT_CLASSES 4
#define CONENAT_PORT_CLASS_ALL ((1U << CONENAT_PORT_CLASSES) - 1)

/* The classes of the port's parity, and of its range. */
#define CONENAT_PORT_CLASSES_PARITY(port) ((port) & 1 ? 0xa : 0x5)
#define CONENAT_PORT_CLASSES_RANGE(port) ((port) >= 1024 ? 0xc : 0x3)

static inline unsigned int conenat_port_class(u16 port)
{
	return (port >= 1024) << 1 | (port & 1);
}

/*
 * The free external ports of one (address, protocol): per class, a dense
 * array of free ports, and each port's index in its class's array, so
 * taking a given port, taking a random one and freeing one are all O(1).
 * A freed port first waits in a quarantine queue (RFC 6888 REQ-8), oldest
 * first.
 */
struct conenat_pool {
	struct list_head list;		/* in conenat_pools, RCU */
	spinlock_t lock;
	__be32 addr;
	u8 proto;
	u16 lo, hi;
	u32 nfree[CONENAT_PORT_CLASSES];
	u16 *free[CONENAT_PORT_CLASSES]; /* each class's part of slots */
	u16 *slots;			/* hi - lo + 1 of them */
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
/*
 * The preferred port if free (unless 0), else a random free port of the
 * classes in the mask (bits of conenat_port_class()); 0 if none.
 */
u16 conenat_port_take(struct conenat_pool *pool, u16 preferred,
		      unsigned int classes);
/* Free a port, for others after quarantine seconds. */
void conenat_port_put(struct conenat_pool *pool, u16 port, u32 quarantine);

#endif /* _CONENAT_PORTS_H */
