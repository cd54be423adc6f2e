/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_NAT_H
#define _CONENAT_NAT_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "instance.h"

unsigned int conenat_outbound(struct conenat_instance *inst,
			      struct sk_buff *skb);
unsigned int conenat_inbound(struct conenat_instance *inst,
			     struct sk_buff *skb, const struct net_device *in);
/* How long a packet of the flow keeps its mapping alive, in seconds. */
u32 conenat_flow_timeout(const struct conenat_cfg *cfg,
			 const struct nf_conn *ct);

#endif /* _CONENAT_NAT_H */
