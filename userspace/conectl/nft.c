// SPDX-License-Identifier: GPL-2.0
/*
 * The nftables rules that hand an instance's packets to the CONENAT target,
 * in table ip conenat:
 *
 *   chain NAME-pre { type nat hook prerouting priority -100;
 *                    counter CONENAT NAME }
 *       (from IFNAME: inbound flows; from the other devices: flows to
 *       an external endpoint, which the instance hairpins)
 *   chain NAME-post { type nat hook postrouting priority 100;
 *                     oifname IFNAME counter CONENAT NAME }
 *
 * Each change is one nfnetlink batch, which the kernel applies whole or not
 * at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>	/* first, so that linux/in.h defers to it */
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "conectl.h"

#define NFT_TABLE "conenat"
/*
 * The most a batch holds: two chains removed (flushed, deleted), then the
 * table, two chains and their rules added.
 */
#define NFT_MAX_MSGS 9
#define NFT_BATCH_LIMIT 8192

struct nft_batch {
	struct mnl_socket *nl;
	struct mnl_nlmsg_batch *msgs;
	uint32_t seq;			/* the last one used */
	uint32_t begin_seq;
	unsigned int n;			/* messages between BEGIN and END */
	char desc[NFT_MAX_MSGS][80];	/* each, for error messages */
	/* The batch, then its replies; twice the batch limit, as libmnl wants. */
	char buf[NFT_BATCH_LIMIT * 2];
};

/* What table ip conenat holds now. */
struct census {
	const char *pre, *post;		/* the instance's chains */
	bool has_pre, has_post;
	unsigned int others;		/* other chains in the table */
};

/* Running out of memory for a few small objects is not worth unwinding. */
static void *nonnull(void *p)
{
	if (!p) {
		fail("out of memory");
		exit(1);
	}
	return p;
}

static struct mnl_socket *nft_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1, err;

	if (!nl)
		return NULL;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl);
		errno = err;
		return NULL;
	}
	return nl;
}

static int census_cb(const struct nlmsghdr *nlh, void *data)
{
	const char *table = NULL, *chain = NULL;
	struct census *c = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		uint16_t type = mnl_attr_get_type(a);

		if ((type != NFTA_CHAIN_TABLE && type != NFTA_CHAIN_NAME) ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			continue;
		if (type == NFTA_CHAIN_TABLE)
			table = mnl_attr_get_str(a);
		else
			chain = mnl_attr_get_str(a);
	}
	if (!table || !chain || strcmp(table, NFT_TABLE))
		return MNL_CB_OK;
	if (!strcmp(chain, c->pre))
		c->has_pre = true;
	else if (!strcmp(chain, c->post))
		c->has_post = true;
	else
		c->others++;
	return MNL_CB_OK;
}

/* Dump the IPv4 chains and count those of table conenat. */
static int take_census(struct nft_batch *b, struct census *c)
{
	uint32_t seq = ++b->seq;
	struct nlmsghdr *nlh;
	ssize_t got;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(b->buf, NFT_MSG_GETCHAIN, NFPROTO_IPV4,
				    NLM_F_DUMP, seq);
	if (mnl_socket_sendto(b->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		got = mnl_socket_recvfrom(b->nl, b->buf, sizeof(b->buf));
		if (got < 0)
			return -errno;
		ret = mnl_cb_run(b->buf, got, seq, mnl_socket_get_portid(b->nl),
				 census_cb, c);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static void batch_begin(struct nft_batch *b)
{
	b->msgs = nonnull(mnl_nlmsg_batch_start(b->buf, NFT_BATCH_LIMIT));
	b->begin_seq = ++b->seq;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->msgs), b->begin_seq);
	mnl_nlmsg_batch_next(b->msgs);
}

/* Start the next message of the batch; each asks for its own ACK. */
static struct nlmsghdr *batch_msg(struct nft_batch *b, uint16_t type,
				  uint16_t flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->desc[b->n++], sizeof(b->desc[0]), fmt, ap);
	va_end(ap);
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->msgs), type,
				     NFPROTO_IPV4, flags | NLM_F_ACK, ++b->seq);
}

static void put_table(struct nft_batch *b, uint16_t type, uint16_t flags,
		      const char *verb)
{
	struct nftnl_table *t = nonnull(nftnl_table_alloc());
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nlh = batch_msg(b, type, flags, "%s table ip " NFT_TABLE, verb);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	mnl_nlmsg_batch_next(b->msgs);
}

static void put_chain(struct nft_batch *b, const char *chain,
		      uint32_t hook, int32_t prio)
{
	struct nftnl_chain *c = nonnull(nftnl_chain_alloc());
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nlh = batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL,
			"add chain ip " NFT_TABLE " %s", chain);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	mnl_nlmsg_batch_next(b->msgs);
}

