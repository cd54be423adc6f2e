// SPDX-License-Identifier: GPL-2.0
/*
 * The "conenat" generic netlink family; include/uapi/linux/conenat.h is
 * its specification.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/conenat.h>

#include "instance.h"
#include "mapping.h"
#include "netlink.h"
#include "version.h"

#define CONENAT_MAX_TIMEOUT 86400
#define CONENAT_MAX_TCP_TIMEOUT (7 * 86400)
#define CONENAT_MAX_PORT_QUARANTINE 3600

static struct genl_family genl_family;

static struct netlink_range_validation conenat_timeout_range = {
	.min = 1,
	.max = CONENAT_MAX_TIMEOUT,
};

static struct netlink_range_validation conenat_quarantine_range = {
	.min = 0,
	.max = CONENAT_MAX_PORT_QUARANTINE,
};

static struct netlink_range_validation conenat_tcp_timeout_range = {
	.min = 1,
	.max = CONENAT_MAX_TCP_TIMEOUT,
};

static const struct nla_policy conenat_addr_policy[CONENAT_A_ADDR_MAX + 1] = {
	[CONENAT_A_ADDR]	= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
};

static const struct nla_policy conenat_policy[CONENAT_A_MAX + 1] = {
	[CONENAT_A_VERSION]		= { .type = NLA_REJECT },
	[CONENAT_A_API_VERSION]		= { .type = NLA_REJECT },
	[CONENAT_A_NAT_NAME]		= { .type = NLA_NUL_STRING,
					    .len = CONENAT_NAME_LEN - 1 },
	[CONENAT_A_NAT_IFNAME]		= { .type = NLA_NUL_STRING,
					    .len = IFNAMSIZ - 1 },
	[CONENAT_A_NAT_ADDRS]		= NLA_POLICY_NESTED(conenat_addr_policy),
	[CONENAT_A_NAT_PORT_MIN]	= NLA_POLICY_MIN(NLA_U16, 1),
	[CONENAT_A_NAT_PORT_MAX]	= NLA_POLICY_MIN(NLA_U16, 1),
	[CONENAT_A_NAT_MAPPING]		= NLA_POLICY_MAX(NLA_U8, CONENAT_MAPPING_MAX),
	[CONENAT_A_NAT_FILTERING]	= NLA_POLICY_MAX(NLA_U8, CONENAT_FILTERING_MAX),
	[CONENAT_A_NAT_UDP_TIMEOUT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_NAT_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __CONENAT_NAT_F_ALL),
	[CONENAT_A_NAT_STATS]		= { .type = NLA_REJECT },
	[CONENAT_A_MAP]			= { .type = NLA_REJECT },
	[CONENAT_A_NAT_TCP_TIMEOUT]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_tcp_timeout_range),
	[CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_NAT_ICMP_TIMEOUT]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_timeout_range),
	[CONENAT_A_NAT_PORT_QUARANTINE]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &conenat_quarantine_range),
	[CONENAT_A_NAT_TCP_FILTERING]	= NLA_POLICY_MAX(NLA_U8, CONENAT_FILTERING_MAX),
	[CONENAT_A_NAT_MAPPING_LIMIT]	= { .type = NLA_U32 },
	[CONENAT_A_NAT_FLAGS_MASK]	= NLA_POLICY_MASK(NLA_U32, __CONENAT_NAT_F_ALL),
};

static int conenat_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &genl_family, 0,
				CONENAT_CMD_GET_VERSION);
	if (!hdr)
		goto nla_failure;
	if (nla_put_string(msg, CONENAT_A_VERSION, CONENAT_VERSION) ||
	    nla_put_u32(msg, CONENAT_A_API_VERSION, CONENAT_API_VERSION))
		goto nla_failure;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int conenat_parse_addrs(struct conenat_cfg *cfg,
			       const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int i;
	int rem;

	cfg->naddrs = 0;
	memset(cfg->addrs, 0, sizeof(cfg->addrs));
	nla_for_each_nested(a, nest, rem) {
		__be32 addr = nla_get_in_addr(a);

		if (cfg->naddrs == CONENAT_MAX_ADDRS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many addresses");
			return -EINVAL;
		}
		if (ipv4_is_zeronet(addr) || ipv4_is_multicast(addr) ||
		    ipv4_is_lbcast(addr) || ipv4_is_loopback(addr)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "external address must be unicast");
			return -EINVAL;
		}
		for (i = 0; i < cfg->naddrs; i++) {
			if (cfg->addrs[i] == addr) {
				NL_SET_ERR_MSG_ATTR(extack, a, "duplicate address");
				return -EINVAL;
			}
		}
		cfg->addrs[cfg->naddrs++] = addr;
	}
	if (!cfg->naddrs) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "empty address list");
		return -EINVAL;
	}
	return 0;
}

static void conenat_parse_u32(u32 *value, const struct nlattr *attr)
{
	if (attr)
		*value = nla_get_u32(attr);
}

/* The flags in the mask (all without one) become those given. */
static int conenat_parse_flags(struct conenat_cfg *cfg, struct nlattr **attrs,
			       struct netlink_ext_ack *extack)
{
	u32 mask = ~0U;

