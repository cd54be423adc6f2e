// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init spins with preemption off for longer than the RCU
 * stall timeout and the soft lockup threshold the test sets: "rcu: INFO:
 * rcu_preempt detected stalls" and "watchdog: BUG: soft lockup" fail the
 * run.
 *
 * It spins until the clock says the time is up rather than for a count of
 * mdelay()s: under TCG the delay loop's calibration can be far off, and a
 * spin that ends early shows no stall at all.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/processor.h>

static unsigned int seconds = 8;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long init spins without scheduling");

static int __init conenat_stall_init(void)
{
	u64 start = ktime_get_ns();
	u64 end = start + (u64)seconds * NSEC_PER_SEC;

	pr_info("conenat_stall: spinning %u s with preemption off\n", seconds);
	preempt_disable();
	while (ktime_get_ns() < end)
		cpu_relax();
	preempt_enable();
	pr_info("conenat_stall: spun %llu ms\n",
		(ktime_get_ns() - start) / NSEC_PER_MSEC);
	return 0;
}

static void __exit conenat_stall_exit(void)
{
}

module_init(conenat_stall_init);
module_exit(conenat_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate RCU stall and soft lockup for testing the conenat VM runner");
