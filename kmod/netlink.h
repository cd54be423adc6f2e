/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_NETLINK_H
#define _CONENAT_NETLINK_H

#include <linux/types.h>

struct conenat_dest;
struct conenat_mapping;

int conenat_genetlink_init(void);
/*
 * Tell the events group (if anyone listens) of a mapping made or ended,
 * with the destination that made it if dest is given.
 */
void conenat_notify_map(struct conenat_mapping *m, u8 cmd, bool expired,
			const struct conenat_dest *dest);
void conenat_genetlink_uninit(void);

#endif /* _CONENAT_NETLINK_H */
