// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init reads memory it has freed: KASAN's report
 * ("BUG: KASAN: slab-use-after-free") must fail the debug kernel's run.
 */
#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/slab.h>

static int __init conenat_uaf_init(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("conenat_uaf: read after free: %d\n", READ_ONCE(p[8]));
	return 0;
}

static void __exit conenat_uaf_exit(void)
{
}

module_init(conenat_uaf_init);
module_exit(conenat_uaf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate use-after-free for testing conenat's debug kernel run");
