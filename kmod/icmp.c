// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors conenat sends about packets it drops: code 13 when no
 * mapping can be made (RFC 5508 REQ-8), port unreachable for an
 * unsolicited SYN (RFC 5382 REQ-4).
 */

#include <linux/netfilter.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/route.h>

#include "icmp.h"

void conenat_icmp_unreach(struct net *net, struct sk_buff *skb, int hook,
			  int code)
{
	struct flowi4 fl4 = { .daddr = ip_hdr(skb)->saddr };
	struct rtable *rt;

	/*
	 * nf_send_unreach() would route by skb->dev, which a SYN kept for
	 * later no longer has: route here, by namespace.
	 */
	if (!skb_dst(skb)) {
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return;
		skb_dst_set(skb, &rt->dst);
	}
	nf_send_unreach(skb, code, hook == NF_INET_PRE_ROUTING ?
			NF_INET_FORWARD : hook);
}
