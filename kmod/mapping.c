// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings: an internal endpoint's claim on an external endpoint, found by
 * the key its mapping behaviour shares it by (outbound) and through its
 * pool's owner array (inbound), with the remotes it has talked to (the
 * filter's permissions, and the conntrack entries to end with it).
 *
 * Lookups are RCU; changes take rhashtable's per-bucket locks, the pool's
 * lock and, for a mapping's remotes, the mapping's own lock.  Nothing
 * global is locked.  The lifetime rules are at struct conenat_mapping.
 */

#include <linux/icmp.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "mapping.h"
#include "nat.h"
#include "netlink.h"
#include "syn.h"

/* Remotes a mapping remembers, those it sent to included. */
#define CONENAT_MAX_REMOTES 4096
/* Remotes it remembers beyond those it sent to (inbound, EIF). */
#define CONENAT_MAX_INBOUND_REMOTES 1024
/* Owner slots a flush looks at before letting RCU and the scheduler in. */
#define CONENAT_FLUSH_BATCH 1024
/* Mappings the collector frees before letting the scheduler in. */
#define CONENAT_REAP_BATCH 64

static struct kmem_cache *mapping_cache __read_mostly;
static struct kmem_cache *remote_cache __read_mostly;

/* Sized for a busy gateway from the start; never shrunk by a flush. */
static const struct rhashtable_params int_params = {
	.key_len = sizeof(struct conenat_int_key),
	.key_offset = offsetof(struct conenat_mapping, ikey),
	.head_offset = offsetof(struct conenat_mapping, int_node),
	.nelem_hint = 4096,
};

static const struct rhashtable_params remote_params = {
	.key_len = sizeof(struct conenat_remote_key),
	.key_offset = offsetof(struct conenat_remote, key),
	.head_offset = offsetof(struct conenat_remote, node),
	.nelem_hint = 4096,
};

int __init conenat_mapping_caches_init(void)
{
	mapping_cache = KMEM_CACHE(conenat_mapping, 0);
	remote_cache = KMEM_CACHE(conenat_remote, 0);
	if (mapping_cache && remote_cache)
		return 0;
	conenat_mapping_caches_destroy();
	return -ENOMEM;
}

void conenat_mapping_caches_destroy(void)
{
	kmem_cache_destroy(mapping_cache);
	kmem_cache_destroy(remote_cache);
}

int conenat_mappings_init(struct conenat_net *cn)
{
	int ret;

	ret = conenat_wheel_init(&cn->wheel);
	if (ret)
		return ret;
	ret = rhashtable_init(&cn->by_int, &int_params);
	if (ret)
		goto err_wheel;
	ret = rhashtable_init(&cn->remotes, &remote_params);
	if (ret)
		goto err_int;
	init_llist_head(&cn->dying);
	mutex_init(&cn->gc_lock);
	INIT_DELAYED_WORK(&cn->gc, conenat_gc_work);
	return 0;

err_int:
	rhashtable_destroy(&cn->by_int);
err_wheel:
	conenat_wheel_destroy(&cn->wheel);
	return ret;
}

/* Called with every instance of the namespace gone: all is dying. */
void conenat_mappings_destroy(struct conenat_net *cn)
{
	cancel_delayed_work_sync(&cn->gc);
	mutex_lock(&cn->gc_lock);
	conenat_mappings_reap(cn);
	mutex_unlock(&cn->gc_lock);
	conenat_wheel_destroy(&cn->wheel);
	rhashtable_destroy(&cn->remotes);
	rhashtable_destroy(&cn->by_int);
}

struct conenat_mapping *conenat_lookup_int(struct conenat_net *cn,
					   const struct conenat_int_key *key)
{
	return rhashtable_lookup(&cn->by_int, key, int_params);
}

static void conenat_mapping_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(mapping_cache,
			container_of(rcu, struct conenat_mapping, rcu));
}

static void conenat_remote_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(remote_cache,
			container_of(rcu, struct conenat_remote, rcu));
}

