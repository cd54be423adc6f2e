// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter target "CONENAT" (x_tables, so nftables reaches it through
 * nft_compat and iptables directly): a "nat" table rule hands the first
 * packet of each flow to the instance it names, for instances attached by
 * rules (or to select flows before an instance's own hooks would).
 *
 * A rule names its instance and holds nothing of it: the instance is
 * looked up at each flow, so a saved ruleset loads at boot before the
 * instances exist, and its rules translate from the moment theirs
 * appears (until then, packets continue as if the rule were not there).
 */

#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <net/netfilter/nf_conntrack.h>

#include "instance.h"
#include "nat.h"
#include "target.h"

static int conenat_tg_check(const struct xt_tgchk_param *par)
{
	const struct xt_conenat_info *info = par->targinfo;

	if (info->flags) {
		pr_info_ratelimited("CONENAT: unknown flags %#x\n", info->flags);
		return -EINVAL;
	}
	if (strnlen(info->name, sizeof(info->name)) == sizeof(info->name) ||
	    !conenat_name_valid(info->name)) {
		pr_info_ratelimited("CONENAT: invalid instance name\n");
		return -EINVAL;
	}
	/*
	 * x_tables would insist on a table named "nat", and nft_compat hands
	 * it the nftables table's name: accept conectl's own table too.
	 */
	if (strcmp(par->table, "nat") && strcmp(par->table, "conenat")) {
		pr_info_ratelimited("CONENAT: only in the nat or conenat table\n");
		return -EINVAL;
	}
	return nf_ct_netns_get(par->net, par->family);
}

static void conenat_tg_destroy(const struct xt_tgdtor_param *par)
{
	nf_ct_netns_put(par->net, par->family);
}

static unsigned int conenat_tg(struct sk_buff *skb,
			       const struct xt_action_param *par)
{
	const struct xt_conenat_info *info = par->targinfo;
	struct conenat_instance *inst;

	inst = conenat_instance_find(conenat_pernet(xt_net(par)), info->name);
	if (!inst || READ_ONCE(inst->dead))
		return XT_CONTINUE;
	switch (xt_hooknum(par)) {
	case NF_INET_POST_ROUTING:
		return conenat_outbound(inst, skb);
	case NF_INET_PRE_ROUTING:
		return conenat_inbound(inst, skb, xt_in(par));
	}
	return XT_CONTINUE;
}

static struct xt_target conenat_tg_reg __read_mostly = {
	.name		= "CONENAT",
	.revision	= 0,
	.family		= NFPROTO_IPV4,
	.hooks		= (1 << NF_INET_PRE_ROUTING) |
			  (1 << NF_INET_POST_ROUTING),
	.target		= conenat_tg,
	.checkentry	= conenat_tg_check,
	.destroy	= conenat_tg_destroy,
	.targetsize	= sizeof(struct xt_conenat_info),
	.me		= THIS_MODULE,
};

int __init conenat_target_init(void)
{
	return xt_register_target(&conenat_tg_reg);
}

void conenat_target_uninit(void)
{
	xt_unregister_target(&conenat_tg_reg);
}
