// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

#define GENL_BUFSIZE (MNL_SOCKET_BUFFER_SIZE * 4)

struct family_query {
	uint16_t id;
	uint8_t version;
	const char *group;	/* when set, find this multicast group's id */
	uint32_t group_id;
};

static void group_cb(const struct nlattr *grp, struct family_query *q)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && q->group && !strcmp(name, q->group))
		q->group_id = id;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_query *q = data;
	struct nlattr *a, *grp;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN_ALIGNED) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				q->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				q->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, a)
				group_cb(grp, q);
			break;
		}
	}
	return MNL_CB_OK;
}

static int resolve(struct genl_sock *gs, const char *family,
		   struct family_query *q)
{
	struct nlmsghdr *nlh;
	uint16_t saved = gs->family;
	int ret;

	gs->family = GENL_ID_CTRL;
	nlh = genl_request(gs, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ret = genl_transact(gs, nlh, family_cb, q);
	gs->family = saved;
	return ret;
}

int genl_open(struct genl_sock *gs, const char *family)
{
	struct family_query q = { 0 };
	int one = 1, ret;

	memset(gs, 0, sizeof(*gs));
	gs->buf = malloc(GENL_BUFSIZE);
	gs->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!gs->buf || !gs->nl) {
		ret = -errno;
		genl_close(gs);
		return ret;
	}
	mnl_socket_setsockopt(gs->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(gs->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(gs->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		genl_close(gs);
		return ret;
	}
	gs->portid = mnl_socket_get_portid(gs->nl);
	gs->seq = (uint32_t)getpid() << 8;

	ret = resolve(gs, family, &q);
	if (ret == 0 && !q.id)
		ret = -ENOENT;
	if (ret) {
		genl_close(gs);
		return ret;
	}
	gs->family = q.id;
	gs->version = q.version;
	return 0;
}

int genl_join(struct genl_sock *gs, const char *family, const char *group)
{
	struct family_query q = { .group = group };
	int ret;

	ret = resolve(gs, family, &q);
	if (ret)
		return ret;
	if (!q.group_id)
		return -ENOENT;
	if (mnl_socket_setsockopt(gs->nl, NETLINK_ADD_MEMBERSHIP, &q.group_id,
				  sizeof(q.group_id)) < 0)
		return -errno;
	return 0;
}

int genl_listen(struct genl_sock *gs, mnl_cb_t cb, void *data)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = mnl_socket_recvfrom(gs->nl, gs->buf, GENL_BUFSIZE);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(gs->buf, n, 0, 0, cb, data);
		if (ret < 0)
			return -errno;
	}
}

void genl_close(struct genl_sock *gs)
{
	if (gs->nl)
		mnl_socket_close(gs->nl);
	free(gs->buf);
	gs->nl = NULL;
	gs->buf = NULL;
}

struct nlmsghdr *genl_request(struct genl_sock *gs, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(gs->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = gs->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++gs->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = gs->version ? gs->version : 1;
	return nlh;
}

/*
 * NLMSG_DONE ends a dump the way NLMSG_ERROR ends a request: an int, then
 * the extack TLVs.
 */
int nl_ack_result(const struct nlmsghdr *nlh, char *errmsg, size_t size)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*err);
	const struct nlattr *a;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
			return 0;
		off = sizeof(int);
	} else if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		return -EBADMSG;
	} else if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS && off < nlh->nlmsg_len) {
		mnl_attr_for_each(a, nlh, off) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(errmsg, size, "%s", mnl_attr_get_str(a));
		}
	}
	return *(const int *)mnl_nlmsg_get_payload(nlh);
}

int genl_transact(struct genl_sock *gs, struct nlmsghdr *nlh,
		  mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	struct nlmsghdr *msg;
	ssize_t got;
	int n;

	gs->errmsg[0] = '\0';
	/* A dump ends with NLMSG_DONE; anything else with an ACK. */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(gs->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		got = mnl_socket_recvfrom(gs->nl, gs->buf, GENL_BUFSIZE);
		if (got < 0)
			return -errno;
		n = (int)got;
		for (msg = (struct nlmsghdr *)gs->buf; nl_msg_ok(msg, n);
		     msg = mnl_nlmsg_next(msg, &n)) {
			if (!mnl_nlmsg_seq_ok(msg, seq) ||
			    !mnl_nlmsg_portid_ok(msg, gs->portid))
				continue;
			if (msg->nlmsg_type == NLMSG_ERROR ||
			    msg->nlmsg_type == NLMSG_DONE)
				return nl_ack_result(msg, gs->errmsg,
						     sizeof(gs->errmsg));
			if (msg->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb && cb(msg, data) < MNL_CB_OK)
				return errno ? -errno : -EINVAL;
		}
	}
}

struct attr_index {
	const enum mnl_attr_data_type *types;
	unsigned int max;
	const struct nlattr **tb;
};

static int index_attr(const struct nlattr *a, void *data)
{
	const struct attr_index *ix = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= ix->max && ix->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(a, ix->types[type]) == 0)
		ix->tb[type] = a;
	return MNL_CB_OK;
}

void genl_parse(const struct nlmsghdr *nlh,
		const enum mnl_attr_data_type *types, unsigned int max,
		const struct nlattr **tb)
{
	struct attr_index ix = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse(nlh, GENL_HDRLEN_ALIGNED, index_attr, &ix);
}

void genl_parse_nested(const struct nlattr *nest,
		       const enum mnl_attr_data_type *types, unsigned int max,
		       const struct nlattr **tb)
{
	struct attr_index ix = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse_nested(nest, index_attr, &ix);
}
