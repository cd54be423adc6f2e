// SPDX-License-Identifier: GPL-2.0
/*
 * A module that WARNs when loaded: proves that selftests/vm/run fails
 * when the guest's kernel log shows a splat.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init conenat_warn_init(void)
{
	WARN(1, "conenat_warn: deliberate warning for the VM runner's test\n");
	return 0;
}

static void __exit conenat_warn_exit(void)
{
}

module_init(conenat_warn_init);
module_exit(conenat_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate WARN for testing the conenat VM runner");
