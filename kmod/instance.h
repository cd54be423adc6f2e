/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_INSTANCE_H
#define _CONENAT_INSTANCE_H

#include <linux/if.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <uapi/linux/conenat.h>

#include "netns.h"
#include "ports.h"

/* Settings, replaced as a whole (RCU) when changed. */
struct conenat_cfg {
	char ifname[IFNAMSIZ];
	__be32 addrs[CONENAT_MAX_ADDRS];
	unsigned int naddrs;		/* 0: the device's primary address */
	u16 port_min, port_max;
	u8 mapping;			/* enum conenat_mapping_behaviour */
	u8 filtering;			/* enum conenat_filtering_behaviour */
	u8 tcp_filtering;		/* the same for TCP (RFC 5382 REQ-3) */
	u32 udp_timeout;		/* seconds, as each below */
	u32 tcp_timeout;		/* established */
	u32 tcp_transitory_timeout;
	u32 icmp_timeout;
	u32 port_quarantine;		/* seconds a freed port rests */
	u32 mapping_limit;		/* per internal address, 0: none */
	u32 flags;			/* enum conenat_nat_flags */
	struct rcu_head rcu;
};

struct conenat_stats {
	u64 created;
	u64 expired;
	u64 in_passed;
	u64 in_dropped;
	u64 alloc_failed;
	u64 limit_dropped;
	u64 syn_refused;
};

struct conenat_instance {
	struct list_head list;		/* in conenat_net, RCU */
	refcount_t refcnt;		/* the list, dumps, waiting SYNs */
	struct conenat_net *cn;
	char name[CONENAT_NAME_LEN];
	bool dead;			/* deleted: translate nothing */
	int ifindex;			/* of cfg->ifname, 0 while absent */
	struct conenat_cfg __rcu *cfg;
	struct conenat_pools __rcu *pools; /* NULL once deleted */
	atomic_t nmappings;
	struct conenat_stats __percpu *stats;
	struct rcu_head rcu;
};

/* The filtering behaviour for a protocol's flows. */
static inline u8 conenat_filtering(const struct conenat_cfg *cfg, u8 proto)
{
	return proto == IPPROTO_TCP ? cfg->tcp_filtering : cfg->filtering;
}

/* Letters, digits, '-' and '_', at least one. */
bool conenat_name_valid(const char *name);
/* Under cn->lock or RCU. */
struct conenat_instance *conenat_instance_find(struct conenat_net *cn,
					       const char *name);
struct conenat_instance *conenat_instance_get(struct net *net,
					      const char *name);
void conenat_instance_put(struct conenat_instance *inst);

int conenat_instance_add(struct conenat_net *cn, const char *name,
			 struct conenat_cfg *cfg, struct netlink_ext_ack *extack);
/*
 * The rest under cn->lock, for an instance found on the list under it.
 * Change takes cfg (a new copy of the settings), even when it fails.
 */
int conenat_instance_change(struct conenat_instance *inst,
			    struct conenat_cfg *cfg,
			    struct netlink_ext_ack *extack);
/* Remove every mapping, in one pass: flows made meanwhile stay. */
void conenat_instance_flush(struct conenat_instance *inst);
void conenat_instance_del(struct conenat_instance *inst);
void conenat_instances_destroy(struct conenat_net *cn);
/* The device named by instances appeared, went or changed address. */
void conenat_instances_follow(struct net_device *dev, bool gone);
void conenat_instance_stats(struct conenat_instance *inst,
			    struct conenat_stats *sum);

#endif /* _CONENAT_INSTANCE_H */
