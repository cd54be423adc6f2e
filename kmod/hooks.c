// SPDX-License-Identifier: GPL-2.0
/*
 * Every packet of a translated flow, after NAT: count it on its mapping,
 * and let outbound packets (inbound too, if the instance says so) keep
 * the mapping alive (RFC 4787 REQ-6).  Registered while the namespace has
 * an instance.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>

#include "hooks.h"
#include "mapping.h"
#include "nat.h"

/*
 * A TCP RST does not keep a mapping alive: sent in reply to an inbound
 * packet it is not the internal endpoint's traffic (RFC 7857 section 2.1),
 * and otherwise it ends its connection anyway.
 */
static bool conenat_refreshes(const struct sk_buff *skb,
			      const struct nf_conn *ct)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return true;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	return th && !th->rst;
}

/* Has the TCP connection closed (FIN either way, or RST)? */
static bool conenat_tcp_closed(const struct nf_conn *ct)
{
	u8 state;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return false;
	state = READ_ONCE(ct->proto.tcp.state);
	return state >= TCP_CONNTRACK_FIN_WAIT && state <= TCP_CONNTRACK_CLOSE;
}

/* The external endpoint of a translated conntrack entry, if any. */
static bool conenat_ct_ext(const struct nf_conn *ct,
			   struct conenat_ext_key *key,
			   const struct nf_conntrack_tuple **internal)
{
	const struct nf_conntrack_tuple *ext;

	if (ct->status & IPS_SRC_NAT) {
		ext = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		*internal = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		key->addr = ext->dst.u3.ip;
		/* An echo reply carries the identifier as its source. */
		key->port = ext->dst.protonum == IPPROTO_ICMP ?
			    ext->src.u.icmp.id : ext->dst.u.all;
	} else if (ct->status & IPS_DST_NAT) {
		ext = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		*internal = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
		key->addr = ext->dst.u3.ip;
		key->port = ext->dst.u.all;
	} else {
		return false;
	}
	key->proto = ext->dst.protonum;
	return true;
}

static unsigned int conenat_account(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	const bool outbound_hook = state->hook == NF_INET_POST_ROUTING;
	const struct nf_conntrack_tuple *internal;
	struct conenat_ext_key key = {};
	enum ip_conntrack_info ctinfo;
	const struct conenat_cfg *cfg;
	struct conenat_mapping *m;
	struct conenat_pool *pool;
	struct nf_conn *ct;
	bool outbound;

	ct = nf_ct_get(skb, &ctinfo);
	/*
	 * ICMP errors are related, not part of the flow: they neither count
	 * nor refresh (RFC 4787 REQ-12, RFC 7857 section 2.2).
	 */
	if (!ct || ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY ||
	    !conenat_ct_ext(ct, &key, &internal))
		return NF_ACCEPT;
	/* Source-NATed flows go out in the original direction. */
	outbound = (CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL) ==
		   !!(ct->status & IPS_SRC_NAT);
	if (outbound != outbound_hook)
		return NF_ACCEPT;
	pool = conenat_pool_lookup(conenat_pernet(state->net), key.addr,
				   key.proto);
	m = pool ? conenat_pool_owner(pool, key.port) : NULL;
	/* A stale entry whose external endpoint has a new owner. */
	if (!m || conenat_mapping_dying(m) ||
	    m->ikey.int_addr != internal->src.u3.ip ||
	    m->ikey.int_port != internal->src.u.all)
		return NF_ACCEPT;
	cfg = rcu_dereference(conenat_mapping_inst(m)->cfg);
	/* Racy on purpose: a lost count costs less than a locked add. */
	if (outbound)
		WRITE_ONCE(m->pkts_out, m->pkts_out + 1);
	else
		WRITE_ONCE(m->pkts_in, m->pkts_in + 1);
	if (conenat_tcp_closed(ct))
		conenat_mapping_closed(m, cfg->tcp_transitory_timeout);
	else if ((outbound || cfg->flags & CONENAT_NAT_F_INBOUND_REFRESH) &&
		 conenat_refreshes(skb, ct))
		conenat_mapping_refresh(m, conenat_flow_timeout(cfg, ct));
	return NF_ACCEPT;
}

static const struct nf_hook_ops conenat_hook_ops[] = {
	{
		.hook		= conenat_account,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook		= conenat_account,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_NAT_SRC + 1,
	},
};

int conenat_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, conenat_hook_ops,
				     ARRAY_SIZE(conenat_hook_ops));
}

void conenat_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, conenat_hook_ops,
				ARRAY_SIZE(conenat_hook_ops));
}
