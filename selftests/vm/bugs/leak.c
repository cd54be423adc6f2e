// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init allocates memory and forgets it: kmemleak's scan
 * after the run ("unreferenced object") must fail the debug kernel's run.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>

static int __init conenat_leak_init(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
	pr_info("conenat_leak: leaking 128 bytes (%s)\n", p ? "allocated" : "none");
	return 0;
}

static void __exit conenat_leak_exit(void)
{
}

module_init(conenat_leak_init);
module_exit(conenat_leak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate leak for testing conenat's debug kernel run");