/*
 * The external port of a new mapping: the internal one if free, unless
 * the instance wants random ports, else a random one of the classes the
 * instance allows it (RFC 4787 REQ-3a, REQ-4).
 */
static u16 conenat_port_for(struct conenat_pool *pool,
			    const struct conenat_cfg *cfg,
			    const struct conenat_int_key *key)
{
	unsigned int classes = CONENAT_PORT_CLASS_ALL;
	u16 int_port = ntohs(key->int_port);

	/* An ICMP identifier has neither parity nor range. */
	if (key->proto != IPPROTO_ICMP) {
		if (cfg->flags & CONENAT_NAT_F_PORT_PARITY)
			classes &= CONENAT_PORT_CLASSES_PARITY(int_port);
		if (cfg->flags & CONENAT_NAT_F_RANGE_PRESERVE)
			classes &= CONENAT_PORT_CLASSES_RANGE(int_port);
	}
	if (cfg->flags & CONENAT_NAT_F_PORT_RANDOM)
		int_port = 0;
	return conenat_port_take(pool, int_port, classes);
}

static struct conenat_mapping *conenat_mapping_new(struct conenat_instance *inst,
						   const struct conenat_cfg *cfg,
						   const struct conenat_int_key *key,
						   struct conenat_pool *pool)
{
	struct conenat_subscriber *sub;
	struct conenat_mapping *m;
	u16 port;

	sub = conenat_subscriber_hold(inst->cn, inst, key->int_addr,
				      cfg->mapping_limit);
	if (IS_ERR(sub))
		return ERR_CAST(sub);
	port = conenat_port_for(pool, cfg, key);
	m = port ? kmem_cache_zalloc(mapping_cache, GFP_ATOMIC) : NULL;
	if (!m) {
		if (port)
			conenat_port_put(pool, port, 0);
		conenat_subscriber_release(inst->cn, sub);
		return ERR_PTR(port ? -ENOMEM : -ENOSPC);
	}
	m->ikey = *key;
	m->ekey.addr = pool->addr;
	m->ekey.port = htons(port);
	m->ekey.proto = key->proto;
	m->pool = pool;
	m->sub = sub;
	spin_lock_init(&m->lock);
	return m;
}

/*
 * Give up a mapping that lost the race for its key: on the wheel but seen
 * by nobody else, so it is claimed here and the collector frees it.
 */
static void conenat_mapping_abandon(struct conenat_mapping *m)
{
	struct conenat_net *cn = conenat_mapping_inst(m)->cn;

	set_bit(CONENAT_MAP_DYING_BIT, &m->state);
	conenat_port_put(m->pool, ntohs(m->ekey.port), 0);
	conenat_subscriber_release(cn, m->sub);
	llist_add(&m->dying, &cn->dying);
}

/*
 * Make the mapping findable inbound.  A removal claimed meanwhile may
 * have cleared the slot before it was set: the full barrier pairs with
 * the claim's, so one of the two sees the other, and the slot is left
 * clear.
 */
static void conenat_mapping_publish(struct conenat_mapping *m)
{
	struct conenat_mapping __rcu **slot =
		&m->pool->owner[ntohs(m->ekey.port) - m->pool->lo];

	rcu_assign_pointer(*slot, m);
	smp_mb(); /* pairs with the claim's test_and_set_bit() */
	if (conenat_mapping_dying(m))
		cmpxchg((struct conenat_mapping **)slot, m, NULL);
}

struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       const struct conenat_int_key *key,
					       struct conenat_pool *pool,
					       const struct nf_conn *ct,
					       u32 timeout,
					       const struct conenat_dest *dest)
{
	struct conenat_net *cn = inst->cn;
	struct conenat_mapping *m, *old;

	m = conenat_mapping_new(inst, cfg, key, pool);
	if (IS_ERR(m))
		return m;
	m->expires = jiffies + timeout * HZ;
	m->zone = *nf_ct_zone(ct);
	conenat_wheel_add(&cn->wheel, m);

	old = rhashtable_lookup_get_insert_fast(&cn->by_int, &m->int_node,
						int_params);
	if (old) {
		conenat_mapping_abandon(m);
		if (IS_ERR(old))
			return old;
		/* Another CPU made it first; a dying one keeps the key a moment. */
		return conenat_mapping_dying(old) ? ERR_PTR(-EAGAIN) : old;
	}
	atomic_inc(&inst->nmappings);
	this_cpu_inc(inst->stats->created);
	conenat_mapping_publish(m);
	conenat_notify_map(m, CONENAT_CMD_NEW_MAP, false,
			   cfg->flags & CONENAT_NAT_F_EVENT_DEST ? dest : NULL);
	return m;
}

/*
 * Unhash a mapping whose removal this caller claimed: nothing finds it
 * any more, its port is free again (after the quarantine), and the
 * collector gets it.  Under RCU; safe from any context.
 */
static void conenat_mapping_unlink(struct conenat_mapping *m, bool expired)
{
	struct conenat_instance *inst = conenat_mapping_inst(m);
	struct conenat_pool *pool = m->pool;
	struct conenat_net *cn = inst->cn;
	u16 port = ntohs(m->ekey.port);

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "conenat: unlink outside RCU");
	rhashtable_remove_fast(&cn->by_int, &m->int_node, int_params);
	cmpxchg((struct conenat_mapping **)&pool->owner[port - pool->lo], m,
		NULL);
	/* From here on no remote is added: the collector owns the list. */
	spin_lock_bh(&m->lock);
	spin_unlock_bh(&m->lock);

	conenat_port_put(pool, port, rcu_dereference(inst->cfg)->port_quarantine);
	conenat_subscriber_release(cn, m->sub);
	atomic_dec(&inst->nmappings);
	if (expired)
		this_cpu_inc(inst->stats->expired);
	conenat_notify_map(m, CONENAT_CMD_DEL_MAP, expired, NULL);
	llist_add(&m->dying, &cn->dying);
}

/*
 * A closed or reset TCP connection leaves its mapping the transitory
 * timeout (RFC 7857 section 2.1), unless the mapping serves another
 * remote too, whose connection may be alive and idle.
 */
void conenat_mapping_closed(struct conenat_mapping *m, u32 timeout)
{
	unsigned long expires = jiffies + timeout * HZ;
	struct conenat_remote *r;
	unsigned int n = 0;

	if (!time_before(expires, READ_ONCE(m->expires)))
		return;
	hlist_for_each_entry_rcu(r, &m->remotes, list)
		if (!r->key.addr_only && ++n > 1)
			return;
	WRITE_ONCE(m->expires, expires);
}

void conenat_mapping_remove(struct conenat_mapping *m, bool expired)
{
	if (!test_and_set_bit(CONENAT_MAP_DYING_BIT, &m->state))
		conenat_mapping_unlink(m, expired);
}

/* Remove the mappings of the pool's ports [from, to). */
static void conenat_pool_flush_range(struct conenat_pool *pool, u32 from,
				     u32 to)
{
	struct conenat_mapping *m;
	u32 i;

	rcu_read_lock();
	for (i = from; i < to; i++) {
		m = rcu_dereference(pool->owner[i]);
		if (m)
			conenat_mapping_remove(m, false);
	}
	rcu_read_unlock();
}

void conenat_pools_flush(struct conenat_pools *pools)
{
	struct conenat_pool *pool;
	unsigned int i, p;
	u32 from, n;

	for (i = 0; i < pools->naddrs; i++) {
		for (p = 0; p < CONENAT_NPROTOS; p++) {
			pool = pools->pool[i][p];
			n = pool->hi - pool->lo + 1;
			for (from = 0; from < n; from += CONENAT_FLUSH_BATCH) {
				conenat_pool_flush_range(pool, from,
							 min(n, from + CONENAT_FLUSH_BATCH));
				cond_resched();
			}
		}
	}
}

/*
 * The conntrack entry between a remote and the external endpoint, with a
 * reference, if it is still the mapping's (a port freed without
 * quarantine may serve another internal endpoint already).
 */
