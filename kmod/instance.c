// SPDX-License-Identifier: GPL-2.0
/*
 * NAT instances: named, per network namespace, created and changed over
 * netlink (under the namespace's mutex) and read by the packet path (RCU).
 * A deleted instance first stops translating, then loses its mappings.
 */

#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netlink.h>

#include "hooks.h"
#include "instance.h"
#include "mapping.h"
#include "syn.h"

struct conenat_instance *conenat_instance_find(struct conenat_net *cn,
					       const char *name)
{
	struct conenat_instance *inst;

	list_for_each_entry_rcu(inst, &cn->instances, list,
				lockdep_is_held(&cn->lock))
		if (!strcmp(inst->name, name))
			return inst;
	return NULL;
}

/* A reference for a netfilter rule that names the instance. */
struct conenat_instance *conenat_instance_get(struct net *net,
					      const char *name)
{
	struct conenat_net *cn = conenat_pernet(net);
	struct conenat_instance *inst;

	mutex_lock(&cn->lock);
	inst = conenat_instance_find(cn, name);
	if (inst)
		refcount_inc(&inst->refcnt);
	mutex_unlock(&cn->lock);
	return inst;
}

static void conenat_instance_free_rcu(struct rcu_head *rcu)
{
	struct conenat_instance *inst =
		container_of(rcu, struct conenat_instance, rcu);

	conenat_pools_free(rcu_dereference_raw(inst->pools));
	kfree(rcu_dereference_raw(inst->cfg));
	free_percpu(inst->stats);
	kfree(inst);
}

void conenat_instance_put(struct conenat_instance *inst)
{
	if (refcount_dec_and_test(&inst->refcnt))
		call_rcu(&inst->rcu, conenat_instance_free_rcu);
}

static bool conenat_addrs_overlap(const struct conenat_cfg *a,
				  const struct conenat_cfg *b)
{
	unsigned int i, j;

	for (i = 0; i < a->naddrs; i++)
		for (j = 0; j < b->naddrs; j++)
			if (a->addrs[i] == b->addrs[j])
				return true;
	return false;
}

/* External addresses belong to one instance of the namespace. */
static int conenat_check_addrs(struct conenat_net *cn,
			       const struct conenat_instance *self,
			       const struct conenat_cfg *cfg,
			       struct netlink_ext_ack *extack)
{
	struct conenat_instance *inst;

	list_for_each_entry(inst, &cn->instances, list) {
		if (inst == self ||
		    !conenat_addrs_overlap(cfg, rcu_dereference_protected(inst->cfg,
						lockdep_is_held(&cn->lock))))
			continue;
		NL_SET_ERR_MSG(extack,
			       "an address belongs to another NAT instance");
		return -EADDRINUSE;
	}
	return 0;
}

static int conenat_first_instance(struct conenat_net *cn)
{
	int ret;

	ret = nf_ct_netns_get(cn->net, NFPROTO_IPV4);
	if (ret)
		return ret;
	ret = conenat_hooks_register(cn->net);
	if (ret) {
		nf_ct_netns_put(cn->net, NFPROTO_IPV4);
		return ret;
	}
	queue_delayed_work(system_power_efficient_wq, &cn->gc, HZ);
	return 0;
}

static void conenat_last_instance(struct conenat_net *cn)
{
	conenat_hooks_unregister(cn->net);
	nf_ct_netns_put(cn->net, NFPROTO_IPV4);
	cancel_delayed_work_sync(&cn->gc);
	/* Nothing answers them once the collector stops. */
	conenat_syns_flush(cn);
}

int conenat_instance_add(struct conenat_net *cn, const char *name,
			 struct conenat_cfg *cfg, struct netlink_ext_ack *extack)
{
	struct conenat_instance *inst;
	struct conenat_pools *pools;
	int ret;

	mutex_lock(&cn->lock);
	ret = -EEXIST;
	if (conenat_instance_find(cn, name)) {
		NL_SET_ERR_MSG(extack, "a NAT instance of that name exists");
		goto out;
	}
	ret = conenat_check_addrs(cn, NULL, cfg, extack);
	if (ret)
		goto out;
	ret = -ENOMEM;
	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		goto out;
	inst->stats = alloc_percpu(struct conenat_stats);
	pools = conenat_pools_new(cfg->port_min, cfg->port_max);
	if (!inst->stats || !pools)
		goto err_free;
	if (!cn->ninstances) {
		ret = conenat_first_instance(cn);
		if (ret)
			goto err_free;
	}
	strscpy(inst->name, name, sizeof(inst->name));
	inst->cn = cn;
	refcount_set(&inst->refcnt, 1);
	RCU_INIT_POINTER(inst->cfg, cfg);
	RCU_INIT_POINTER(inst->pools, pools);
	list_add_tail_rcu(&inst->list, &cn->instances);
	WRITE_ONCE(cn->ninstances, cn->ninstances + 1);
	mutex_unlock(&cn->lock);
	return 0;

err_free:
	conenat_pools_free(pools);
	free_percpu(inst->stats);
	kfree(inst);
out:
	mutex_unlock(&cn->lock);
	kfree(cfg);
	return ret;
}

