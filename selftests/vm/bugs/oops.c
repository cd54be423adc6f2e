// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init dereferences a NULL pointer: an oops (and, with the
 * runner's oops=panic, a dead guest) must fail the run.
 */
#include <linux/compiler.h>
#include <linux/module.h>

static int __init conenat_oops_init(void)
{
	int *p = NULL;

	OPTIMIZER_HIDE_VAR(p);
	pr_info("conenat_oops: deliberate NULL dereference\n");
	WRITE_ONCE(*p, 1);
	return 0;
}

module_init(conenat_oops_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate oops for testing the conenat VM runner");
