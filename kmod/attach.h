/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_ATTACH_H
#define _CONENAT_ATTACH_H

#include <net/net_namespace.h>

/* From a namespace's first instance to its last, under cn->lock. */
int conenat_attach(struct net *net);
void conenat_detach(struct net *net);

#endif /* _CONENAT_ATTACH_H */