	if (attrs[CONENAT_A_NAT_FLAGS_MASK]) {
		if (!attrs[CONENAT_A_NAT_FLAGS]) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[CONENAT_A_NAT_FLAGS_MASK],
					    "flags mask without flags");
			return -EINVAL;
		}
		mask = nla_get_u32(attrs[CONENAT_A_NAT_FLAGS_MASK]);
	}
	if (attrs[CONENAT_A_NAT_FLAGS])
		cfg->flags = (cfg->flags & ~mask) |
			     (nla_get_u32(attrs[CONENAT_A_NAT_FLAGS]) & mask);
	return 0;
}

/* Apply the settings present in attrs to cfg, validating them. */
static int conenat_parse_cfg(struct conenat_cfg *cfg, struct nlattr **attrs,
			     struct netlink_ext_ack *extack)
{
	int ret;

	if (attrs[CONENAT_A_NAT_IFNAME]) {
		if (!nla_len(attrs[CONENAT_A_NAT_IFNAME]) ||
		    !*(char *)nla_data(attrs[CONENAT_A_NAT_IFNAME])) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[CONENAT_A_NAT_IFNAME],
					    "empty device name");
			return -EINVAL;
		}
		nla_strscpy(cfg->ifname, attrs[CONENAT_A_NAT_IFNAME],
			    sizeof(cfg->ifname));
	}
	if (attrs[CONENAT_A_NAT_ADDRS]) {
		ret = conenat_parse_addrs(cfg, attrs[CONENAT_A_NAT_ADDRS],
					  extack);
		if (ret)
			return ret;
	}
	if (attrs[CONENAT_A_NAT_PORT_MIN])
		cfg->port_min = nla_get_u16(attrs[CONENAT_A_NAT_PORT_MIN]);
	if (attrs[CONENAT_A_NAT_PORT_MAX])
		cfg->port_max = nla_get_u16(attrs[CONENAT_A_NAT_PORT_MAX]);
	if (cfg->port_min > cfg->port_max) {
		NL_SET_ERR_MSG(extack, "port range: minimum above maximum");
		return -EINVAL;
	}
	if (attrs[CONENAT_A_NAT_MAPPING])
		cfg->mapping = nla_get_u8(attrs[CONENAT_A_NAT_MAPPING]);
	if (attrs[CONENAT_A_NAT_FILTERING]) {
		cfg->filtering = nla_get_u8(attrs[CONENAT_A_NAT_FILTERING]);
		cfg->tcp_filtering = cfg->filtering;
	}
	if (attrs[CONENAT_A_NAT_TCP_FILTERING])
		cfg->tcp_filtering = nla_get_u8(attrs[CONENAT_A_NAT_TCP_FILTERING]);
	conenat_parse_u32(&cfg->udp_timeout, attrs[CONENAT_A_NAT_UDP_TIMEOUT]);
	conenat_parse_u32(&cfg->tcp_timeout, attrs[CONENAT_A_NAT_TCP_TIMEOUT]);
	conenat_parse_u32(&cfg->tcp_transitory_timeout,
			  attrs[CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT]);
	conenat_parse_u32(&cfg->icmp_timeout, attrs[CONENAT_A_NAT_ICMP_TIMEOUT]);
	conenat_parse_u32(&cfg->port_quarantine,
			  attrs[CONENAT_A_NAT_PORT_QUARANTINE]);
	conenat_parse_u32(&cfg->mapping_limit, attrs[CONENAT_A_NAT_MAPPING_LIMIT]);
	ret = conenat_parse_flags(cfg, attrs, extack);
	if (ret)
		return ret;
	if (cfg->flags & CONENAT_NAT_F_RANGE_PRESERVE &&
	    (cfg->port_min >= 1024 || cfg->port_max < 1024)) {
		NL_SET_ERR_MSG(extack,
			       "range preservation needs ports below and above 1024");
		return -EINVAL;
	}
	return 0;
}

