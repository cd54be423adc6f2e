/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_PORTS_H
#define _CONENAT_PORTS_H

#include <linux/in.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/conenat.h>

struct conenat_instance;
struct conenat_mapping;
struct conenat_net;

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

/* The protocols with mappings, each with a pool per external address. */
enum conenat_proto_index {
	CONENAT_PROTO_UDP,
	CONENAT_PROTO_TCP,
	CONENAT_PROTO_ICMP,
	CONENAT_NPROTOS
};

static inline int conenat_proto_index(u8 proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return CONENAT_PROTO_UDP;
	case IPPROTO_TCP:
		return CONENAT_PROTO_TCP;
	case IPPROTO_ICMP:
		return CONENAT_PROTO_ICMP;
	}
	return -1;
}

/*
 * The external ports of one (address, protocol) of an instance: which
 * mapping owns each (owner[port - lo], the inbound lookup), and the free
 * ones.  Free ports are kept per class in a dense array, with each port's
 * index in its class's array, so taking a given port, taking a random one
 * and freeing one are all O(1).  A freed port first waits in a quarantine
 * ring (RFC 6888 REQ-8), oldest first.
 *
 * All arrays are allocated when the pool is made, in process context;
 * the packet path never allocates a pool.  A pool is freed after an RCU
 * grace period that follows the removal of its last mapping.
 */
struct conenat_pool {
	struct hlist_node node;		/* in conenat_net.pools, RCU */
	struct conenat_instance *inst;
	struct net *net;
	__be32 addr;
	u8 proto;
	u16 lo, hi;
	struct conenat_mapping __rcu **owner;
	spinlock_t lock;		/* the free ports and quarantine */
	u32 nfree[CONENAT_PORT_CLASSES];
	u16 *free[CONENAT_PORT_CLASSES]; /* each class's part of slots */
	u16 *slots;			/* hi - lo + 1 of them */
	u16 *index;			/* index[port - lo]: its slot in free */
	u16 *qport;			/* quarantine ring of nq ports ... */
	u32 *qrelease;			/* ... free again at these jiffies */
	u32 qhead, nq;
	struct rcu_head rcu;
};

/*
 * The pools of an instance: one per external address and protocol, for
 * one port range; replaced as a whole when the addresses or the range
 * change (and, for an instance that follows its device's address, when
 * that address changes).
 */
struct conenat_pools {
	unsigned int naddrs;
	u16 lo, hi;
	__be32 addrs[CONENAT_MAX_ADDRS];
	struct conenat_pool *pool[CONENAT_MAX_ADDRS][CONENAT_NPROTOS];
	struct rcu_head rcu;
};

/* Pools for each address and protocol (GFP_KERNEL), or NULL. */
struct conenat_pools *conenat_pools_new(struct conenat_instance *inst,
					const __be32 *addrs,
					unsigned int naddrs, u16 lo, u16 hi);
/* Free pools that no mapping uses any more, after a grace period. */
void conenat_pools_free(struct conenat_pools *pools);

/* Does an address of the pools belong to another instance's pools? */
bool conenat_pools_clash(struct conenat_net *cn,
			 const struct conenat_pools *pools,
			 const struct conenat_instance *inst);
/* Make the pools findable by the inbound path, or no longer (cn->lock). */
void conenat_pools_publish(struct conenat_net *cn, struct conenat_pools *pools);
void conenat_pools_unpublish(struct conenat_net *cn,
			     struct conenat_pools *pools);
/* The pool of an external (address, protocol) in the namespace (RCU). */
struct conenat_pool *conenat_pool_lookup(struct conenat_net *cn, __be32 addr,
					 u8 proto);

/*
 * The external address for an internal one, and the pool of a protocol
 * there: always the same (paired pooling); 0 or NULL if there is none.
 */
__be32 conenat_pools_addr(const struct conenat_pools *pools, __be32 int_addr);
struct conenat_pool *conenat_pools_pick(const struct conenat_pools *pools,
					__be32 int_addr, u8 proto);

/* The mapping owning an external port of the pool, or NULL (RCU). */
static inline struct conenat_mapping *
conenat_pool_owner(const struct conenat_pool *pool, __be16 port)
{
	u16 p = ntohs(port);

	if (p < pool->lo || p > pool->hi)
		return NULL;
	return rcu_dereference(pool->owner[p - pool->lo]);
}

/*
 * Take a port: the preferred one if free (unless 0), else a random free
 * port of the classes in the mask (bits of conenat_port_class()); never
 * one a local socket of the gateway is bound to.  0 if none.
 */
u16 conenat_port_take(struct conenat_pool *pool, u16 preferred,
		      unsigned int classes);
/* Free a taken port, for others after quarantine seconds. */
void conenat_port_put(struct conenat_pool *pool, u16 port, u32 quarantine);

/* Is the external endpoint a socket of the gateway itself (RCU)? */
bool conenat_port_local(struct net *net, u8 proto, __be32 addr, __be16 port);

#endif /* _CONENAT_PORTS_H */
