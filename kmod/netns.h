/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_NETNS_H
#define _CONENAT_NETNS_H

#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "wheel.h"

/* Everything conenat keeps for one network namespace. */
struct conenat_net {
	struct net *net;
	struct mutex lock;		/* instances list changes, pools, hooks */
	struct list_head instances;	/* RCU readers */
	unsigned int ninstances;
	struct hlist_head pools[64];	/* by (address, protocol), RCU */
	struct rhashtable by_int;	/* mappings by internal key */
	struct rhashtable remotes;	/* remotes of all mappings */
	struct rhashtable subscribers;	/* mapping counts by internal address */
	spinlock_t subscriber_locks[64];
	spinlock_t syn_lock;		/* refused SYNs waiting for an answer */
	struct list_head syns;
	unsigned int nsyns;
	struct conenat_wheel wheel;	/* every mapping, by expiry */
	struct llist_head dying;	/* removed mappings, for the collector */
	struct mutex gc_lock;		/* the collector: wheel moves, frees */
	struct delayed_work gc;
	atomic_t event_seq;		/* the last mapping event's number */
};

extern unsigned int conenat_net_id;

static inline struct conenat_net *conenat_pernet(const struct net *net)
{
	return net_generic(net, conenat_net_id);
}

int conenat_netns_init(void);
void conenat_netns_uninit(void);

#endif /* _CONENAT_NETNS_H */
