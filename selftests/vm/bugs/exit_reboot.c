// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose exit resets the machine without a word in the log: a
 * guest that dies while unloading, after the command succeeded, must fail
 * the run (the status is recorded only after the unload).
 */
#include <linux/module.h>
#include <linux/reboot.h>

static int __init conenat_exit_reboot_init(void)
{
	return 0;
}

static void __exit conenat_exit_reboot_exit(void)
{
	emergency_restart();
}

module_init(conenat_exit_reboot_init);
module_exit(conenat_exit_reboot_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate death during unload for testing the conenat VM runner");
