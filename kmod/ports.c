// SPDX-License-Identifier: GPL-2.0
/*
 * O(1) external port allocation: taking the internal port when it is free
 * (port preservation) or a uniformly random free port (RFC 6056), of the
 * classes (range, parity) the caller allows.
 */

#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "ports.h"

#define CONENAT_NO_SLOT 0xffff

struct conenat_pools *conenat_pools_new(u16 lo, u16 hi)
{
	struct conenat_pools *pools = kzalloc(sizeof(*pools), GFP_KERNEL);

	if (!pools)
		return NULL;
	spin_lock_init(&pools->lock);
	INIT_LIST_HEAD(&pools->list);
	pools->lo = lo;
	pools->hi = hi;
	return pools;
}

static void conenat_pool_free(struct conenat_pool *pool)
{
	kvfree(pool->slots);
	kvfree(pool->index);
	kvfree(pool->qport);
	kvfree(pool->qrelease);
	kfree(pool);
}

/* Called when no mapping uses the pools any more. */
void conenat_pools_free(struct conenat_pools *pools)
{
	struct conenat_pool *pool, *tmp;

	if (!pools)
		return;
	list_for_each_entry_safe(pool, tmp, &pools->list, list)
		conenat_pool_free(pool);
	kfree(pools);
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

static struct conenat_pool *conenat_pool_new(struct conenat_pools *pools,
					     __be32 addr, u8 proto)
{
	u32 n = pools->hi - pools->lo + 1;
	struct conenat_pool *pool;

	pool = kzalloc(sizeof(*pool), GFP_ATOMIC);
	if (!pool)
		return NULL;
	pool->slots = kvmalloc_array(n, sizeof(u16), GFP_ATOMIC);
	pool->index = kvmalloc_array(n, sizeof(u16), GFP_ATOMIC);
	pool->qport = kvmalloc_array(n, sizeof(u16), GFP_ATOMIC);
	pool->qrelease = kvmalloc_array(n, sizeof(u32), GFP_ATOMIC);
	if (!pool->slots || !pool->index || !pool->qport || !pool->qrelease) {
		conenat_pool_free(pool);
		return NULL;
	}
	spin_lock_init(&pool->lock);
	pool->addr = addr;
	pool->proto = proto;
	pool->lo = pools->lo;
	pool->hi = pools->hi;
	conenat_pool_fill(pool);
	return pool;
}

static struct conenat_pool *conenat_pool_find(struct conenat_pools *pools,
					      __be32 addr, u8 proto)
{
	struct conenat_pool *pool;

	list_for_each_entry_rcu(pool, &pools->list, list)
		if (pool->addr == addr && pool->proto == proto)
			return pool;
	return NULL;
}

/* Find or make the pool of (addr, proto); called under RCU. */
struct conenat_pool *conenat_pool_get(struct conenat_pools *pools,
				      __be32 addr, u8 proto)
{
	struct conenat_pool *pool = conenat_pool_find(pools, addr, proto);

	if (pool)
		return pool;
	spin_lock_bh(&pools->lock);
	pool = conenat_pool_find(pools, addr, proto);
	if (!pool) {
		pool = conenat_pool_new(pools, addr, proto);
		if (pool)
			list_add_tail_rcu(&pool->list, &pools->list);
	}
	spin_unlock_bh(&pools->lock);
	return pool;
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

	while (pool->nq &&
	       !time_before32((u32)jiffies, pool->qrelease[pool->qhead])) {
		conenat_pool_free_port(pool, pool->qport[pool->qhead]);
		pool->qhead = (pool->qhead + 1) % n;
		pool->nq--;
	}
}

u16 conenat_port_take(struct conenat_pool *pool, u16 preferred,
		      unsigned int classes)
{
	u16 port = 0;
	u32 slot;

	spin_lock_bh(&pool->lock);
	conenat_pool_release(pool);
	if (preferred && preferred >= pool->lo && preferred <= pool->hi) {
		slot = pool->index[preferred - pool->lo];
		if (slot != CONENAT_NO_SLOT) {
			port = conenat_pool_take_slot(pool,
						      conenat_port_class(preferred),
						      slot);
			goto out;
		}
	}
	port = conenat_pool_take_random(pool, classes);
out:
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
