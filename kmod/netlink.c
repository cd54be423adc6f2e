// SPDX-License-Identifier: GPL-2.0
/*
 * The "conenat" generic netlink family; include/uapi/linux/conenat.h is
 * its specification.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/conenat.h>

#include "netlink.h"
#include "version.h"

static struct genl_family genl_family;

static const struct nla_policy conenat_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_VERSION]	= { .type = NLA_REJECT },
	[CONENAT_A_API_VERSION]	= { .type = NLA_REJECT },
};

static int conenat_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &genl_family, 0,
				CONENAT_CMD_GET_VERSION);
	if (!hdr)
		goto nla_failure;
	if (nla_put_string(msg, CONENAT_A_VERSION, CONENAT_VERSION) ||
	    nla_put_u32(msg, CONENAT_A_API_VERSION, CONENAT_API_VERSION))
		goto nla_failure;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops genl_ops[] = {
	{
		.cmd = CONENAT_CMD_GET_VERSION,
		.doit = conenat_get_version,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.resv_start_op = CONENAT_CMD_MAX + 1,
	.name = CONENAT_GENL_NAME,
	.version = CONENAT_GENL_VERSION,
	.maxattr = CONENAT_A_MAX,
	.policy = conenat_policy,
	.module = THIS_MODULE,
	.netnsok = true,
	.parallel_ops = true,
};

int __init conenat_genetlink_init(void)
{
	return genl_register_family(&genl_family);
}

void conenat_genetlink_uninit(void)
{
	genl_unregister_family(&genl_family);
}
