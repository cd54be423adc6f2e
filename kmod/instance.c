// SPDX-License-Identifier: GPL-2.0
/*
 * NAT instances: named, per network namespace, created and changed over
 * netlink (under the namespace's mutex) and read by the packet path (RCU).
 * Each has pools of external ports, made when it is created or changed;
 * a deleted instance first stops translating, then loses its mappings.
 */

#include <linux/ctype.h>
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netlink.h>

#include "attach.h"
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

bool conenat_name_valid(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && *name != '-' && *name != '_')
			return false;
	return true;
}

/* A reference on the instance of that name, if any. */
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

/* Does an instance attach to its device by itself (not by rules)? */
static bool conenat_cfg_attaches(const struct conenat_cfg *cfg)
{
	return !(cfg->flags & CONENAT_NAT_F_RULES);
}

/*
 * External addresses belong to one instance of the namespace, and so does
 * attaching to a device by itself: two would leave which one translates a
 * flow to the order of the list.
 */
static int conenat_check_others(struct conenat_net *cn,
				const struct conenat_instance *self,
				const struct conenat_cfg *cfg,
				struct netlink_ext_ack *extack)
{
	const struct conenat_cfg *other;
	struct conenat_instance *inst;

	list_for_each_entry(inst, &cn->instances, list) {
		if (inst == self)
			continue;
		other = rcu_dereference_protected(inst->cfg,
						  lockdep_is_held(&cn->lock));
		if (conenat_addrs_overlap(cfg, other)) {
			NL_SET_ERR_MSG(extack,
				       "an address belongs to another NAT instance");
			return -EADDRINUSE;
		}
		if (conenat_cfg_attaches(cfg) && conenat_cfg_attaches(other) &&
		    !strcmp(cfg->ifname, other->ifname)) {
			NL_SET_ERR_MSG(extack,
				       "another NAT instance attaches to that device (the others need \"attach rules\")");
			return -EBUSY;
		}
	}
	return 0;
}

/* The device's index and primary address, 0 for what it lacks. */
static int conenat_device(struct net *net, const char *ifname, __be32 *addr)
{
	struct net_device *dev;
	int ifindex = 0;

	*addr = 0;
	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, ifname);
	if (dev) {
		ifindex = dev->ifindex;
		*addr = inet_select_addr(dev, 0, RT_SCOPE_UNIVERSE);
	}
	rcu_read_unlock();
	return ifindex;
}

/* Pools for the settings: their addresses, or the device's one. */
static struct conenat_pools *conenat_cfg_pools(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       __be32 dev_addr)
{
	if (cfg->naddrs)
		return conenat_pools_new(inst, cfg->addrs, cfg->naddrs,
					 cfg->port_min, cfg->port_max);
	return conenat_pools_new(inst, &dev_addr, dev_addr ? 1 : 0,
				 cfg->port_min, cfg->port_max);
}

/* New pools for the settings, or ERR_PTR with the reason in extack. */
static struct conenat_pools *conenat_pools_for(struct conenat_instance *inst,
					       const struct conenat_cfg *cfg,
					       int *ifindex,
					       struct netlink_ext_ack *extack)
{
	struct conenat_pools *pools;
	__be32 dev_addr;

	*ifindex = conenat_device(inst->cn->net, cfg->ifname, &dev_addr);
	pools = conenat_cfg_pools(inst, cfg, dev_addr);
	if (!pools)
		return ERR_PTR(-ENOMEM);
	if (conenat_pools_clash(inst->cn, pools, inst)) {
		NL_SET_ERR_MSG(extack,
			       "an external address belongs to another NAT instance");
		conenat_pools_free(pools);
		return ERR_PTR(-EADDRINUSE);
	}
	return pools;
}

static struct conenat_pools *conenat_inst_pools(struct conenat_instance *inst)
{
	return rcu_dereference_protected(inst->pools,
					 lockdep_is_held(&inst->cn->lock));
}

static void conenat_reap_now(struct conenat_net *cn)
{
	mutex_lock(&cn->gc_lock);
	conenat_mappings_reap(cn);
	mutex_unlock(&cn->gc_lock);
}

/*
 * Remove the mappings of pools no packet can reach any more, in one pass:
 * those still being made finish first (no packet still works with the old
 * settings after the grace period), and the pools are freed after the
 * next one (removals that other CPUs claimed still return their ports).
 */
static void conenat_retire_pools(struct conenat_net *cn,
				 struct conenat_pools *pools, bool free)
{
	synchronize_rcu();
	conenat_pools_flush(pools);
	conenat_reap_now(cn);
	if (free)
		conenat_pools_free(pools);
}

