// SPDX-License-Identifier: GPL-2.0
/*
 * External ports: O(1) allocation (the internal port when it is free, port
 * preservation, or a uniformly random free port, RFC 6056) of the classes
 * (range, parity) the caller allows, never a port the gateway's own
 * sockets hold; and the owner of each port, for the inbound path.
 */

#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "instance.h"
#include "ports.h"

#define CONENAT_NO_SLOT 0xffff
/* Random picks that may meet a port of the gateway's before giving up. */
#define CONENAT_LOCAL_PICKS 8

static void conenat_pool_free(struct conenat_pool *pool)
{
	if (!pool)
		return;
	kvfree(pool->owner);
	kvfree(pool->slots);
	kvfree(pool->index);
	kvfree(pool->qport);
	kvfree(pool->qrelease);
	kfree(pool);
}

static void conenat_pool_free_port(struct conenat_pool *pool, u16 port)
{
	unsigned int c = conenat_port_class(port);

	pool->index[port - pool->lo] = pool->nfree[c];
	pool->free[c][pool->nfree[c]++] = port;
}

/* Each class gets the part of slots its ports of the range fill. */
static void conenat_pool_fill(struct conenat_pool *pool)
{
	u32 n = pool->hi - pool->lo + 1, count[CONENAT_PORT_CLASSES] = {};
	u16 *part = pool->slots;
	unsigned int c;
	u32 i;

	for (i = 0; i < n; i++)
		count[conenat_port_class(pool->lo + i)]++;
	for (c = 0; c < CONENAT_PORT_CLASSES; c++) {
		pool->free[c] = part;
		part += count[c];
	}
	for (i = 0; i < n; i++)
		conenat_pool_free_port(pool, pool->lo + i);
}

static struct conenat_pool *conenat_pool_new(struct conenat_instance *inst,
					     struct net *net, __be32 addr,
					     u8 proto, u16 lo, u16 hi)
{
	u32 n = hi - lo + 1;
	struct conenat_pool *pool;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->owner = kvcalloc(n, sizeof(*pool->owner), GFP_KERNEL);
	pool->slots = kvmalloc_array(n, sizeof(u16), GFP_KERNEL);
	pool->index = kvmalloc_array(n, sizeof(u16), GFP_KERNEL);
	pool->qport = kvmalloc_array(n, sizeof(u16), GFP_KERNEL);
	pool->qrelease = kvmalloc_array(n, sizeof(u32), GFP_KERNEL);
	if (!pool->owner || !pool->slots || !pool->index || !pool->qport ||
	    !pool->qrelease) {
		conenat_pool_free(pool);
		return NULL;
	}
	INIT_HLIST_NODE(&pool->node);
	spin_lock_init(&pool->lock);
	pool->inst = inst;
	pool->net = net;
	pool->addr = addr;
	pool->proto = proto;
	pool->lo = lo;
	pool->hi = hi;
	conenat_pool_fill(pool);
	return pool;
}

static const u8 conenat_protos[CONENAT_NPROTOS] = {
	[CONENAT_PROTO_UDP] = IPPROTO_UDP,
	[CONENAT_PROTO_TCP] = IPPROTO_TCP,
	[CONENAT_PROTO_ICMP] = IPPROTO_ICMP,
};

static void conenat_pools_destroy(struct conenat_pools *pools)
{
	unsigned int i, p;

	for (i = 0; i < pools->naddrs; i++)
		for (p = 0; p < CONENAT_NPROTOS; p++)
			conenat_pool_free(pools->pool[i][p]);
	kfree(pools);
}

struct conenat_pools *conenat_pools_new(struct conenat_instance *inst,
					const __be32 *addrs,
					unsigned int naddrs, u16 lo, u16 hi)
{
	struct conenat_net *cn = inst->cn;
	struct conenat_pools *pools;
	unsigned int i, p;

	pools = kzalloc(sizeof(*pools), GFP_KERNEL);
	if (!pools)
		return NULL;
	pools->naddrs = naddrs;
	pools->lo = lo;
	pools->hi = hi;
	for (i = 0; i < naddrs; i++) {
		pools->addrs[i] = addrs[i];
		for (p = 0; p < CONENAT_NPROTOS; p++) {
			pools->pool[i][p] = conenat_pool_new(inst, cn->net,
							     addrs[i],
							     conenat_protos[p],
							     lo, hi);
			if (!pools->pool[i][p]) {
				conenat_pools_destroy(pools);
				return NULL;
			}
		}
	}
	return pools;
}

