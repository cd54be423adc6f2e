/* SPDX-License-Identifier: GPL-2.0 */
/* Differences between the supported kernels (6.1 and later). */
#ifndef _CONENAT_COMPAT_H
#define _CONENAT_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/* The parsed attributes of a dump request. */
static inline struct nlattr **conenat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _CONENAT_COMPAT_H */
