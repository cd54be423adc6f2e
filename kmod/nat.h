/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_NAT_H
#define _CONENAT_NAT_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "instance.h"

unsigned int conenat_outbound(struct conenat_instance *inst,
			      struct sk_buff *skb,
			      const struct net_device *out);
unsigned int conenat_inbound(struct conenat_instance *inst,
			     struct sk_buff *skb);

#endif /* _CONENAT_NAT_H */
