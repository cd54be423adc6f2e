// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init sleeps uninterruptibly for longer than the hung task
 * timeout the test sets (kernel.hung_task_timeout_secs=1): the kernel's
 * "INFO: task insmod:N blocked for more than 1 seconds." fails the run.
 */
#include <linux/delay.h>
#include <linux/module.h>

static unsigned int seconds = 5;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long init sleeps in state D");

static int __init conenat_hung_init(void)
{
	pr_info("conenat_hung: sleeping %u s in state D\n", seconds);
	msleep(seconds * 1000);
	return 0;
}

static void __exit conenat_hung_exit(void)
{
}

module_init(conenat_hung_init);
module_exit(conenat_hung_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate hung task for testing the conenat VM runner");
