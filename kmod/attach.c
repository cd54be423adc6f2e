// SPDX-License-Identifier: GPL-2.0
/*
 * Instances attach to netfilter's NAT hooks themselves, as nftables' nat
 * chains do (nf_nat_ipv4_register_fn): the NAT core calls these for the
 * first packet of each flow whose NAT is not set up yet, so a flushed or
 * reloaded ruleset cannot let a LAN flow leave untranslated.
 *
 * Priorities order them among the nat chains only: at PREROUTING after
 * dstnat (-100), so the admin's port forwards win; at POSTROUTING before
 * srcnat (100), so on its uplink an instance translates before a
 * masquerade rule would.  Equal priorities would run in registration
 * order, which an nftables reload changes.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/x_tables.h>
#include <net/netfilter/nf_nat.h>

#include "attach.h"
#include "instance.h"
#include "nat.h"

/* Live, and attached by its device rather than by rules. */
static bool conenat_attaches(const struct conenat_instance *inst)
{
	return !READ_ONCE(inst->dead) &&
	       !(rcu_dereference(inst->cfg)->flags & CONENAT_NAT_F_RULES);
}

/*
 * The self-attached instance whose uplink is ifindex.  Instances attached
 * by rules may name the same device, before or after it in the list.
 */
static struct conenat_instance *conenat_attached(struct conenat_net *cn,
						 int ifindex)
{
	struct conenat_instance *inst;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "conenat: instances need RCU");
	list_for_each_entry_rcu(inst, &cn->instances, list)
		if (READ_ONCE(inst->ifindex) == ifindex &&
		    conenat_attaches(inst))
			return inst;
	return NULL;
}

/* The NAT core goes on to the next nat hook on NF_ACCEPT. */
static unsigned int conenat_verdict(unsigned int verdict)
{
	return verdict == XT_CONTINUE ? NF_ACCEPT : verdict;
}

static unsigned int conenat_attach_post(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct conenat_instance *inst;

	inst = conenat_attached(conenat_pernet(state->net), state->out->ifindex);
	return inst ? conenat_verdict(conenat_outbound(inst, skb)) : NF_ACCEPT;
}

/*
 * A flow to an external endpoint, from an uplink (any instance's: on a
 * multi-WAN gateway a remote may come in by another uplink) or from the
 * LAN (a hairpin): the instance owning the endpoint takes it, and each
 * instance has its own addresses, so at most one does.
 */
static unsigned int conenat_attach_pre(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct conenat_net *cn = conenat_pernet(state->net);
	struct conenat_instance *inst;
	unsigned int verdict;

	list_for_each_entry_rcu(inst, &cn->instances, list) {
		if (!conenat_attaches(inst))
			continue;
		verdict = conenat_inbound(inst, skb, state->in);
		if (verdict != XT_CONTINUE)
			return verdict;
	}
	return NF_ACCEPT;
}

static const struct nf_hook_ops conenat_attach_ops[] = {
	{
		.hook		= conenat_attach_pre,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook		= conenat_attach_post,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_NAT_SRC - 1,
	},
};

int conenat_attach(struct net *net)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(conenat_attach_ops); i++) {
		ret = nf_nat_ipv4_register_fn(net, &conenat_attach_ops[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	while (i--)
		nf_nat_ipv4_unregister_fn(net, &conenat_attach_ops[i]);
	return ret;
}

void conenat_detach(struct net *net)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(conenat_attach_ops); i++)
		nf_nat_ipv4_unregister_fn(net, &conenat_attach_ops[i]);
}