static struct nf_conn *conenat_remote_conntrack(struct net *net,
						const struct conenat_mapping *m,
						const struct conenat_remote *r)
{
	const struct nf_conntrack_tuple *internal;
	struct nf_conntrack_tuple tuple = {};
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;

	tuple.src.l3num = NFPROTO_IPV4;
	tuple.src.u3.ip = r->key.addr;
	tuple.dst.u3.ip = m->ekey.addr;
	tuple.dst.protonum = m->ekey.proto;
	if (m->ekey.proto == IPPROTO_ICMP) {
		/* The echo reply: the identifier travels as the source. */
		tuple.src.u.icmp.id = m->ekey.port;
		tuple.dst.u.icmp.type = ICMP_ECHOREPLY;
	} else {
		tuple.src.u.all = r->key.port;
		tuple.dst.u.all = m->ekey.port;
	}
	h = nf_conntrack_find_get(net, &m->zone, &tuple);
	if (!h)
		return NULL;
	ct = nf_ct_tuplehash_to_ctrack(h);
	internal = &ct->tuplehash[!NF_CT_DIRECTION(h)].tuple;
	if (internal->src.u3.ip == m->ikey.int_addr &&
	    internal->src.u.all == m->ikey.int_port)
		return ct;
	nf_ct_put(ct);
	return NULL;
}

static void conenat_kill_conntrack(struct net *net,
				   const struct conenat_mapping *m,
				   const struct conenat_remote *r)
{
	struct nf_conn *ct = conenat_remote_conntrack(net, m, r);

	if (ct) {
		nf_ct_kill(ct);
		nf_ct_put(ct);
	}
}

/*
 * Flow offloading (an nftables flowtable) takes a flow's packets past the
 * hooks, so they refresh nothing: an expired mapping with an offloaded
 * flow still alive gets the flow's timeout once more instead.  Asked only
 * of mappings that expired (the collector, under RCU).
 */
bool conenat_mapping_offloaded(struct conenat_mapping *m)
{
	struct conenat_instance *inst = conenat_mapping_inst(m);
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	struct conenat_remote *r;
	bool offloaded = false;
	struct nf_conn *ct;

	hlist_for_each_entry_rcu(r, &m->remotes, list) {
		if (r->key.addr_only)
			continue;
		ct = conenat_remote_conntrack(inst->cn->net, m, r);
		if (!ct)
			continue;
		offloaded = test_bit(IPS_OFFLOAD_BIT, &ct->status) &&
			    !nf_ct_is_dying(ct);
		if (offloaded)
			conenat_mapping_refresh(m, conenat_flow_timeout(cfg, ct));
		nf_ct_put(ct);
		if (offloaded)
			break;
	}
	return offloaded;
}

/* Free a dying mapping and its remotes (the collector, process context). */
static void conenat_mapping_free(struct conenat_net *cn,
				 struct conenat_mapping *m)
{
	struct conenat_remote *r;
	struct hlist_node *tmp;

	conenat_wheel_del(&cn->wheel, m);
	hlist_for_each_entry_safe(r, tmp, &m->remotes, list) {
		if (!r->key.addr_only)
			conenat_kill_conntrack(cn->net, m, r);
		rhashtable_remove_fast(&cn->remotes, &r->node, remote_params);
		call_rcu(&r->rcu, conenat_remote_free_rcu);
	}
	call_rcu(&m->rcu, conenat_mapping_free_rcu);
}

void conenat_mappings_reap(struct conenat_net *cn)
{
	struct conenat_mapping *m, *tmp;
	struct llist_node *dying;
	unsigned int n = 0;

	lockdep_assert_held(&cn->gc_lock);
	dying = llist_del_all(&cn->dying);
	llist_for_each_entry_safe(m, tmp, dying, dying) {
		conenat_mapping_free(cn, m);
		if (++n % CONENAT_REAP_BATCH == 0)
			cond_resched();
	}
}