static void conenat_pools_free_rcu(struct rcu_head *rcu)
{
	conenat_pools_destroy(container_of(rcu, struct conenat_pools, rcu));
}

void conenat_pools_free(struct conenat_pools *pools)
{
	if (pools)
		call_rcu(&pools->rcu, conenat_pools_free_rcu);
}

static struct hlist_head *conenat_pool_bucket(struct conenat_net *cn,
					      __be32 addr, u8 proto)
{
	u32 hash = jhash_2words((__force u32)addr, proto, 0);

	return &cn->pools[hash % ARRAY_SIZE(cn->pools)];
}

struct conenat_pool *conenat_pool_lookup(struct conenat_net *cn, __be32 addr,
					 u8 proto)
{
	struct conenat_pool *pool;

	hlist_for_each_entry_rcu(pool, conenat_pool_bucket(cn, addr, proto),
				 node, lockdep_is_held(&cn->lock))
		if (pool->addr == addr && pool->proto == proto)
			return pool;
	return NULL;
}

bool conenat_pools_clash(struct conenat_net *cn,
			 const struct conenat_pools *pools,
			 const struct conenat_instance *inst)
{
	struct conenat_pool *pool;
	unsigned int i;

	lockdep_assert_held(&cn->lock);
	for (i = 0; i < pools->naddrs; i++) {
		pool = conenat_pool_lookup(cn, pools->addrs[i], IPPROTO_UDP);
		if (pool && pool->inst != inst)
			return true;
	}
	return false;
}

void conenat_pools_publish(struct conenat_net *cn, struct conenat_pools *pools)
{
	unsigned int i, p;

	lockdep_assert_held(&cn->lock);
	for (i = 0; i < pools->naddrs; i++)
		for (p = 0; p < CONENAT_NPROTOS; p++)
			hlist_add_head_rcu(&pools->pool[i][p]->node,
					   conenat_pool_bucket(cn, pools->addrs[i],
							       conenat_protos[p]));
}

void conenat_pools_unpublish(struct conenat_net *cn,
			     struct conenat_pools *pools)
{
	unsigned int i, p;

	lockdep_assert_held(&cn->lock);
	for (i = 0; i < pools->naddrs; i++)
		for (p = 0; p < CONENAT_NPROTOS; p++)
			hlist_del_init_rcu(&pools->pool[i][p]->node);
}

/*
 * udp4_lib_lookup() exists only with TPROXY or socket matching built, so
 * the unconditional export is used, with the table it needs: per
 * namespace since 6.2 (Kbuild looks for the field).
 */
static struct udp_table *conenat_udp_table(struct net *net)
{
#ifdef CONENAT_HAVE_NETNS_UDP_TABLE
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

bool conenat_port_local(struct net *net, u8 proto, __be32 addr, __be16 port)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "conenat: port lookup outside RCU");
	switch (proto) {
	case IPPROTO_UDP:
		return __udp4_lib_lookup(net, 0, 0, addr, port, 0, 0,
					 conenat_udp_table(net), NULL);
	case IPPROTO_TCP:
		return __inet_lookup_listener(net, net->ipv4.tcp_death_row.hashinfo,
					      NULL, 0, 0, 0, addr, ntohs(port),
					      0, 0);
	}
	return false;
}

/* Remove the port in slot i of class c by moving its last one there. */
static u16 conenat_pool_take_slot(struct conenat_pool *pool, unsigned int c,
				  u32 i)
{
	u16 port = pool->free[c][i], last = pool->free[c][--pool->nfree[c]];

	pool->free[c][i] = last;
	pool->index[last - pool->lo] = i;
	pool->index[port - pool->lo] = CONENAT_NO_SLOT;
	return port;
}

