// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose init takes two mutexes in one order and then in the
 * other (one thread, so nothing deadlocks): lockdep's "possible circular
 * locking dependency detected" must fail the debug kernel's run.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(conenat_lock_a);
static DEFINE_MUTEX(conenat_lock_b);

static int __init conenat_lockorder_init(void)
{
	mutex_lock(&conenat_lock_a);
	mutex_lock(&conenat_lock_b);
	mutex_unlock(&conenat_lock_b);
	mutex_unlock(&conenat_lock_a);

	mutex_lock(&conenat_lock_b);
	mutex_lock(&conenat_lock_a);
	mutex_unlock(&conenat_lock_a);
	mutex_unlock(&conenat_lock_b);
	return 0;
}

static void __exit conenat_lockorder_exit(void)
{
}

module_init(conenat_lockorder_init);
module_exit(conenat_lockorder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate lock-order inversion for testing conenat's debug kernel run");
