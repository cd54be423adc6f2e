// SPDX-License-Identifier: GPL-2.0
/*
 * conenat: NAT with the mapping and filtering behaviours of RFC 4787.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/conenat.h>

#include "netlink.h"
#include "netns.h"
#include "version.h"

static int __init conenat_mod_init(void)
{
	int ret;

	ret = conenat_netns_init();
	if (ret)
		return ret;
	ret = conenat_genetlink_init();
	if (ret)
		goto err_netns;
	pr_info("conenat " CONENAT_VERSION " loaded\n");
	return 0;

err_netns:
	conenat_netns_uninit();
	return ret;
}

static void __exit conenat_mod_exit(void)
{
	conenat_genetlink_uninit();
	conenat_netns_uninit();
}

module_init(conenat_mod_init);
module_exit(conenat_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NAT with RFC 4787 mapping and filtering behaviours");
MODULE_AUTHOR("conenat developers");
MODULE_VERSION(CONENAT_VERSION);
MODULE_ALIAS_GENL_FAMILY(CONENAT_GENL_NAME);
