/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_HOOKS_H
#define _CONENAT_HOOKS_H

#include <net/net_namespace.h>

int conenat_hooks_register(struct net *net);
void conenat_hooks_unregister(struct net *net);

#endif /* _CONENAT_HOOKS_H */