static struct conenat_remote *
conenat_remote_lookup(struct conenat_net *cn, const struct conenat_mapping *m,
		      __be32 addr, __be16 port, bool addr_only)
{
	struct conenat_remote_key key = {
		.m = m, .addr = addr, .port = port, .addr_only = addr_only,
	};

	return rhashtable_lookup(&cn->remotes, &key, remote_params);
}

static void conenat_remote_insert(struct conenat_mapping *m, __be32 addr,
				  __be16 port, bool addr_only, bool permit)
{
	struct conenat_net *cn = conenat_mapping_inst(m)->cn;
	struct conenat_remote *r;
	int err;

	r = conenat_remote_lookup(cn, m, addr, port, addr_only);
	if (r)
		goto found;
	/* Bounded: a scan of the Internet from one port costs no more. */
	if (READ_ONCE(m->nremotes) >=
	    (permit ? CONENAT_MAX_REMOTES : CONENAT_MAX_INBOUND_REMOTES))
		return;
	r = kmem_cache_zalloc(remote_cache, GFP_ATOMIC);
	if (!r)
		return;
	r->key.m = m;
	r->key.addr = addr;
	r->key.port = port;
	r->key.addr_only = addr_only;
	if (permit)
		set_bit(CONENAT_REMOTE_PERMIT_BIT, &r->flags);

	spin_lock_bh(&m->lock);
	/* A removed mapping takes no remotes: its list is the collector's. */
	err = conenat_mapping_dying(m) ? -ENOENT :
	      rhashtable_lookup_insert_fast(&cn->remotes, &r->node,
					    remote_params);
	if (!err) {
		hlist_add_head_rcu(&r->list, &m->remotes);
		WRITE_ONCE(m->nremotes, m->nremotes + 1);
	}
	spin_unlock_bh(&m->lock);
	if (!err)
		return;
	kmem_cache_free(remote_cache, r);
	if (err != -EEXIST)
		return;
	r = conenat_remote_lookup(cn, m, addr, port, addr_only);
	if (!r)
		return;
found:
	if (permit && !test_bit(CONENAT_REMOTE_PERMIT_BIT, &r->flags))
		set_bit(CONENAT_REMOTE_PERMIT_BIT, &r->flags);
}

/*
 * Remember a remote; permit: the mapping sent to it (outbound).  Only an
 * address-dependent filter reads the address alone, so only then is it
 * kept (a change of filtering flushes the mappings).
 */
void conenat_remote_add(struct conenat_mapping *m, __be32 addr, __be16 port,
			bool permit)
{
	const struct conenat_cfg *cfg =
		rcu_dereference(conenat_mapping_inst(m)->cfg);

	conenat_remote_insert(m, addr, port, false, permit);
	if (permit &&
	    conenat_filtering(cfg, m->ekey.proto) == CONENAT_FILTERING_ADF)
		conenat_remote_insert(m, addr, 0, true, true);
}

bool conenat_filter_permits(struct conenat_mapping *m, u8 filtering,
			    __be32 addr, __be16 port)
{
	struct conenat_net *cn = conenat_mapping_inst(m)->cn;
	struct conenat_remote *r;

	switch (filtering) {
	case CONENAT_FILTERING_EIF:
		return true;
	case CONENAT_FILTERING_ADF:
		r = conenat_remote_lookup(cn, m, addr, 0, true);
		break;
	default:
		r = conenat_remote_lookup(cn, m, addr, port, false);
		break;
	}
	return r && test_bit(CONENAT_REMOTE_PERMIT_BIT, &r->flags);
}

void conenat_gc_work(struct work_struct *work)
{
	struct conenat_net *cn = container_of(to_delayed_work(work),
					      struct conenat_net, gc);

	mutex_lock(&cn->gc_lock);
	conenat_wheel_run(cn);
	conenat_mappings_reap(cn);
	mutex_unlock(&cn->gc_lock);
	conenat_syns_expire(cn);
	if (READ_ONCE(cn->ninstances))
		queue_delayed_work(system_power_efficient_wq, &cn->gc, HZ);
}
