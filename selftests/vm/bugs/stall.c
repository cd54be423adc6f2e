// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init spins with preemption off for longer than the RCU
 * stall timeout and the soft lockup threshold the test sets: "rcu: INFO:
 * rcu_preempt detected stalls" and "watchdog: BUG: soft lockup" fail the
 * run.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/preempt.h>

static unsigned int seconds = 8;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long init spins without scheduling");

static int __init conenat_stall_init(void)
{
	unsigned int i;

	pr_info("conenat_stall: spinning %u s with preemption off\n", seconds);
	preempt_disable();
	for (i = 0; i < seconds * 100; i++)
		mdelay(10);
	preempt_enable();
	return 0;
}

static void __exit conenat_stall_exit(void)
{
}

module_init(conenat_stall_init);
module_exit(conenat_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate RCU stall and soft lockup for testing the conenat VM runner");
