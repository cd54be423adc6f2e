// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings: an internal endpoint's claim on an external endpoint, found by
 * the key its mapping behaviour shares it by (outbound) and by the
 * external endpoint (inbound), with the remotes it has talked to (the
 * filter's permissions, and the conntrack entries to end with it).
 *
 * Lookups are RCU; changes take rhashtable's per-bucket locks and, for a
 * mapping's remotes, the mapping's own lock.  Nothing global is locked.
 */

#include <linux/icmp.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "mapping.h"
#include "netlink.h"
#include "syn.h"

/* Remotes a mapping remembers beyond those it sent to (inbound, EIF). */
#define CONENAT_MAX_INBOUND_REMOTES 1024
/* Mappings the GC looks at before letting RCU and the scheduler in. */
#define CONENAT_GC_BATCH 1024

static struct kmem_cache *mapping_cache __read_mostly;
static struct kmem_cache *remote_cache __read_mostly;

static const struct rhashtable_params int_params = {
	.key_len = sizeof(struct conenat_int_key),
	.key_offset = offsetof(struct conenat_mapping, ikey),
	.head_offset = offsetof(struct conenat_mapping, int_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params ext_params = {
	.key_len = sizeof(struct conenat_ext_key),
	.key_offset = offsetof(struct conenat_mapping, ekey),
	.head_offset = offsetof(struct conenat_mapping, ext_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params remote_params = {
	.key_len = sizeof(struct conenat_remote_key),
	.key_offset = offsetof(struct conenat_remote, key),
	.head_offset = offsetof(struct conenat_remote, node),
	.automatic_shrinking = true,
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

	ret = rhashtable_init(&cn->by_int, &int_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&cn->by_ext, &ext_params);
	if (ret)
		goto err_int;
	ret = rhashtable_init(&cn->remotes, &remote_params);
	if (ret)
		goto err_ext;
	INIT_DELAYED_WORK(&cn->gc, conenat_gc_work);
	return 0;

err_ext:
	rhashtable_destroy(&cn->by_ext);
err_int:
	rhashtable_destroy(&cn->by_int);
	return ret;
}

/* Called with every instance of the namespace gone, so tables are empty. */
void conenat_mappings_destroy(struct conenat_net *cn)
{
	cancel_delayed_work_sync(&cn->gc);
	rhashtable_destroy(&cn->remotes);
	rhashtable_destroy(&cn->by_ext);
	rhashtable_destroy(&cn->by_int);
}

struct conenat_mapping *conenat_lookup_int(struct conenat_net *cn,
					   const struct conenat_int_key *key)
{
	return rhashtable_lookup(&cn->by_int, key, int_params);
}

struct conenat_mapping *conenat_lookup_ext(struct conenat_net *cn,
					   const struct conenat_ext_key *key)
{
	return rhashtable_lookup(&cn->by_ext, key, ext_params);
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
						   __be32 ext_addr)
{
	struct conenat_subscriber *sub;
	struct conenat_mapping *m;
	struct conenat_pool *pool;
	u16 port;

	pool = conenat_pool_get(rcu_dereference(inst->pools), ext_addr,
				key->proto);
	if (!pool)
		return ERR_PTR(-ENOMEM);
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
	m->ekey.addr = ext_addr;
	m->ekey.port = htons(port);
	m->ekey.proto = key->proto;
	m->inst = inst;
	m->pool = pool;
	m->sub = sub;
	spin_lock_init(&m->lock);
	return m;
}

/* Undo conenat_mapping_new() of a mapping nobody has seen. */
static void conenat_mapping_discard(struct conenat_mapping *m)
{
	conenat_port_put(m->pool, ntohs(m->ekey.port), 0);
	conenat_subscriber_release(m->inst->cn, m->sub);
	kmem_cache_free(mapping_cache, m);
}

struct conenat_mapping *conenat_mapping_create(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       const struct conenat_int_key *key,
					       __be32 ext_addr, u32 timeout,
					       const struct conenat_dest *dest)
{
	struct conenat_net *cn = inst->cn;
	struct conenat_mapping *m, *old;
	int err;

	m = conenat_mapping_new(inst, cfg, key, ext_addr);
	if (IS_ERR(m))
		return m;
	m->expires = jiffies + timeout * HZ;

	/*
	 * By the internal key first: if another CPU made the mapping first
	 * (or the table is full), this one was never seen by anybody.
	 */
	old = rhashtable_lookup_get_insert_fast(&cn->by_int, &m->int_node,
						int_params);
	if (old) {
		conenat_mapping_discard(m);
		return old;
	}
	atomic_inc(&inst->nmappings);
	this_cpu_inc(inst->stats->created);
	/* The port is ours alone: only a full table refuses the endpoint. */
	err = rhashtable_lookup_insert_fast(&cn->by_ext, &m->ext_node,
					    ext_params);
	if (err) {
		conenat_mapping_remove(m, false);
		return ERR_PTR(err);
	}
	conenat_notify_map(m, CONENAT_CMD_NEW_MAP, false,
			   cfg->flags & CONENAT_NAT_F_EVENT_DEST ? dest : NULL);
	return m;
}

/* End the conntrack entry between a remote and the external endpoint. */
static void conenat_kill_conntrack(struct net *net,
				   const struct conenat_mapping *m,
				   const struct conenat_remote *r)
{
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
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (!h)
		return;
	ct = nf_ct_tuplehash_to_ctrack(h);
	nf_ct_kill(ct);
	nf_ct_put(ct);
}

/* Claim a mapping's removal: only the first caller may unlink it. */
static bool conenat_mapping_claim(struct conenat_mapping *m)
{
	return !test_and_set_bit(0, &m->dead);
}

/*
 * Remove a claimed mapping: its permissions and conntrack entries end with
 * it, and its port is free again.  Safe from any context.
 */
static void conenat_mapping_unlink(struct conenat_mapping *m, bool expired)
{
	struct conenat_instance *inst = m->inst;
	struct conenat_net *cn = inst->cn;
	struct conenat_remote *r;
	struct hlist_node *tmp;

	rhashtable_remove_fast(&cn->by_int, &m->int_node, int_params);
	rhashtable_remove_fast(&cn->by_ext, &m->ext_node, ext_params);

	spin_lock_bh(&m->lock);
	hlist_for_each_entry_safe(r, tmp, &m->remotes, list) {
		if (!r->key.addr_only)
			conenat_kill_conntrack(cn->net, m, r);
		rhashtable_remove_fast(&cn->remotes, &r->node, remote_params);
		hlist_del_rcu(&r->list);
		call_rcu(&r->rcu, conenat_remote_free_rcu);
	}
	spin_unlock_bh(&m->lock);

	conenat_port_put(m->pool, ntohs(m->ekey.port),
			 rcu_dereference(inst->cfg)->port_quarantine);
	conenat_subscriber_release(cn, m->sub);
	atomic_dec(&inst->nmappings);
	if (expired)
		this_cpu_inc(inst->stats->expired);
	conenat_notify_map(m, CONENAT_CMD_DEL_MAP, expired, NULL);
	call_rcu(&m->rcu, conenat_mapping_free_rcu);
}

void conenat_mapping_remove(struct conenat_mapping *m, bool expired)
{
	if (conenat_mapping_claim(m))
		conenat_mapping_unlink(m, expired);
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
	struct conenat_net *cn = m->inst->cn;
	struct conenat_remote *r;
	int err;

	r = conenat_remote_lookup(cn, m, addr, port, addr_only);
	if (r)
		goto found;
	if (!permit && m->nremotes >= CONENAT_MAX_INBOUND_REMOTES)
		return;
	r = kmem_cache_zalloc(remote_cache, GFP_ATOMIC);
	if (!r)
		return;
	r->key.m = m;
	r->key.addr = addr;
	r->key.port = port;
	r->key.addr_only = addr_only;
	if (permit)
		set_bit(CONENAT_REMOTE_PERMIT, &r->flags);

	spin_lock_bh(&m->lock);
	/* A removed mapping keeps no remotes: nothing would free them. */
	err = test_bit(0, &m->dead) ? -ENOENT :
	      rhashtable_lookup_insert_fast(&cn->remotes, &r->node,
					    remote_params);
	if (!err) {
		hlist_add_head_rcu(&r->list, &m->remotes);
		m->nremotes++;
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
	if (permit && !test_bit(CONENAT_REMOTE_PERMIT, &r->flags))
		set_bit(CONENAT_REMOTE_PERMIT, &r->flags);
}

/*
 * Remember a remote; permit: the mapping sent to it (outbound).  Only an
 * address-dependent filter reads the address alone, so only then is it
 * kept (a change of filtering flushes the mappings).
 */
void conenat_remote_add(struct conenat_mapping *m, __be32 addr, __be16 port,
			bool permit)
{
	const struct conenat_cfg *cfg = rcu_dereference(m->inst->cfg);

	conenat_remote_insert(m, addr, port, false, permit);
	if (permit &&
	    conenat_filtering(cfg, m->ekey.proto) == CONENAT_FILTERING_ADF)
		conenat_remote_insert(m, addr, 0, true, true);
}

bool conenat_filter_permits(struct conenat_mapping *m, u8 filtering,
			    __be32 addr, __be16 port)
{
	struct conenat_remote *r;

	switch (filtering) {
	case CONENAT_FILTERING_EIF:
		return true;
	case CONENAT_FILTERING_ADF:
		r = conenat_remote_lookup(m->inst->cn, m, addr, 0, true);
		break;
	default:
		r = conenat_remote_lookup(m->inst->cn, m, addr, port, false);
		break;
	}
	return r && test_bit(CONENAT_REMOTE_PERMIT, &r->flags);
}

static bool conenat_sweep_matches(const struct conenat_mapping *m,
				  const struct conenat_instance *inst,
				  bool only_expired)
{
	return (!inst || m->inst == inst) &&
	       (!only_expired || conenat_mapping_expired(m));
}

/*
 * Visit every mapping (of one instance, or all when inst is NULL) and
 * remove those that match; returns how many it removed.  A walk resumes
 * after the entry it last returned, which must still be in the table: so
 * that entry is unlinked only once the walk has moved past it, and, being
 * claimed, nobody else frees it while the walk pauses (releasing RCU every
 * CONENAT_GC_BATCH entries).
 */
static unsigned int conenat_mappings_sweep(struct conenat_net *cn,
					   const struct conenat_instance *inst,
					   bool only_expired)
{
	struct conenat_mapping *m, *doomed = NULL;
	unsigned int seen = 0, removed = 0;
	struct rhashtable_iter iter;

	rhashtable_walk_enter(&cn->by_ext, &iter);
	rhashtable_walk_start(&iter);
	while ((m = rhashtable_walk_next(&iter))) {
		if (IS_ERR(m)) {
			if (PTR_ERR(m) == -EAGAIN)
				continue;
			break;
		}
		if (doomed) {
			conenat_mapping_unlink(doomed, only_expired);
			removed++;
			doomed = NULL;
		}
		if (conenat_sweep_matches(m, inst, only_expired) &&
		    conenat_mapping_claim(m))
			doomed = m;
		if (++seen >= CONENAT_GC_BATCH) {
			seen = 0;
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	if (doomed) {
		conenat_mapping_unlink(doomed, only_expired);
		removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}

/*
 * Remove every mapping of the instance.  A sweep misses entries that
 * others removed while it paused (it resumes by position), so sweep
 * until one finds nothing; a dead instance makes no new mappings, so
 * then until none is left.
 */
void conenat_mappings_flush(struct conenat_instance *inst)
{
	unsigned int passes = 0;

	while (conenat_mappings_sweep(inst->cn, inst, false) ||
	       (READ_ONCE(inst->dead) && atomic_read(&inst->nmappings))) {
		if (WARN_ON_ONCE(++passes > 1000))
			break;
		cond_resched();
	}
}

void conenat_gc_work(struct work_struct *work)
{
	struct conenat_net *cn = container_of(to_delayed_work(work),
					      struct conenat_net, gc);

	conenat_mappings_sweep(cn, NULL, true);
	conenat_syns_expire(cn);
	if (READ_ONCE(cn->ninstances))
		queue_delayed_work(system_power_efficient_wq, &cn->gc, HZ);
}
