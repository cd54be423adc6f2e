/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_ICMP_H
#define _CONENAT_ICMP_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

/*
 * Answer skb with ICMP destination unreachable, code, as netfilter's
 * REJECT does (never for a fragment or a bad checksum); from any hook,
 * since a packet not yet routed gets the route back to its source first.
 */
void conenat_icmp_unreach(struct net *net, struct sk_buff *skb, int hook,
			  int code);

#endif /* _CONENAT_ICMP_H */