/* A uniformly random free port of the classes in the mask; 0 if none. */
static u16 conenat_pool_take_random(struct conenat_pool *pool,
				    unsigned int classes)
{
	u32 total = 0, r;
	unsigned int c;

	for (c = 0; c < CONENAT_PORT_CLASSES; c++)
		if (classes & BIT(c))
			total += pool->nfree[c];
	if (!total)
		return 0;
	r = get_random_u32_below(total);
	for (c = 0; c < CONENAT_PORT_CLASSES; c++) {
		if (!(classes & BIT(c)))
			continue;
		if (r < pool->nfree[c])
			break;
		r -= pool->nfree[c];
	}
	return conenat_pool_take_slot(pool, c, r);
}

/* Ports whose quarantine is over become free again. */
static void conenat_pool_release(struct conenat_pool *pool)
{
	u32 n = pool->hi - pool->lo + 1;

	lockdep_assert_held(&pool->lock);
	while (pool->nq &&
	       !time_before32((u32)jiffies, pool->qrelease[pool->qhead])) {
		conenat_pool_free_port(pool, pool->qport[pool->qhead]);
		pool->qhead = (pool->qhead + 1) % n;
		pool->nq--;
	}
}

static u16 conenat_pool_take_preferred(struct conenat_pool *pool, u16 port)
{
	u32 slot;

	if (!port || port < pool->lo || port > pool->hi)
		return 0;
	slot = pool->index[port - pool->lo];
	if (slot == CONENAT_NO_SLOT)
		return 0;
	return conenat_pool_take_slot(pool, conenat_port_class(port), slot);
}

static bool conenat_pool_port_local(struct conenat_pool *pool, u16 port)
{
	return conenat_port_local(pool->net, pool->proto, pool->addr,
				  htons(port));
}

/*
 * A port of the gateway's own stays free: the gateway may close the
 * socket, and then the port serves mappings again.
 */
u16 conenat_port_take(struct conenat_pool *pool, u16 preferred,
		      unsigned int classes)
{
	u16 port, local[CONENAT_LOCAL_PICKS];
	unsigned int picks = 0, i;

	spin_lock_bh(&pool->lock);
	conenat_pool_release(pool);
	port = conenat_pool_take_preferred(pool, preferred) ?:
	       conenat_pool_take_random(pool, classes);
	while (port && conenat_pool_port_local(pool, port)) {
		local[picks++] = port;
		port = picks < ARRAY_SIZE(local) ?
		       conenat_pool_take_random(pool, classes) : 0;
	}
	for (i = 0; i < picks; i++)
		conenat_pool_free_port(pool, local[i]);
	spin_unlock_bh(&pool->lock);
	return port;
}

void conenat_port_put(struct conenat_pool *pool, u16 port, u32 quarantine)
{
	u32 n = pool->hi - pool->lo + 1, tail;

	spin_lock_bh(&pool->lock);
	if (!quarantine) {
		conenat_pool_free_port(pool, port);
	} else {
		/* A port is taken once, so the ring never holds more than n. */
		tail = (pool->qhead + pool->nq++) % n;
		pool->qport[tail] = port;
		pool->qrelease[tail] = (u32)jiffies + quarantine * HZ;
	}
	spin_unlock_bh(&pool->lock);
}

/* Paired pooling (RFC 4787 REQ-2): the address by a hash of the internal one. */
static u32 conenat_pools_slot(const struct conenat_pools *pools, __be32 int_addr)
{
	return reciprocal_scale(jhash_1word((__force u32)int_addr, 0),
				pools->naddrs);
}

__be32 conenat_pools_addr(const struct conenat_pools *pools, __be32 int_addr)
{
	if (!pools || !pools->naddrs)
		return 0;
	return pools->addrs[conenat_pools_slot(pools, int_addr)];
}

struct conenat_pool *conenat_pools_pick(const struct conenat_pools *pools,
					__be32 int_addr, u8 proto)
{
	int p = conenat_proto_index(proto);

	if (!pools || !pools->naddrs || p < 0)
		return NULL;
	return pools->pool[conenat_pools_slot(pools, int_addr)][p];
}
