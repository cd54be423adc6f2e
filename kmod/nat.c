// SPDX-License-Identifier: GPL-2.0
/*
 * The translation of a flow's first packet, called from the instance's
 * own NAT hooks (attach.c) or by the CONENAT target:
 * outbound, find or make the mapping the mapping behaviour shares and
 * source-NAT the flow to it; inbound, let the filtering behaviour decide
 * and destination-NAT the flow to the internal endpoint.
 */

#include <linux/icmp.h>
#include <linux/inetdevice.h>
#include <linux/netfilter/x_tables.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "icmp.h"
#include "mapping.h"
#include "nat.h"
#include "syn.h"

/* What conenat does with a flow's first packet. */
enum conenat_flow_kind {
	CONENAT_FLOW_NONE,		/* not ours: leave it alone */
	CONENAT_FLOW_MAPPED,		/* UDP, TCP, ICMP echo: a mapping */
	CONENAT_FLOW_ADDRESS,		/* anything else outbound: the address */
};

/*
 * The conntrack entry of a flow's first packet, unless NAT is set up for
 * it already (by another rule, or a rule of ours in a chain that is not a
 * NAT one), and what to do with it.  UDP and TCP get mappings both ways,
 * ICMP echo requests going out (RFC 5508).  Any other protocol going out
 * (GRE, ESP, SCTP, DCCP, UDP-Lite, other ICMP queries) gets the external
 * address as masquerade gives it, ports chosen by nf_nat where it has
 * them: a private source address never leaves.
 */
static enum conenat_flow_kind
conenat_new_flow(struct sk_buff *skb, bool outbound, struct nf_conn **ctp,
		 const struct nf_conntrack_tuple **t)
{
	enum nf_nat_manip_type manip = outbound ? NF_NAT_MANIP_SRC :
						  NF_NAT_MANIP_DST;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || nf_nat_initialized(ct, manip))
		return CONENAT_FLOW_NONE;
	*ctp = ct;
	*t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	switch ((*t)->dst.protonum) {
	case IPPROTO_UDP:
	case IPPROTO_TCP:
		return CONENAT_FLOW_MAPPED;
	case IPPROTO_ICMP:
		if ((*t)->dst.u.icmp.type == ICMP_ECHO)
			return outbound ? CONENAT_FLOW_MAPPED : CONENAT_FLOW_NONE;
		break;
	}
	return outbound ? CONENAT_FLOW_ADDRESS : CONENAT_FLOW_NONE;
}

/* The remote's port; an ICMP query has none (its identifier is ours). */
static __be16 conenat_remote_port(const struct nf_conntrack_tuple *t)
{
	return t->dst.protonum == IPPROTO_ICMP ? 0 : t->dst.u.all;
}

u32 conenat_flow_timeout(const struct conenat_cfg *cfg,
			 const struct nf_conn *ct)
{
	switch (nf_ct_protonum(ct)) {
	case IPPROTO_TCP:
		return ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED ?
		       cfg->tcp_timeout : cfg->tcp_transitory_timeout;
	case IPPROTO_ICMP:
		return cfg->icmp_timeout;
	}
	return cfg->udp_timeout;
}

static void conenat_int_key_fill(struct conenat_int_key *key,
				 const struct conenat_instance *inst,
				 const struct conenat_cfg *cfg,
				 const struct nf_conntrack_tuple *t)
{
	memset(key, 0, sizeof(*key));
	key->inst = inst;
	key->proto = t->dst.protonum;
	key->int_addr = t->src.u3.ip;
	key->int_port = t->src.u.all;
	if (cfg->mapping >= CONENAT_MAPPING_ADM)
		key->rem_addr = t->dst.u3.ip;
	if (cfg->mapping == CONENAT_MAPPING_APDM)
		key->rem_port = conenat_remote_port(t);
}

static unsigned int conenat_nat_to(struct nf_conn *ct, __be32 addr,
				   __be16 port, enum nf_nat_manip_type manip)
{
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
		.min_addr.ip = addr,
		.max_addr.ip = addr,
		.min_proto.all = port,
		.max_proto.all = port,
	};

	return nf_nat_setup_info(ct, &range, manip);
}

