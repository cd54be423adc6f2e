// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose exit arms a timer instead of deleting it: two seconds
 * after the unload the timer calls into the module's freed text.  The
 * runner must stay up long enough after the unload to see the crash.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timer.h>

static struct timer_list *timer;

static void conenat_late_timer_fn(struct timer_list *t)
{
	pr_info("conenat_late_timer: running (the module should be gone)\n");
}

static int __init conenat_late_timer_init(void)
{
	/* Outside the module's memory, so only the callback is freed. */
	timer = kzalloc(sizeof(*timer), GFP_KERNEL);
	if (!timer)
		return -ENOMEM;
	timer_setup(timer, conenat_late_timer_fn, 0);
	return 0;
}

static void __exit conenat_late_timer_exit(void)
{
	mod_timer(timer, jiffies + 2 * HZ);
}

module_init(conenat_late_timer_init);
module_exit(conenat_late_timer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate timer into freed module text for testing the conenat VM runner");
