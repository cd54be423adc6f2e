/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_NETLINK_H
#define _CONENAT_NETLINK_H

int conenat_genetlink_init(void);
void conenat_genetlink_uninit(void);

#endif /* _CONENAT_NETLINK_H */
