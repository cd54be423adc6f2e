// SPDX-License-Identifier: GPL-2.0
/*
 * Unsolicited inbound TCP SYNs (RFC 5382 REQ-4): one the filter refuses is
 * not answered for at least 6 seconds, so that a simultaneous open (TCP
 * hole punching) can still happen; if the internal endpoint has not sent
 * a SYN to that remote by then, the remote gets ICMP port unreachable,
 * unless the instance keeps refused SYNs silent (REQ-4a).  A bounded
 * number wait, so a SYN flood costs a fixed amount of memory.
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "icmp.h"
#include "syn.h"

#define CONENAT_SYN_DELAY (6 * HZ)
#define CONENAT_MAX_SYNS 64

struct conenat_syn {
	struct list_head list;		/* in conenat_net.syns, oldest first */
	unsigned long due;
	struct conenat_instance *inst;	/* a reference */
	struct sk_buff *skb;		/* a private copy of the SYN */
	struct nf_conntrack_zone zone;	/* of the refused SYN's flow */
	__be32 saddr, daddr;
	__be16 sport, dport;
};

void conenat_syns_init(struct conenat_net *cn)
{
	spin_lock_init(&cn->syn_lock);
	INIT_LIST_HEAD(&cn->syns);
}

static void conenat_syn_free(struct conenat_syn *syn)
{
	kfree_skb(syn->skb);
	conenat_instance_put(syn->inst);
	kfree(syn);
}

/* Is the same SYN (a retransmission) waiting already?  Under syn_lock. */
static bool conenat_syn_waiting(struct conenat_net *cn,
				const struct conenat_syn *new)
{
	struct conenat_syn *syn;

	list_for_each_entry(syn, &cn->syns, list)
		if (syn->saddr == new->saddr && syn->sport == new->sport &&
		    syn->daddr == new->daddr && syn->dport == new->dport)
			return true;
	return false;
}

static struct conenat_syn *conenat_syn_new(struct conenat_instance *inst,
					   struct sk_buff *skb,
					   const struct nf_conn *ct,
					   const struct tcphdr *th)
{
	struct conenat_syn *syn = kzalloc(sizeof(*syn), GFP_ATOMIC);

	if (!syn)
		return NULL;
	syn->skb = skb_copy(skb, GFP_ATOMIC);
	if (!syn->skb) {
		kfree(syn);
		return NULL;
	}
	/* The copy holds neither the unconfirmed conntrack nor the device. */
	nf_reset_ct(syn->skb);
	skb_dst_drop(syn->skb);
	syn->skb->dev = NULL;
	syn->zone = *nf_ct_zone(ct);
	syn->saddr = ip_hdr(skb)->saddr;
	syn->daddr = ip_hdr(skb)->daddr;
	syn->sport = th->source;
	syn->dport = th->dest;
	syn->due = jiffies + CONENAT_SYN_DELAY;
	refcount_inc(&inst->refcnt);
	syn->inst = inst;
	return syn;
}

void conenat_syn_refused(struct conenat_instance *inst, struct sk_buff *skb,
			 const struct nf_conn *ct)
{
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	struct conenat_net *cn = inst->cn;
	struct conenat_syn *syn;
	struct tcphdr _th;
	const struct tcphdr *th;

	if (cfg->flags & CONENAT_NAT_F_SYN_SILENT)
		return;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th || !th->syn || th->ack || th->rst ||
	    READ_ONCE(cn->nsyns) >= CONENAT_MAX_SYNS)
		return;
	syn = conenat_syn_new(inst, skb, ct, th);
	if (!syn)
		return;
	spin_lock_bh(&cn->syn_lock);
	if (cn->nsyns < CONENAT_MAX_SYNS && !conenat_syn_waiting(cn, syn)) {
		list_add_tail(&syn->list, &cn->syns);
		WRITE_ONCE(cn->nsyns, cn->nsyns + 1);
		syn = NULL;
	}
	spin_unlock_bh(&cn->syn_lock);
	if (syn)
		conenat_syn_free(syn);
}

/*
 * Has the connection opened meanwhile?  Then conntrack holds an entry from
 * the remote to the external endpoint: the internal endpoint's own SYN (a
 * simultaneous open), or a later SYN the filter admitted.
 */
static bool conenat_syn_answered(struct net *net,
				 const struct conenat_syn *syn)
{
	struct nf_conntrack_tuple tuple = {};
	struct nf_conntrack_tuple_hash *h;

	tuple.src.l3num = NFPROTO_IPV4;
	tuple.src.u3.ip = syn->saddr;
	tuple.src.u.tcp.port = syn->sport;
	tuple.dst.u3.ip = syn->daddr;
	tuple.dst.u.tcp.port = syn->dport;
	tuple.dst.protonum = IPPROTO_TCP;
	h = nf_conntrack_find_get(net, &syn->zone, &tuple);
	if (!h)
		return false;
	nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
	return true;
}

static void conenat_syn_answer(struct net *net, struct conenat_syn *syn)
{
	if (conenat_syn_answered(net, syn))
		return;
	local_bh_disable();
	conenat_icmp_unreach(net, syn->skb, NF_INET_LOCAL_OUT,
			     ICMP_PORT_UNREACH);
	this_cpu_inc(syn->inst->stats->syn_refused);
	local_bh_enable();
}

/* Take the waiting SYNs out of the namespace: all, or those due. */
static void conenat_syns_take(struct conenat_net *cn, struct list_head *out,
			      bool only_due)
{
	struct conenat_syn *syn, *tmp;

	spin_lock_bh(&cn->syn_lock);
	list_for_each_entry_safe(syn, tmp, &cn->syns, list) {
		if (only_due && time_before(jiffies, syn->due))
			break;
		list_move_tail(&syn->list, out);
		WRITE_ONCE(cn->nsyns, cn->nsyns - 1);
	}
	spin_unlock_bh(&cn->syn_lock);
}

void conenat_syns_expire(struct conenat_net *cn)
{
	struct conenat_syn *syn, *tmp;
	LIST_HEAD(due);

	conenat_syns_take(cn, &due, true);
	list_for_each_entry_safe(syn, tmp, &due, list) {
		conenat_syn_answer(cn->net, syn);
		conenat_syn_free(syn);
	}
}

void conenat_syns_flush(struct conenat_net *cn)
{
	struct conenat_syn *syn, *tmp;
	LIST_HEAD(all);

	conenat_syns_take(cn, &all, false);
	list_for_each_entry_safe(syn, tmp, &all, list)
		conenat_syn_free(syn);
}
