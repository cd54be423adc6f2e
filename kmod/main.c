// SPDX-License-Identifier: GPL-2.0
/*
 * conenat: NAT with the mapping and filtering behaviours of RFC 4787.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/conenat.h>

#include "follow.h"
#include "mapping.h"
#include "netlink.h"
#include "netns.h"
#include "target.h"
#include "version.h"

static int __init conenat_mod_init(void)
{
	int ret;

	ret = conenat_mapping_caches_init();
	if (ret)
		return ret;
	ret = conenat_netns_init();
	if (ret)
		goto err_caches;
	ret = conenat_follow_init();
	if (ret)
		goto err_netns;
	ret = conenat_target_init();
	if (ret)
		goto err_follow;
	ret = conenat_genetlink_init();
	if (ret)
		goto err_target;
	pr_info("conenat " CONENAT_VERSION " loaded\n");
	return 0;

err_target:
	conenat_target_uninit();
err_follow:
	conenat_follow_uninit();
err_netns:
	conenat_netns_uninit();
err_caches:
	rcu_barrier();
	conenat_mapping_caches_destroy();
	return ret;
}

static void __exit conenat_mod_exit(void)
{
	conenat_genetlink_uninit();
	conenat_target_uninit();
	conenat_follow_uninit();
	conenat_netns_uninit();
	/* Mappings, remotes, pools and instances are freed by RCU callbacks. */
	rcu_barrier();
	conenat_mapping_caches_destroy();
}

module_init(conenat_mod_init);
module_exit(conenat_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NAT with RFC 4787 mapping and filtering behaviours");
MODULE_AUTHOR("conenat developers");
MODULE_VERSION(CONENAT_VERSION);
MODULE_ALIAS_GENL_FAMILY(CONENAT_GENL_NAME);
MODULE_ALIAS("ipt_CONENAT");