/* Do mappings made under the old settings break the new ones? */
static bool conenat_cfg_needs_flush(const struct conenat_cfg *old,
				    const struct conenat_cfg *new)
{
	return strcmp(old->ifname, new->ifname) ||
	       old->naddrs != new->naddrs ||
	       memcmp(old->addrs, new->addrs, sizeof(old->addrs)) ||
	       old->port_min != new->port_min ||
	       old->port_max != new->port_max ||
	       old->mapping != new->mapping ||
	       old->filtering != new->filtering ||
	       old->tcp_filtering != new->tcp_filtering;
}

int conenat_instance_change(struct conenat_instance *inst,
			    struct conenat_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	struct conenat_pools *pools = NULL, *old_pools = NULL;
	struct conenat_net *cn = inst->cn;
	struct conenat_cfg *old;
	bool flush;
	int ret;

	mutex_lock(&cn->lock);
	ret = -ENOENT;
	if (inst->dead) {
		NL_SET_ERR_MSG(extack, "no such NAT instance");
		goto err;
	}
	old = rcu_dereference_protected(inst->cfg, lockdep_is_held(&cn->lock));
	ret = conenat_check_addrs(cn, inst, cfg, extack);
	if (ret)
		goto err;
	flush = conenat_cfg_needs_flush(old, cfg);
	if (old->port_min != cfg->port_min || old->port_max != cfg->port_max) {
		ret = -ENOMEM;
		pools = conenat_pools_new(cfg->port_min, cfg->port_max);
		if (!pools)
			goto err;
	}
	rcu_assign_pointer(inst->cfg, cfg);
	if (pools)
		old_pools = rcu_replace_pointer(inst->pools, pools,
						lockdep_is_held(&cn->lock));
	if (flush) {
		/* No packet still works under the old settings after this. */
		synchronize_rcu();
		conenat_mappings_flush(inst);
	}
	mutex_unlock(&cn->lock);
	kfree_rcu(old, rcu);
	conenat_pools_free(old_pools);
	return 0;

err:
	mutex_unlock(&cn->lock);
	kfree(cfg);
	return ret;
}

static void conenat_instance_unlink(struct conenat_instance *inst)
{
	struct conenat_net *cn = inst->cn;

	lockdep_assert_held(&cn->lock);
	WRITE_ONCE(inst->dead, true);
	list_del_rcu(&inst->list);
	/* Packets that saw it alive finish before its mappings go. */
	synchronize_rcu();
	conenat_mappings_flush(inst);
	WRITE_ONCE(cn->ninstances, cn->ninstances - 1);
	if (!cn->ninstances)
		conenat_last_instance(cn);
}

void conenat_instance_del(struct conenat_instance *inst)
{
	struct conenat_net *cn = inst->cn;

	mutex_lock(&cn->lock);
	conenat_instance_unlink(inst);
	mutex_unlock(&cn->lock);
	conenat_instance_put(inst);
}

void conenat_instances_destroy(struct conenat_net *cn)
{
	struct conenat_instance *inst, *tmp;

	mutex_lock(&cn->lock);
	list_for_each_entry_safe(inst, tmp, &cn->instances, list) {
		conenat_instance_unlink(inst);
		conenat_instance_put(inst);
	}
	mutex_unlock(&cn->lock);
}

void conenat_instance_stats(struct conenat_instance *inst,
			    struct conenat_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct conenat_stats *s = per_cpu_ptr(inst->stats, cpu);

		sum->created += READ_ONCE(s->created);
		sum->expired += READ_ONCE(s->expired);
		sum->in_passed += READ_ONCE(s->in_passed);
		sum->in_dropped += READ_ONCE(s->in_dropped);
		sum->alloc_failed += READ_ONCE(s->alloc_failed);
		sum->limit_dropped += READ_ONCE(s->limit_dropped);
		sum->syn_refused += READ_ONCE(s->syn_refused);
	}
}