/* Put new pools in the place of the old ones, which are retired. */
static void conenat_swap_pools(struct conenat_instance *inst,
			       struct conenat_pools *pools)
{
	struct conenat_net *cn = inst->cn;
	struct conenat_pools *old = conenat_inst_pools(inst);

	conenat_pools_unpublish(cn, old);
	conenat_pools_publish(cn, pools);
	rcu_assign_pointer(inst->pools, pools);
	conenat_retire_pools(cn, old, true);
}

static int conenat_first_instance(struct conenat_net *cn)
{
	int ret;

	ret = nf_ct_netns_get(cn->net, NFPROTO_IPV4);
	if (ret)
		return ret;
	ret = conenat_hooks_register(cn->net);
	if (ret)
		goto err_ct;
	ret = conenat_attach(cn->net);
	if (ret)
		goto err_hooks;
	queue_delayed_work(system_power_efficient_wq, &cn->gc, HZ);
	return 0;

err_hooks:
	conenat_hooks_unregister(cn->net);
err_ct:
	nf_ct_netns_put(cn->net, NFPROTO_IPV4);
	return ret;
}

static void conenat_last_instance(struct conenat_net *cn)
{
	conenat_detach(cn->net);
	conenat_hooks_unregister(cn->net);
	nf_ct_netns_put(cn->net, NFPROTO_IPV4);
	cancel_delayed_work_sync(&cn->gc);
	/* Every mapping is dying: the collector's last run frees them. */
	conenat_reap_now(cn);
	/* Nothing answers them once the collector stops. */
	conenat_syns_flush(cn);
}

int conenat_instance_add(struct conenat_net *cn, const char *name,
			 struct conenat_cfg *cfg, struct netlink_ext_ack *extack)
{
	struct conenat_pools *pools = NULL;
	struct conenat_instance *inst;
	int ret;

	ret = -ENOMEM;
	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		goto err_cfg;
	inst->stats = alloc_percpu(struct conenat_stats);
	if (!inst->stats)
		goto err_free;
	strscpy(inst->name, name, sizeof(inst->name));
	inst->cn = cn;
	refcount_set(&inst->refcnt, 1);

	mutex_lock(&cn->lock);
	ret = -EEXIST;
	if (conenat_instance_find(cn, name)) {
		NL_SET_ERR_MSG(extack, "a NAT instance of that name exists");
		goto err_unlock;
	}
	ret = conenat_check_others(cn, NULL, cfg, extack);
	if (ret)
		goto err_unlock;
	pools = conenat_pools_for(inst, cfg, &inst->ifindex, extack);
	ret = PTR_ERR_OR_ZERO(pools);
	if (ret) {
		pools = NULL;
		goto err_unlock;
	}
	if (!cn->ninstances) {
		ret = conenat_first_instance(cn);
		if (ret)
			goto err_unlock;
	}
	RCU_INIT_POINTER(inst->cfg, cfg);
	conenat_pools_publish(cn, pools);
	RCU_INIT_POINTER(inst->pools, pools);
	list_add_tail_rcu(&inst->list, &cn->instances);
	WRITE_ONCE(cn->ninstances, cn->ninstances + 1);
	mutex_unlock(&cn->lock);
	return 0;

err_unlock:
	mutex_unlock(&cn->lock);
	conenat_pools_free(pools);
err_free:
	free_percpu(inst->stats);
	kfree(inst);
err_cfg:
	kfree(cfg);
	return ret;
}

/* Do mappings made under the old settings break the new ones? */
static bool conenat_cfg_needs_flush(const struct conenat_cfg *old,
				    const struct conenat_cfg *new)
{
	return old->mapping != new->mapping ||
	       old->filtering != new->filtering ||
	       old->tcp_filtering != new->tcp_filtering;
}

/* Do the settings need new pools? */
static bool conenat_cfg_needs_pools(const struct conenat_cfg *old,
				    const struct conenat_cfg *new)
{
	return strcmp(old->ifname, new->ifname) ||
	       old->naddrs != new->naddrs ||
	       memcmp(old->addrs, new->addrs, sizeof(old->addrs)) ||
	       old->port_min != new->port_min ||
	       old->port_max != new->port_max;
}

int conenat_instance_change(struct conenat_instance *inst,
			    struct conenat_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	struct conenat_pools *pools = NULL;
	struct conenat_net *cn = inst->cn;
	struct conenat_cfg *old;
	int ifindex = 0;
	int ret;

	lockdep_assert_held(&cn->lock);
	old = rcu_dereference_protected(inst->cfg, lockdep_is_held(&cn->lock));
	ret = conenat_check_others(cn, inst, cfg, extack);
	if (ret)
		goto err;
	if (conenat_cfg_needs_pools(old, cfg)) {
		pools = conenat_pools_for(inst, cfg, &ifindex, extack);
		ret = PTR_ERR_OR_ZERO(pools);
		if (ret)
			goto err;
	}
	rcu_assign_pointer(inst->cfg, cfg);
	if (pools) {
		WRITE_ONCE(inst->ifindex, ifindex);
		conenat_swap_pools(inst, pools);
	} else if (conenat_cfg_needs_flush(old, cfg)) {
		conenat_retire_pools(cn, conenat_inst_pools(inst), false);
	}
	kfree_rcu(old, rcu);
	return 0;

err:
	kfree(cfg);
	return ret;
}