static struct conenat_mapping *
conenat_outbound_mapping(struct conenat_instance *inst,
			 const struct conenat_cfg *cfg, const struct nf_conn *ct,
			 const struct nf_conntrack_tuple *t, u32 timeout)
{
	struct conenat_dest dest = {
		.addr = t->dst.u3.ip, .port = conenat_remote_port(t),
	};
	struct conenat_int_key key;
	struct conenat_mapping *m;
	struct conenat_pool *pool;

	conenat_int_key_fill(&key, inst, cfg, t);
	m = conenat_lookup_int(inst->cn, &key);
	if (m && !conenat_mapping_dying(m)) {
		if (!conenat_mapping_expired(m))
			return m;
		conenat_mapping_remove(m, true);
	}
	pool = conenat_pools_pick(rcu_dereference(inst->pools), t->src.u3.ip,
				  t->dst.protonum);
	if (!pool)
		return ERR_PTR(-EADDRNOTAVAIL);
	return conenat_mapping_create(inst, cfg, &key, pool, ct, timeout, &dest);
}

/*
 * No mapping could be made: drop, never evict (RFC 6888 REQ-11), count
 * why, and say so (RFC 5508 REQ-8) unless it was a moment's race with a
 * removal, which the sender's next packet gets past.
 */
static unsigned int conenat_no_mapping(struct conenat_instance *inst,
				       struct sk_buff *skb, int hook, long err)
{
	if (err == -EDQUOT)
		this_cpu_inc(inst->stats->limit_dropped);
	else
		this_cpu_inc(inst->stats->alloc_failed);
	if (err != -EAGAIN)
		conenat_icmp_unreach(inst->cn->net, skb, hook, ICMP_PKT_FILTERED);
	return NF_DROP;
}

/* A protocol without mappings: the paired external address, or a drop. */
static unsigned int conenat_outbound_address(struct conenat_instance *inst,
					     struct sk_buff *skb,
					     struct nf_conn *ct,
					     const struct nf_conntrack_tuple *t)
{
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS };
	__be32 addr;

	addr = conenat_pools_addr(rcu_dereference(inst->pools), t->src.u3.ip);
	if (!addr)
		return conenat_no_mapping(inst, skb, NF_INET_POST_ROUTING,
					  -EADDRNOTAVAIL);
	range.min_addr.ip = addr;
	range.max_addr.ip = addr;
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);
}

unsigned int conenat_outbound(struct conenat_instance *inst,
			      struct sk_buff *skb)
{
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	const struct nf_conntrack_tuple *t;
	enum conenat_flow_kind kind;
	struct conenat_mapping *m;
	struct nf_conn *ct;
	u32 timeout;

	kind = conenat_new_flow(skb, true, &ct, &t);
	/* The gateway's own flows from an external address need nothing. */
	if (kind != CONENAT_FLOW_NONE &&
	    conenat_pool_lookup(inst->cn, t->src.u3.ip, IPPROTO_UDP))
		return XT_CONTINUE;
	switch (kind) {
	case CONENAT_FLOW_NONE:
		return XT_CONTINUE;
	case CONENAT_FLOW_ADDRESS:
		return conenat_outbound_address(inst, skb, ct, t);
	case CONENAT_FLOW_MAPPED:
		break;
	}
	timeout = conenat_flow_timeout(cfg, ct);
	m = conenat_outbound_mapping(inst, cfg, ct, t, timeout);
	if (IS_ERR(m))
		return conenat_no_mapping(inst, skb, NF_INET_POST_ROUTING,
					  PTR_ERR(m));
	conenat_mapping_refresh(m, timeout);
	conenat_remote_add(m, t->dst.u3.ip, conenat_remote_port(t), true);
	return conenat_nat_to(ct, m->ekey.addr, m->ekey.port,
			      NF_NAT_MANIP_SRC);
}

/*
 * Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): an internal endpoint sends
 * to another one's external endpoint.  The flow gets the sender's mapping
 * (towards that external endpoint) as its source, passes the receiver's
 * filter like any remote would, and turns back inside.
 */
static unsigned int conenat_hairpin(struct conenat_instance *inst,
				    const struct conenat_cfg *cfg,
				    struct sk_buff *skb, struct nf_conn *ct,
				    const struct nf_conntrack_tuple *t,
				    struct conenat_mapping *to)
{
	u32 timeout = conenat_flow_timeout(cfg, ct);
	struct conenat_mapping *from;
	unsigned int verdict;