/* Without a rule handle, DELRULE flushes the chain. */
static void remove_chain(struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = nonnull(nftnl_rule_alloc());
	struct nftnl_chain *c = nonnull(nftnl_chain_alloc());
	struct nlmsghdr *nlh;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = batch_msg(b, NFT_MSG_DELRULE, 0,
			"flush chain ip " NFT_TABLE " %s", chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(b->msgs);

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nlh = batch_msg(b, NFT_MSG_DELCHAIN, 0,
			"delete chain ip " NFT_TABLE " %s", chain);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	mnl_nlmsg_batch_next(b->msgs);
}

/* meta iifname (or oifname) IFNAME: compared, as nft does, padded to 16. */
static void add_ifname_match(struct nftnl_rule *r, uint32_t key,
			     const char *ifname)
{
	struct nftnl_expr *meta = nonnull(nftnl_expr_alloc("meta"));
	struct nftnl_expr *cmp = nonnull(nftnl_expr_alloc("cmp"));
	char padded[IFNAMSIZ] = "";

	snprintf(padded, sizeof(padded), "%s", ifname);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(meta, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, meta);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(cmp, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(cmp, NFTNL_EXPR_CMP_DATA, padded, sizeof(padded));
	nftnl_rule_add_expr(r, cmp);
}

static struct nftnl_expr *conenat_target(const char *name)
{
	struct nftnl_expr *tg = nonnull(nftnl_expr_alloc("target"));
	struct xt_conenat_info *info = nonnull(calloc(1, sizeof(*info)));

	snprintf(info->name, sizeof(info->name), "%s", name);
	nftnl_expr_set_str(tg, NFTNL_EXPR_TG_NAME, "CONENAT");
	nftnl_expr_set_u32(tg, NFTNL_EXPR_TG_REV, 0);
	/* libnftnl keeps this pointer and frees it with the expression. */
	nftnl_expr_set(tg, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	return tg;
}

static void put_rule(struct nft_batch *b, const char *chain, uint32_t key,
		     const char *ifname, const char *name)
{
	struct nftnl_rule *r = nonnull(nftnl_rule_alloc());
	struct nlmsghdr *nlh;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	if (ifname)
		add_ifname_match(r, key, ifname);
	nftnl_rule_add_expr(r, nonnull(nftnl_expr_alloc("counter")));
	nftnl_rule_add_expr(r, conenat_target(name));
	nlh = batch_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			"add rule ip " NFT_TABLE " %s (xt target CONENAT)",
			chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(b->msgs);
}

static const char *describe(const struct nft_batch *b, uint32_t seq)
{
	uint32_t i = seq - b->begin_seq;

	return i >= 1 && i <= b->n ? b->desc[i - 1] : "nftables batch";
}

/*
 * Send the batch and read every ACK.  The kernel runs a batch inside
 * sendmsg(), so all replies are queued when it returns; the first error is
 * the one that matters, later ones follow from it.
 */
static int batch_commit(struct nft_batch *b, const char *what)
{
	char text[256], errmsg[sizeof(text)] = "";
	unsigned int acks = 0;
	uint32_t failed = 0;
	struct nlmsghdr *msg;
	int err = 0, ret, n;
	ssize_t got;

	nftnl_batch_end(mnl_nlmsg_batch_current(b->msgs), ++b->seq);
	mnl_nlmsg_batch_next(b->msgs);
	if (mnl_socket_sendto(b->nl, mnl_nlmsg_batch_head(b->msgs),
			      mnl_nlmsg_batch_size(b->msgs)) < 0)
		return fail("%s: nftables: %s", what, strerror(errno));
	/* The batch is sent: its buffer now takes the replies. */
	while ((got = recv(mnl_socket_get_fd(b->nl), b->buf, sizeof(b->buf),
			   MSG_DONTWAIT)) > 0) {
		n = (int)got;
		for (msg = (struct nlmsghdr *)b->buf; mnl_nlmsg_ok(msg, n);
		     msg = mnl_nlmsg_next(msg, &n)) {
			if (msg->nlmsg_type != NLMSG_ERROR)
				continue;
			acks++;
			text[0] = '\0';
			ret = nl_ack_result(msg, text, sizeof(text));
			if (ret && !err) {
				err = ret;
				failed = msg->nlmsg_seq;
				memcpy(errmsg, text, sizeof(errmsg));
			}
		}
	}
	if (err)
		return fail("%s: %s: %s", what, describe(b, failed),
			    errmsg[0] ? errmsg : strerror(-err));
	if (got < 0 && errno != EAGAIN)
		return fail("%s: nftables: %s", what, strerror(errno));
	if (acks < b->n)
		return fail("%s: nftables acknowledged %u of %u changes", what,
			    acks, b->n);
	return 0;
}

/* Remove the instance's chains, then add them for ifname unless NULL. */
static int nft_change(struct nft_batch *b, const char *what,
		      const char *name, const char *ifname)
{
	char pre[CONENAT_NAME_LEN + 8], post[CONENAT_NAME_LEN + 8];
	struct census c = { .pre = pre, .post = post };
	int err;

	snprintf(pre, sizeof(pre), "%s-pre", name);
	snprintf(post, sizeof(post), "%s-post", name);
	b->nl = nft_open();
	if (!b->nl)
		return fail("%s: nftables: %s", what, strerror(errno));
	err = take_census(b, &c);
	if (err)
		return fail("%s: listing nftables chains: %s", what,
			    strerror(-err));
	batch_begin(b);
	if (c.has_pre)
		remove_chain(b, pre);
	if (c.has_post)
		remove_chain(b, post);
	if (ifname) {
		put_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "add");
		put_chain(b, pre, NF_INET_PRE_ROUTING, -100);
		put_rule(b, pre, 0, NULL, name);
		put_chain(b, post, NF_INET_POST_ROUTING, 100);
		put_rule(b, post, NFT_META_OIFNAME, ifname, name);
	} else if ((c.has_pre || c.has_post) && !c.others) {
		put_table(b, NFT_MSG_DELTABLE, 0, "delete");
	}
	return b->n ? batch_commit(b, what) : 0;
}

static int nft_run(const char *what, const char *name, const char *ifname)
{
	struct nft_batch *b = nonnull(calloc(1, sizeof(*b)));
	int rc = nft_change(b, what, name, ifname);

	if (b->msgs)
		mnl_nlmsg_batch_stop(b->msgs);
	if (b->nl)
		mnl_socket_close(b->nl);
	free(b);
	return rc;
}

int nft_rules_set(const char *what, const char *name, const char *ifname)
{
	return nft_run(what, name, ifname);
}

int nft_rules_remove(const char *what, const char *name)
{
	return nft_run(what, name, NULL);
}