/* Kill conntrack entries translated to or from a vanished address. */
static int conenat_ct_on_addr(struct nf_conn *ct, void *data)
{
	__be32 addr = *(__be32 *)data;

	return (ct->status & IPS_SRC_NAT &&
		ct->tuplehash[IP_CT_DIR_REPLY].tuple.dst.u3.ip == addr) ||
	       (ct->status & IPS_DST_NAT &&
		ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.dst.u3.ip == addr);
}

/*
 * An instance without addresses of its own follows its device's primary
 * address (as masquerade does): the mappings and conntrack entries of an
 * address that went end with it, and new flows use the new one.
 */
static void conenat_instance_follow(struct conenat_instance *inst,
				    struct net_device *dev, bool gone)
{
	const struct conenat_cfg *cfg = rcu_dereference_protected(inst->cfg,
					lockdep_is_held(&inst->cn->lock));
	struct conenat_pools *pools, *old = conenat_inst_pools(inst);
	struct nf_ct_iter_data iter = { .net = inst->cn->net };
	__be32 addr = 0, old_addr = old->naddrs ? old->addrs[0] : 0;

	WRITE_ONCE(inst->ifindex, gone ? 0 : dev->ifindex);
	if (cfg->naddrs)
		return;
	if (!gone)
		addr = inet_select_addr(dev, 0, RT_SCOPE_UNIVERSE);
	if (addr == old_addr)
		return;
	pools = conenat_cfg_pools(inst, cfg, addr);
	if (!pools || conenat_pools_clash(inst->cn, pools, inst)) {
		pr_warn_ratelimited("conenat: %s: cannot follow %pI4 on %s\n",
				    inst->name, &addr, dev->name);
		conenat_pools_free(pools);
		pools = conenat_cfg_pools(inst, cfg, 0);
		if (!pools)
			return;
	}
	conenat_swap_pools(inst, pools);
	if (old_addr) {
		iter.data = &old_addr;
		nf_ct_iterate_cleanup_net(conenat_ct_on_addr, &iter);
	}
}

void conenat_instances_follow(struct net_device *dev, bool gone)
{
	struct conenat_net *cn = conenat_pernet(dev_net(dev));
	struct conenat_instance *inst;

	mutex_lock(&cn->lock);
	list_for_each_entry(inst, &cn->instances, list) {
		const struct conenat_cfg *cfg =
			rcu_dereference_protected(inst->cfg,
						  lockdep_is_held(&cn->lock));

		if (!strcmp(cfg->ifname, dev->name))
			conenat_instance_follow(inst, dev, gone);
		else if (inst->ifindex == dev->ifindex)
			WRITE_ONCE(inst->ifindex, 0);	/* renamed away */
	}
	mutex_unlock(&cn->lock);
}

/*
 * Stop translating (packets that saw the instance alive finish first),
 * then remove its mappings and pools.  Once only: the caller found it on
 * the list under the lock.
 */
static void conenat_instance_unlink(struct conenat_instance *inst)
{
	struct conenat_net *cn = inst->cn;
	struct conenat_pools *pools = conenat_inst_pools(inst);

	lockdep_assert_held(&cn->lock);
	WRITE_ONCE(inst->dead, true);
	list_del_rcu(&inst->list);
	conenat_pools_unpublish(cn, pools);
	RCU_INIT_POINTER(inst->pools, NULL);
	conenat_retire_pools(cn, pools, true);
	WRITE_ONCE(cn->ninstances, cn->ninstances - 1);
	if (!cn->ninstances)
		conenat_last_instance(cn);
}

void conenat_instance_flush(struct conenat_instance *inst)
{
	lockdep_assert_held(&inst->cn->lock);
	conenat_pools_flush(conenat_inst_pools(inst));
	conenat_reap_now(inst->cn);
}

void conenat_instance_del(struct conenat_instance *inst)
{
	lockdep_assert_held(&inst->cn->lock);
	conenat_instance_unlink(inst);
	conenat_instance_put(inst);
}

void conenat_instances_destroy(struct conenat_net *cn)
{
	struct conenat_instance *inst, *tmp;

	mutex_lock(&cn->lock);
	list_for_each_entry_safe(inst, tmp, &cn->instances, list)
		conenat_instance_del(inst);
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
