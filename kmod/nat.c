// SPDX-License-Identifier: GPL-2.0
/*
 * The translation of a flow's first packet, called by the CONENAT target:
 * outbound, find or make the mapping the mapping behaviour shares and
 * source-NAT the flow to it; inbound, let the filtering behaviour decide
 * and destination-NAT the flow to the internal endpoint.
 */

#include <linux/icmp.h>
#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/netfilter/x_tables.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "icmp.h"
#include "mapping.h"
#include "nat.h"
#include "syn.h"

/*
 * The conntrack entry of a flow's first packet, if conenat translates it:
 * UDP and TCP both ways, ICMP echo requests going out (RFC 5508).
 */
static struct nf_conn *conenat_new_flow(struct sk_buff *skb, bool outbound,
					const struct nf_conntrack_tuple **t)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NULL;
	*t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	switch ((*t)->dst.protonum) {
	case IPPROTO_UDP:
	case IPPROTO_TCP:
		return ct;
	case IPPROTO_ICMP:
		if (outbound && (*t)->dst.u.icmp.type == ICMP_ECHO)
			return ct;
		break;
	}
	return NULL;
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

/*
 * Paired pooling (RFC 4787 REQ-2): an internal address always gets the
 * same external address; with none configured, the device's own.
 */
static __be32 conenat_ext_addr(const struct conenat_cfg *cfg, __be32 int_addr,
			       const struct net_device *out)
{
	if (cfg->naddrs)
		return cfg->addrs[reciprocal_scale(jhash_1word((__force u32)int_addr, 0),
						   cfg->naddrs)];
	return out ? inet_select_addr(out, 0, RT_SCOPE_UNIVERSE) : 0;
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
			 const struct conenat_cfg *cfg,
			 const struct nf_conntrack_tuple *t,
			 const struct net_device *out, u32 timeout)
{
	struct conenat_dest dest = {
		.addr = t->dst.u3.ip, .port = conenat_remote_port(t),
	};
	struct conenat_int_key key;
	struct conenat_mapping *m;
	__be32 ext_addr;

	conenat_int_key_fill(&key, inst, cfg, t);
	m = conenat_lookup_int(inst->cn, &key);
	if (m && !conenat_mapping_expired(m))
		return m;
	if (m)
		conenat_mapping_remove(m, true);
	ext_addr = conenat_ext_addr(cfg, t->src.u3.ip, out);
	if (!ext_addr)
		return ERR_PTR(-EADDRNOTAVAIL);
	return conenat_mapping_create(inst, cfg, &key, ext_addr, timeout, &dest);
}

/*
 * No mapping could be made: drop, never evict (RFC 6888 REQ-11), count
 * why, and say so (RFC 5508 REQ-8).
 */
static unsigned int conenat_no_mapping(struct conenat_instance *inst,
				       struct sk_buff *skb, long err)
{
	if (err == -EDQUOT)
		this_cpu_inc(inst->stats->limit_dropped);
	else
		this_cpu_inc(inst->stats->alloc_failed);
	conenat_icmp_unreach(inst->cn->net, skb, ICMP_PKT_FILTERED);
	return NF_DROP;
}

unsigned int conenat_outbound(struct conenat_instance *inst,
			      struct sk_buff *skb,
			      const struct net_device *out)
{
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	const struct nf_conntrack_tuple *t;
	struct conenat_mapping *m;
	struct nf_conn *ct;
	u32 timeout;

	ct = conenat_new_flow(skb, true, &t);
	if (!ct)
		return XT_CONTINUE;
	timeout = conenat_flow_timeout(cfg, ct);
	m = conenat_outbound_mapping(inst, cfg, t, out, timeout);
	if (IS_ERR(m))
		return conenat_no_mapping(inst, skb, PTR_ERR(m));
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
	struct net_device *dev = dev_get_by_name_rcu(inst->cn->net, cfg->ifname);
	u32 timeout = conenat_flow_timeout(cfg, ct);
	struct conenat_mapping *from;
	unsigned int verdict;

	from = conenat_outbound_mapping(inst, cfg, t, dev, timeout);
	if (IS_ERR(from))
		return conenat_no_mapping(inst, skb, PTR_ERR(from));
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

unsigned int conenat_inbound(struct conenat_instance *inst,
			     struct sk_buff *skb, const struct net_device *in)
{
	const struct conenat_cfg *cfg = rcu_dereference(inst->cfg);
	const struct nf_conntrack_tuple *t;
	struct conenat_ext_key key = {};
	struct conenat_mapping *m;
	struct nf_conn *ct;

	ct = conenat_new_flow(skb, false, &t);
	if (!ct)
		return XT_CONTINUE;
	key.addr = t->dst.u3.ip;
	key.port = t->dst.u.all;
	key.proto = t->dst.protonum;
	m = conenat_lookup_ext(inst->cn, &key);
	/* Not a mapped endpoint of ours: the host's own traffic. */
	if (!m || m->inst != inst || conenat_mapping_expired(m))
		return XT_CONTINUE;
	if (strcmp(in->name, cfg->ifname))
		return conenat_hairpin(inst, cfg, skb, ct, t, m);

	if (!conenat_filter_permits(m, conenat_filtering(cfg, key.proto),
				    t->src.u3.ip, t->src.u.all)) {
		/* Dropped unconfirmed: no conntrack entry is left behind. */
		this_cpu_inc(inst->stats->in_dropped);
		if (key.proto == IPPROTO_TCP)
			conenat_syn_refused(inst, skb);
		return NF_DROP;
	}
	conenat_remote_add(m, t->src.u3.ip, t->src.u.all, false);
	if (cfg->flags & CONENAT_NAT_F_INBOUND_REFRESH)
		conenat_mapping_refresh(m, conenat_flow_timeout(cfg, ct));
	this_cpu_inc(inst->stats->in_passed);
	return conenat_nat_to(ct, m->ikey.int_addr, m->ikey.int_port,
			      NF_NAT_MANIP_DST);
}