static const char *conenat_nat_name(struct genl_info *info)
{
	struct nlattr *a = info->attrs[CONENAT_A_NAT_NAME];

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "NAT instance name missing");
		return NULL;
	}
	return nla_data(a);
}

/* The named instance, or an error pointer with the reason in extack. */
static struct conenat_instance *conenat_nat_lookup(struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;
	const char *name = conenat_nat_name(info);

	if (!name)
		return ERR_PTR(-EINVAL);
	inst = conenat_instance_find(cn, name);
	if (inst)
		return inst;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CONENAT_A_NAT_NAME],
			    "no such NAT instance");
	return ERR_PTR(-ENOENT);
}

static int conenat_new_nat(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	const char *name = conenat_nat_name(info);
	struct conenat_cfg *cfg;
	int ret;

	if (!name)
		return -EINVAL;
	if (!conenat_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CONENAT_A_NAT_NAME],
				    "name may hold letters, digits, '-' and '_'");
		return -EINVAL;
	}
	if (!info->attrs[CONENAT_A_NAT_IFNAME]) {
		NL_SET_ERR_MSG(info->extack, "device name missing");
		return -EINVAL;
	}
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	cfg->port_min = CONENAT_DEFAULT_PORT_MIN;
	cfg->port_max = CONENAT_DEFAULT_PORT_MAX;
	cfg->mapping = CONENAT_MAPPING_EIM;
	cfg->filtering = CONENAT_FILTERING_EIF;
	cfg->tcp_filtering = CONENAT_FILTERING_EIF;
	cfg->udp_timeout = CONENAT_DEFAULT_UDP_TIMEOUT;
	cfg->tcp_timeout = CONENAT_DEFAULT_TCP_TIMEOUT;
	cfg->tcp_transitory_timeout = CONENAT_DEFAULT_TCP_TRANSITORY_TIMEOUT;
	cfg->icmp_timeout = CONENAT_DEFAULT_ICMP_TIMEOUT;
	cfg->port_quarantine = CONENAT_DEFAULT_PORT_QUARANTINE;
	ret = conenat_parse_cfg(cfg, info->attrs, info->extack);
	if (ret) {
		kfree(cfg);
		return ret;
	}
	return conenat_instance_add(cn, name, cfg, info->extack);
}