	from = conenat_outbound_mapping(inst, cfg, ct, t, timeout);
	if (IS_ERR(from))
		return conenat_no_mapping(inst, skb, NF_INET_PRE_ROUTING,
					  PTR_ERR(from));
	conenat_mapping_refresh(from, timeout);
	conenat_remote_add(from, t->dst.u3.ip, t->dst.u.all, true);
	if (!conenat_filter_permits(to, conenat_filtering(cfg, t->dst.protonum),
				    from->ekey.addr, from->ekey.port)) {
		this_cpu_inc(inst->stats->in_dropped);
		return NF_DROP;
	}
	conenat_remote_add(to, from->ekey.addr, from->ekey.port, false);
	this_cpu_inc(inst->stats->in_passed);
	verdict = conenat_nat_to(ct, to->ikey.int_addr, to->ikey.int_port,
				 NF_NAT_MANIP_DST);
	if (verdict != NF_ACCEPT)
		return verdict;
	return conenat_nat_to(ct, from->ekey.addr, from->ekey.port,
			      NF_NAT_MANIP_SRC);
}

/*
 * The live mapping of an inbound flow's external endpoint, if it is one
 * of the instance's and not a socket of the gateway itself: a service the
 * gateway started after the mapping was made stays reachable.
 */
static struct conenat_mapping *
conenat_inbound_mapping(struct conenat_instance *inst,
			const struct nf_conntrack_tuple *t)
{
	struct conenat_mapping *m;
	struct conenat_pool *pool;

	pool = conenat_pool_lookup(inst->cn, t->dst.u3.ip, t->dst.protonum);
	if (!pool || pool->inst != inst)
		return NULL;
	m = conenat_pool_owner(pool, t->dst.u.all);
	if (!m || conenat_mapping_dying(m) || conenat_mapping_expired(m) ||
	    conenat_port_local(inst->cn->net, t->dst.protonum, t->dst.u3.ip,
			       t->dst.u.all))
		return NULL;
	return m;
}

/*
 * Did the flow come in on an uplink (any instance's device, so a remote
 * using another uplink of a multi-WAN gateway is not taken for a LAN
 * host), or from the LAN (a hairpin)?
 */
static bool conenat_uplink(struct conenat_net *cn, int ifindex)
{
	struct conenat_instance *inst;

	list_for_each_entry_rcu(inst, &cn->instances, list)
		if (READ_ONCE(inst->ifindex) == ifindex)
			return true;
	return false;
}

unsigned int conenat_inbound(struct conenat_instance *inst,
			     struct sk_buff *skb, const struct net_device *in)
{
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	const struct nf_conntrack_tuple *t;
	struct conenat_mapping *m;
	struct nf_conn *ct;
	u8 proto;

	if (conenat_new_flow(skb, false, &ct, &t) != CONENAT_FLOW_MAPPED)
		return XT_CONTINUE;
	/* Not a mapped endpoint of ours: the host's own traffic. */
	m = conenat_inbound_mapping(inst, t);
	if (!m)
		return XT_CONTINUE;
	if (!conenat_uplink(inst->cn, in->ifindex))
		return conenat_hairpin(inst, cfg, skb, ct, t, m);

	proto = t->dst.protonum;
	if (!conenat_filter_permits(m, conenat_filtering(cfg, proto),
				    t->src.u3.ip, t->src.u.all)) {
		/* Dropped unconfirmed: no conntrack entry is left behind. */
		this_cpu_inc(inst->stats->in_dropped);
		if (proto == IPPROTO_TCP)
			conenat_syn_refused(inst, skb, ct);
		return NF_DROP;
	}
	conenat_remote_add(m, t->src.u3.ip, t->src.u.all, false);
	if (cfg->flags & CONENAT_NAT_F_INBOUND_REFRESH)
		conenat_mapping_refresh(m, conenat_flow_timeout(cfg, ct));
	this_cpu_inc(inst->stats->in_passed);
	return conenat_nat_to(ct, m->ikey.int_addr, m->ikey.int_port,
			      NF_NAT_MANIP_DST);
}
