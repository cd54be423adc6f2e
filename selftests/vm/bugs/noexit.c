// SPDX-License-Identifier: GPL-2.0
/*
 * A module without an exit function, which the kernel never unloads: a
 * module the guest cannot remove after the command must fail the run.
 */
#include <linux/module.h>

static int __init conenat_noexit_init(void)
{
	return 0;
}

module_init(conenat_noexit_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Module that cannot unload, for testing the conenat VM runner");
