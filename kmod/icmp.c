// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors conenat sends about packets it drops: code 13 when no
 * mapping can be made (RFC 5508 REQ-8), port unreachable for an
 * unsolicited SYN (RFC 5382 REQ-4).
 */

#include <linux/icmp.h>
#include <net/icmp.h>
#include <net/route.h>

#include "icmp.h"

void conenat_icmp_unreach(struct net *net, struct sk_buff *skb, int code)
{
	struct flowi4 fl4 = { .daddr = ip_hdr(skb)->saddr };
	struct rtable *rt;

	if (!skb_dst(skb)) {
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return;
		skb_dst_set(skb, &rt->dst);
	}
	icmp_send(skb, ICMP_DEST_UNREACH, code, 0);
}