/* Under the lock throughout, so no concurrent change is lost. */
static int conenat_set_nat(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;
	struct conenat_cfg *cfg;
	int ret;

	mutex_lock(&cn->lock);
	inst = conenat_nat_lookup(info);
	ret = PTR_ERR_OR_ZERO(inst);
	if (ret)
		goto out;
	ret = -ENOMEM;
	cfg = kmemdup(rcu_dereference_protected(inst->cfg,
						lockdep_is_held(&cn->lock)),
		      sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		goto out;
	ret = conenat_parse_cfg(cfg, info->attrs, info->extack);
	if (ret)
		kfree(cfg);
	else
		ret = conenat_instance_change(inst, cfg, info->extack);
out:
	mutex_unlock(&cn->lock);
	return ret;
}

/* Found and removed under one hold of the lock: a racing delete finds none. */
static int conenat_del_nat(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;

	mutex_lock(&cn->lock);
	inst = conenat_nat_lookup(info);
	if (!IS_ERR(inst))
		conenat_instance_del(inst);
	mutex_unlock(&cn->lock);
	return PTR_ERR_OR_ZERO(inst);
}

static int conenat_put_stats(struct sk_buff *msg, struct conenat_instance *inst)
{
	struct conenat_stats s;
	struct nlattr *nest;

	conenat_instance_stats(inst, &s);
	nest = nla_nest_start(msg, CONENAT_A_NAT_STATS);
	if (!nest ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_MAPPINGS_LIVE,
			      atomic_read(&inst->nmappings), CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_MAPPINGS_CREATED, s.created,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_MAPPINGS_EXPIRED, s.expired,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_IN_PASSED, s.in_passed,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_IN_DROPPED, s.in_dropped,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_ALLOC_FAILED, s.alloc_failed,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_LIMIT_DROPPED, s.limit_dropped,
			      CONENAT_STAT_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_STAT_SYN_REFUSED, s.syn_refused,
			      CONENAT_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int conenat_put_cfg(struct sk_buff *msg, const struct conenat_cfg *cfg)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_string(msg, CONENAT_A_NAT_IFNAME, cfg->ifname) ||
	    nla_put_u16(msg, CONENAT_A_NAT_PORT_MIN, cfg->port_min) ||
	    nla_put_u16(msg, CONENAT_A_NAT_PORT_MAX, cfg->port_max) ||
	    nla_put_u8(msg, CONENAT_A_NAT_MAPPING, cfg->mapping) ||
	    nla_put_u8(msg, CONENAT_A_NAT_FILTERING, cfg->filtering) ||
	    nla_put_u8(msg, CONENAT_A_NAT_TCP_FILTERING, cfg->tcp_filtering) ||
	    nla_put_u32(msg, CONENAT_A_NAT_MAPPING_LIMIT, cfg->mapping_limit) ||
	    nla_put_u32(msg, CONENAT_A_NAT_UDP_TIMEOUT, cfg->udp_timeout) ||
	    nla_put_u32(msg, CONENAT_A_NAT_TCP_TIMEOUT, cfg->tcp_timeout) ||
	    nla_put_u32(msg, CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT,
			cfg->tcp_transitory_timeout) ||
	    nla_put_u32(msg, CONENAT_A_NAT_ICMP_TIMEOUT, cfg->icmp_timeout) ||
	    nla_put_u32(msg, CONENAT_A_NAT_PORT_QUARANTINE,
			cfg->port_quarantine) ||
	    nla_put_u32(msg, CONENAT_A_NAT_FLAGS, cfg->flags))
		return -EMSGSIZE;
	if (!cfg->naddrs)
		return 0;
	nest = nla_nest_start(msg, CONENAT_A_NAT_ADDRS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->naddrs; i++)
		if (nla_put_in_addr(msg, CONENAT_A_ADDR, cfg->addrs[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int conenat_fill_nat(struct sk_buff *msg, struct conenat_instance *inst,
			    u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &genl_family, flags,
			  CONENAT_CMD_GET_NAT);
	if (!hdr)
		return -EMSGSIZE;
	rcu_read_lock();
	if (nla_put_string(msg, CONENAT_A_NAT_NAME, inst->name) ||
	    conenat_put_cfg(msg, rcu_dereference(inst->cfg)) ||
	    conenat_put_stats(msg, inst)) {
		rcu_read_unlock();
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	rcu_read_unlock();
	genlmsg_end(msg, hdr);
	return 0;
}

static int conenat_get_nat(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&cn->lock);
	inst = conenat_nat_lookup(info);
	ret = IS_ERR(inst) ? PTR_ERR(inst) :
	      conenat_fill_nat(msg, inst, info->snd_portid, info->snd_seq, 0);
	mutex_unlock(&cn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: instances already sent. */
static int conenat_dump_nat(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct conenat_net *cn = conenat_pernet(sock_net(skb->sk));
	struct conenat_instance *inst;
	long i = 0;

	mutex_lock(&cn->lock);
	list_for_each_entry(inst, &cn->instances, list) {
		if (i++ < cb->args[0])
			continue;
		if (conenat_fill_nat(skb, inst, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI))
			break;
		cb->args[0] = i;
	}
	mutex_unlock(&cn->lock);
	return skb->len;
}

static int conenat_flush_map(struct sk_buff *skb, struct genl_info *info)
{
	struct conenat_net *cn = conenat_pernet(genl_info_net(info));
	struct conenat_instance *inst;

	mutex_lock(&cn->lock);
	inst = conenat_nat_lookup(info);
	if (!IS_ERR(inst))
		conenat_instance_flush(inst);
	mutex_unlock(&cn->lock);
	return PTR_ERR_OR_ZERO(inst);
}

/*
 * A mapping dump walks the instance's pools port by port and resumes at
 * the position where the last part ended: it keeps no pointer into the
 * pools or to a mapping between parts, so nothing it holds can be freed.
 */
struct conenat_map_dump {
	struct conenat_instance *inst;	/* a reference */
	unsigned int pool;		/* address * CONENAT_NPROTOS + protocol */
	u32 port;			/* offset in that pool */
};

/*
 * Called by the first part of the dump rather than as ->start(), where
 * 6.1 has no extack to explain a refusal.
 */
static int conenat_map_dump_begin(struct netlink_callback *cb)
{
	struct nlattr *attrs[CONENAT_A_MAX + 1];
	struct conenat_map_dump *d;
	const char *name;
	int ret;

	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, CONENAT_A_MAX,
			  conenat_policy, cb->extack);
	if (ret)
		return ret;
	if (!attrs[CONENAT_A_NAT_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "NAT instance name missing");
		return -EINVAL;
	}
	name = nla_data(attrs[CONENAT_A_NAT_NAME]);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->inst = conenat_instance_get(sock_net(cb->skb->sk), name);
	if (!d->inst) {
		kfree(d);
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[CONENAT_A_NAT_NAME],
				    "no such NAT instance");
		return -ENOENT;
	}
	cb->args[0] = (long)d;
	return 0;
}

static int conenat_map_dump_done(struct netlink_callback *cb)
{
	struct conenat_map_dump *d = (struct conenat_map_dump *)cb->args[0];

	if (d) {
		conenat_instance_put(d->inst);
		kfree(d);
	}
	return 0;
}

static int conenat_put_endpoint(struct sk_buff *msg, int addr_type,
				__be32 addr, int port_type, __be16 port)
{
	return nla_put_in_addr(msg, addr_type, addr) ||
	       nla_put_u16(msg, port_type, ntohs(port)) ? -EMSGSIZE : 0;
}

/* The remotes it sent to, as many as fit. */
static void conenat_put_permits(struct sk_buff *msg, struct conenat_mapping *m)
{
	struct conenat_remote *r;
	struct nlattr *nest, *p;

	nest = nla_nest_start(msg, CONENAT_MAP_A_PERMITS);
	if (!nest)
		return;
	hlist_for_each_entry_rcu(r, &m->remotes, list) {
		if (r->key.addr_only ||
		    !test_bit(CONENAT_REMOTE_PERMIT_BIT, &r->flags))
			continue;
		p = nla_nest_start(msg, CONENAT_MAP_A_PERMIT);
		if (!p)
			break;
		if (conenat_put_endpoint(msg, CONENAT_PERMIT_A_ADDR, r->key.addr,
					 CONENAT_PERMIT_A_PORT, r->key.port)) {
			nla_nest_cancel(msg, p);
			break;
		}
		nla_nest_end(msg, p);
	}
	nla_nest_end(msg, nest);
}

static int conenat_put_map(struct sk_buff *msg, struct conenat_mapping *m)
{
	const struct conenat_int_key *k = &m->ikey;
	long left = (long)READ_ONCE(m->expires) - (long)jiffies;

	if (nla_put_u8(msg, CONENAT_MAP_A_PROTO, k->proto) ||
	    conenat_put_endpoint(msg, CONENAT_MAP_A_INT_ADDR, k->int_addr,
				 CONENAT_MAP_A_INT_PORT, k->int_port) ||
	    conenat_put_endpoint(msg, CONENAT_MAP_A_EXT_ADDR, m->ekey.addr,
				 CONENAT_MAP_A_EXT_PORT, m->ekey.port) ||
	    (k->rem_addr &&
	     nla_put_in_addr(msg, CONENAT_MAP_A_REM_ADDR, k->rem_addr)) ||
	    (k->rem_port &&
	     nla_put_u16(msg, CONENAT_MAP_A_REM_PORT, ntohs(k->rem_port))) ||
	    nla_put_u32(msg, CONENAT_MAP_A_EXPIRES_MS,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    nla_put_u64_64bit(msg, CONENAT_MAP_A_PKTS_OUT,
			      READ_ONCE(m->pkts_out), CONENAT_MAP_A_PAD) ||
	    nla_put_u64_64bit(msg, CONENAT_MAP_A_PKTS_IN,
			      READ_ONCE(m->pkts_in), CONENAT_MAP_A_PAD))
		return -EMSGSIZE;
	conenat_put_permits(msg, m);
	return 0;
}

static int conenat_fill_map(struct sk_buff *skb, struct netlink_callback *cb,
			    struct conenat_mapping *m)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &genl_family, NLM_F_MULTI, CONENAT_CMD_GET_MAP);
	if (!hdr)
		return -EMSGSIZE;
	nest = NULL;
	if (nla_put_string(skb, CONENAT_A_NAT_NAME,
			   conenat_mapping_inst(m)->name))
		goto cancel;
	nest = nla_nest_start(skb, CONENAT_A_MAP);
	if (!nest || conenat_put_map(skb, m))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Send the mappings from the cursor on, until the part is full. */
static void conenat_dump_pools(struct sk_buff *skb, struct netlink_callback *cb,
			       struct conenat_map_dump *d,
			       const struct conenat_pools *pools)
{
	const struct conenat_pool *pool;
	struct conenat_mapping *m;

	for (; d->pool < pools->naddrs * CONENAT_NPROTOS; d->pool++, d->port = 0) {
		pool = pools->pool[d->pool / CONENAT_NPROTOS]
				  [d->pool % CONENAT_NPROTOS];
		for (; d->port <= pool->hi - pool->lo; d->port++) {
			m = rcu_dereference(pool->owner[d->port]);
			if (m && !conenat_mapping_dying(m) &&
			    conenat_fill_map(skb, cb, m))
				return;
		}
	}
}

static int conenat_dump_map(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct conenat_map_dump *d = (struct conenat_map_dump *)cb->args[0];
	const struct conenat_pools *pools;
	int ret;

	if (!d) {
		ret = conenat_map_dump_begin(cb);
		if (ret)
			return ret;
		d = (struct conenat_map_dump *)cb->args[0];
	}
	rcu_read_lock();
	/* New pools (a change) are dumped from the same position. */
	pools = rcu_dereference(d->inst->pools);
	if (pools)
		conenat_dump_pools(skb, cb, d, pools);
	rcu_read_unlock();
	return skb->len;
}

static const struct genl_multicast_group conenat_mcgrps[] = {
	{ .name = CONENAT_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static int conenat_put_dest(struct sk_buff *msg, const struct conenat_dest *dest)
{
	if (nla_put_in_addr(msg, CONENAT_MAP_A_DEST_ADDR, dest->addr) ||
	    (dest->port &&
	     nla_put_u16(msg, CONENAT_MAP_A_DEST_PORT, ntohs(dest->port))))
		return -EMSGSIZE;
	return 0;
}

static int conenat_put_event(struct sk_buff *msg, struct conenat_mapping *m,
			     bool expired, const struct conenat_dest *dest)
{
	const struct conenat_int_key *k = &m->ikey;
	struct nlattr *nest;

	if (nla_put_string(msg, CONENAT_A_NAT_NAME,
			   conenat_mapping_inst(m)->name))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, CONENAT_A_MAP);
	if (!nest ||
	    nla_put_u8(msg, CONENAT_MAP_A_PROTO, k->proto) ||
	    conenat_put_endpoint(msg, CONENAT_MAP_A_INT_ADDR, k->int_addr,
				 CONENAT_MAP_A_INT_PORT, k->int_port) ||
	    conenat_put_endpoint(msg, CONENAT_MAP_A_EXT_ADDR, m->ekey.addr,
				 CONENAT_MAP_A_EXT_PORT, m->ekey.port) ||
	    (expired && nla_put_flag(msg, CONENAT_MAP_A_EXPIRED)) ||
	    (dest && conenat_put_dest(msg, dest)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

void conenat_notify_map(struct conenat_mapping *m, u8 cmd, bool expired,
			const struct conenat_dest *dest)
{
	struct conenat_net *cn = conenat_mapping_inst(m)->cn;
	struct sk_buff *msg;
	u32 seq;
	void *hdr;

	if (!genl_has_listeners(&genl_family, cn->net, 0))
		return;
	/* Numbered first: an event lost here leaves a gap too. */
	seq = atomic_inc_return(&cn->event_seq);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, seq, &genl_family, 0, cmd);
	if (!hdr || conenat_put_event(msg, m, expired, dest)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&genl_family, cn->net, msg, 0, 0, GFP_ATOMIC);
}

static const struct genl_ops genl_ops[] = {
	{
		.cmd = CONENAT_CMD_GET_VERSION,
		.doit = conenat_get_version,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_NEW_NAT,
		.doit = conenat_new_nat,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_SET_NAT,
		.doit = conenat_set_nat,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_DEL_NAT,
		.doit = conenat_del_nat,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_GET_NAT,
		.doit = conenat_get_nat,
		.dumpit = conenat_dump_nat,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_GET_MAP,
		.dumpit = conenat_dump_map,
		.done = conenat_map_dump_done,
		.flags = GENL_UNS_ADMIN_PERM,
	}, {
		.cmd = CONENAT_CMD_FLUSH_MAP,
		.doit = conenat_flush_map,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.name = CONENAT_GENL_NAME,
	.version = CONENAT_GENL_VERSION,
	.maxattr = CONENAT_A_MAX,
	.policy = conenat_policy,
	.module = THIS_MODULE,
	.mcgrps = conenat_mcgrps,
	.n_mcgrps = ARRAY_SIZE(conenat_mcgrps),
	.netnsok = true,
	.parallel_ops = true,
};

int __init conenat_genetlink_init(void)
{
	return genl_register_family(&genl_family);
}

void conenat_genetlink_uninit(void)
{
	genl_unregister_family(&genl_family);
}
