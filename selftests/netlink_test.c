// SPDX-License-Identifier: GPL-2.0
/*
 * The "conenat" generic netlink family refuses bad requests: each gets the
 * error include/uapi/linux/conenat.h promises, an extended ACK message
 * (naming the attribute where one attribute is at fault) and changes
 * nothing, which a CONENAT_CMD_GET_NAT dump after it shows.  Every test
 * runs in a network namespace of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/conenat.h>

#include "kselftest_harness.h"

#define MAX_NATS 4
#define REQ_SIZE 8192
#define UNPRIVILEGED 65534

/* A value, or an address's length, out of its range (conenat.h). */
#define OUT_OF_RANGE (-ERANGE)

/* The settings of one instance, as sent and as read back. */
struct nat {
	char name[CONENAT_NAME_LEN];
	char ifname[IFNAMSIZ];
	uint8_t addrs[CONENAT_MAX_ADDRS][4];
	unsigned int naddrs;
	uint16_t port_min;
	uint16_t port_max;
	uint8_t mapping;
	uint8_t filtering;
	uint8_t tcp_filtering;
	uint32_t udp_timeout;
	uint32_t tcp_timeout;
	uint32_t tcp_transitory_timeout;
	uint32_t icmp_timeout;
	uint32_t quarantine;
	uint32_t mapping_limit;
	uint32_t flags;
	bool stats;		/* the reply had CONENAT_A_NAT_STATS */
	bool malformed;		/* the reply had an attribute of a bad length */
};

/* What the kernel answered to one request. */
struct reply {
	int error;		/* of the ACK or NLMSG_DONE: 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	int offs;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	uint16_t family;	/* CTRL_ATTR_FAMILY_ID */
	unsigned int n;		/* data messages; the first MAX_NATS in nats */
	struct nat nats[MAX_NATS];
};

/* Non-default settings, so that a change back to a default shows. */
static const struct nat nat0 = {
	.name = "nat0",
	.ifname = "eth0",
	.port_min = 2000,
	.port_max = 2999,
	.mapping = CONENAT_MAPPING_ADM,
	.filtering = CONENAT_FILTERING_APDF,
	.tcp_filtering = CONENAT_FILTERING_EIF,
	.udp_timeout = 60,
	.tcp_timeout = 3600,
	.tcp_transitory_timeout = 100,
	.icmp_timeout = 30,
	.quarantine = 10,
	.mapping_limit = 100,
	.flags = CONENAT_NAT_F_INBOUND_REFRESH,
};

/* Every attribute, at the edges of its range. */
static const struct nat nat_full = {
	.name = "full-nat_123456",
	.ifname = "wan0",
	.addrs = { { 203, 0, 113, 1 }, { 198, 51, 100, 7 } },
	.naddrs = 2,
	.port_min = 1,
	.port_max = 65535,
	.mapping = CONENAT_MAPPING_APDM,
	.filtering = CONENAT_FILTERING_ADF,
	.tcp_filtering = CONENAT_FILTERING_APDF,
	.udp_timeout = 86400,
	.tcp_timeout = 604800,
	.tcp_transitory_timeout = 86400,
	.icmp_timeout = 86400,
	.quarantine = 3600,
	.mapping_limit = 4294967295U,
	.flags = __CONENAT_NAT_F_ALL,
};

FIXTURE(conenat) {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t seq;
	char buf[REQ_SIZE];
	struct nlmsghdr *nlh;	/* the request being built, in buf */
	struct reply before;	/* the dump a refused request must leave */
};

/* Start a request in self->buf. */
static void start_msg(FIXTURE_DATA(conenat) *self, uint16_t type, uint8_t cmd,
		      uint8_t version, uint16_t flags)
{
	struct genlmsghdr *genl;

	self->nlh = mnl_nlmsg_put_header(self->buf);
	self->nlh->nlmsg_type = type;
	self->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	genl = mnl_nlmsg_put_extra_header(self->nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
}

static void req(FIXTURE_DATA(conenat) *self, uint8_t cmd, uint16_t flags)
{
	start_msg(self, self->family, cmd, CONENAT_GENL_VERSION, flags);
}

/* Add an attribute; return it, for refused() to expect as the culprit. */
static struct nlattr *put(struct nlmsghdr *nlh, uint16_t type, size_t len,
			  const void *data)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put(nlh, type, len, data);
	return a;
}

static struct nlattr *put_str(struct nlmsghdr *nlh, uint16_t type,
			      const char *s)
{
	return put(nlh, type, strlen(s) + 1, s);
}

/* An integer attribute of len 1, 2 or 4 bytes. */
static struct nlattr *put_int(struct nlmsghdr *nlh, uint16_t type, size_t len,
			      uint32_t value)
{
	uint16_t u16 = value;
	uint8_t u8 = value;

	if (len == 1)
		return put(nlh, type, len, &u8);
	if (len == 2)
		return put(nlh, type, len, &u16);
	return put(nlh, type, len, &value);
}

/* CONENAT_A_NAT_ADDRS; returns its last address, or itself if empty. */
static struct nlattr *put_addrs(struct nlmsghdr *nlh,
				const uint8_t (*addrs)[4], unsigned int n)
{
	struct nlattr *nest, *last;
	unsigned int i;

	nest = mnl_attr_nest_start(nlh, CONENAT_A_NAT_ADDRS);
	last = nest;
	for (i = 0; i < n; i++)
		last = put(nlh, CONENAT_A_ADDR, sizeof(addrs[i]), addrs[i]);
	mnl_attr_nest_end(nlh, nest);
	return last;
}

static void put_nat(struct nlmsghdr *nlh, const struct nat *nat)
{
	put_str(nlh, CONENAT_A_NAT_NAME, nat->name);
	put_str(nlh, CONENAT_A_NAT_IFNAME, nat->ifname);
	if (nat->naddrs)
		put_addrs(nlh, nat->addrs, nat->naddrs);
	put_int(nlh, CONENAT_A_NAT_PORT_MIN, 2, nat->port_min);
	put_int(nlh, CONENAT_A_NAT_PORT_MAX, 2, nat->port_max);
	put_int(nlh, CONENAT_A_NAT_MAPPING, 1, nat->mapping);
	put_int(nlh, CONENAT_A_NAT_FILTERING, 1, nat->filtering);
	put_int(nlh, CONENAT_A_NAT_TCP_FILTERING, 1, nat->tcp_filtering);
	put_int(nlh, CONENAT_A_NAT_UDP_TIMEOUT, 4, nat->udp_timeout);
	put_int(nlh, CONENAT_A_NAT_TCP_TIMEOUT, 4, nat->tcp_timeout);
	put_int(nlh, CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT, 4,
		nat->tcp_transitory_timeout);
	put_int(nlh, CONENAT_A_NAT_ICMP_TIMEOUT, 4, nat->icmp_timeout);
	put_int(nlh, CONENAT_A_NAT_PORT_QUARANTINE, 4, nat->quarantine);
	put_int(nlh, CONENAT_A_NAT_MAPPING_LIMIT, 4, nat->mapping_limit);
	put_int(nlh, CONENAT_A_NAT_FLAGS, 4, nat->flags);
}

/* A request for cmd naming the instance name; returns the name. */
static struct nlattr *name_req(FIXTURE_DATA(conenat) *self, uint8_t cmd,
			       uint16_t flags, const char *name)
{
	req(self, cmd, flags);
	return put_str(self->nlh, CONENAT_A_NAT_NAME, name);
}

/* The least valid CONENAT_CMD_NEW_NAT, for a test to spoil. */
static struct nlattr *new_req(FIXTURE_DATA(conenat) *self, const char *name)
{
	struct nlattr *a = name_req(self, CONENAT_CMD_NEW_NAT, 0, name);

	put_str(self->nlh, CONENAT_A_NAT_IFNAME, "eth0");
	return a;
}

static int addr_attr(const struct nlattr *a, void *data)
{
	struct nat *nat = data;

	if (mnl_attr_get_type(a) != CONENAT_A_ADDR ||
	    mnl_attr_get_payload_len(a) != sizeof(nat->addrs[0]) ||
	    nat->naddrs == CONENAT_MAX_ADDRS) {
		nat->malformed = true;
		return MNL_CB_OK;
	}
	memcpy(nat->addrs[nat->naddrs++], mnl_attr_get_payload(a),
	       sizeof(nat->addrs[0]));
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type nat_attr_types[CONENAT_A_MAX + 1] = {
	[CONENAT_A_NAT_NAME]		= MNL_TYPE_NUL_STRING,
	[CONENAT_A_NAT_IFNAME]		= MNL_TYPE_NUL_STRING,
	[CONENAT_A_NAT_ADDRS]		= MNL_TYPE_NESTED,
	[CONENAT_A_NAT_PORT_MIN]	= MNL_TYPE_U16,
	[CONENAT_A_NAT_PORT_MAX]	= MNL_TYPE_U16,
	[CONENAT_A_NAT_MAPPING]		= MNL_TYPE_U8,
	[CONENAT_A_NAT_FILTERING]	= MNL_TYPE_U8,
	[CONENAT_A_NAT_TCP_FILTERING]	= MNL_TYPE_U8,
	[CONENAT_A_NAT_MAPPING_LIMIT]	= MNL_TYPE_U32,
	[CONENAT_A_NAT_UDP_TIMEOUT]	= MNL_TYPE_U32,
	[CONENAT_A_NAT_TCP_TIMEOUT]	= MNL_TYPE_U32,
	[CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT] = MNL_TYPE_U32,
	[CONENAT_A_NAT_ICMP_TIMEOUT]	= MNL_TYPE_U32,
	[CONENAT_A_NAT_PORT_QUARANTINE]	= MNL_TYPE_U32,
	[CONENAT_A_NAT_FLAGS]		= MNL_TYPE_U32,
	[CONENAT_A_NAT_STATS]		= MNL_TYPE_NESTED,
};

static int nat_attr(const struct nlattr *a, void *data)
{
	uint16_t type = mnl_attr_get_type(a);
	struct nat *nat = data;

	if (type > CONENAT_A_MAX || !nat_attr_types[type] ||
	    mnl_attr_validate(a, nat_attr_types[type]) < 0) {
		nat->malformed = true;
		return MNL_CB_OK;
	}
	switch (type) {
	case CONENAT_A_NAT_NAME:
		snprintf(nat->name, sizeof(nat->name), "%s", mnl_attr_get_str(a));
		break;
	case CONENAT_A_NAT_IFNAME:
		snprintf(nat->ifname, sizeof(nat->ifname), "%s",
			 mnl_attr_get_str(a));
		break;
	case CONENAT_A_NAT_ADDRS:
		mnl_attr_parse_nested(a, addr_attr, nat);
		break;
	case CONENAT_A_NAT_PORT_MIN:
		nat->port_min = mnl_attr_get_u16(a);
		break;
	case CONENAT_A_NAT_PORT_MAX:
		nat->port_max = mnl_attr_get_u16(a);
		break;
	case CONENAT_A_NAT_MAPPING:
		nat->mapping = mnl_attr_get_u8(a);
		break;
	case CONENAT_A_NAT_FILTERING:
		nat->filtering = mnl_attr_get_u8(a);
		break;
	case CONENAT_A_NAT_TCP_FILTERING:
		nat->tcp_filtering = mnl_attr_get_u8(a);
		break;
	case CONENAT_A_NAT_MAPPING_LIMIT:
		nat->mapping_limit = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_UDP_TIMEOUT:
		nat->udp_timeout = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_TCP_TIMEOUT:
		nat->tcp_timeout = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT:
		nat->tcp_transitory_timeout = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_ICMP_TIMEOUT:
		nat->icmp_timeout = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_PORT_QUARANTINE:
		nat->quarantine = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_FLAGS:
		nat->flags = mnl_attr_get_u32(a);
		break;
	case CONENAT_A_NAT_STATS:
		nat->stats = true;
		break;
	}
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static void read_data(const struct nlmsghdr *nlh, struct reply *r)
{
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, &r->family);
	else if (r->n < MAX_NATS)
		mnl_attr_parse(nlh, GENL_HDRLEN, nat_attr, &r->nats[r->n]);
	r->n++;
}

/* The error of an NLMSG_ERROR or NLMSG_DONE and its extended ACK. */
static void read_status(const struct nlmsghdr *nlh, struct reply *r)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *a;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = sizeof(int);
		if (mnl_nlmsg_get_payload_len(nlh) < off)
			return;
	} else if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		off += mnl_nlmsg_get_payload_len(&err->msg);
	}
	r->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(r->msg, sizeof(r->msg), "%s",
				 mnl_attr_get_str(a));
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->offs = mnl_attr_get_u32(a);
	}
}

/* Send the request; collect the answer up to its ACK or NLMSG_DONE. */
static void talk(struct __test_metadata *_metadata,
		 FIXTURE_DATA(conenat) *self, struct reply *r)
{
	char buf[32768];
	struct nlmsghdr *nlh;
	int len;

	memset(r, 0, sizeof(*r));
	r->offs = -1;
	self->nlh->nlmsg_seq = ++self->seq;
	ASSERT_LT(0, mnl_socket_sendto(self->nl, self->nlh,
				       self->nlh->nlmsg_len));
	for (;;) {
		len = mnl_socket_recvfrom(self->nl, buf, sizeof(buf));
		ASSERT_LT(0, len) TH_LOG("recv: %s", strerror(errno));
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != self->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				read_status(nlh, r);
				return;
			}
			read_data(nlh, r);
		}
	}
}

static void dump_nats(struct __test_metadata *_metadata,
		      FIXTURE_DATA(conenat) *self, struct reply *r)
{
	req(self, CONENAT_CMD_GET_NAT, NLM_F_DUMP);
	talk(_metadata, self, r);
	ASSERT_EQ(0, r->error) TH_LOG("dump: %s", r->msg);
	ASSERT_GE(MAX_NATS, r->n);
}

static void expect_nat(struct __test_metadata *_metadata,
		       const struct nat *want, const struct nat *got)
{
	EXPECT_STREQ(want->name, got->name);
	EXPECT_STREQ(want->ifname, got->ifname);
	EXPECT_EQ(want->naddrs, got->naddrs);
	EXPECT_EQ(0, memcmp(want->addrs, got->addrs, sizeof(want->addrs)));
	EXPECT_EQ(want->port_min, got->port_min);
	EXPECT_EQ(want->port_max, got->port_max);
	EXPECT_EQ(want->mapping, got->mapping);
	EXPECT_EQ(want->filtering, got->filtering);
	EXPECT_EQ(want->tcp_filtering, got->tcp_filtering);
	EXPECT_EQ(want->mapping_limit, got->mapping_limit);
	EXPECT_EQ(want->udp_timeout, got->udp_timeout);
	EXPECT_EQ(want->tcp_timeout, got->tcp_timeout);
	EXPECT_EQ(want->tcp_transitory_timeout, got->tcp_transitory_timeout);
	EXPECT_EQ(want->icmp_timeout, got->icmp_timeout);
	EXPECT_EQ(want->quarantine, got->quarantine);
	EXPECT_EQ(want->flags, got->flags);
	EXPECT_TRUE(got->stats);
	EXPECT_FALSE(got->malformed);
}

/* CONENAT_CMD_GET_NAT (doit) returns exactly the settings of want. */
static void check_nat(struct __test_metadata *_metadata,
		      FIXTURE_DATA(conenat) *self, const struct nat *want)
{
	struct reply r;

	name_req(self, CONENAT_CMD_GET_NAT, 0, want->name);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("get %s: %s", want->name, r.msg);
	ASSERT_EQ(1, r.n);
	expect_nat(_metadata, want, &r.nats[0]);
}

/* Create an instance, check it, and note it in self->before. */
static void create(struct __test_metadata *_metadata,
		   FIXTURE_DATA(conenat) *self, const struct nat *nat)
{
	struct reply r;

	req(self, CONENAT_CMD_NEW_NAT, 0);
	put_nat(self->nlh, nat);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("NEW_NAT %s: %s", nat->name, r.msg);
	check_nat(_metadata, self, nat);
	dump_nats(_metadata, self, &self->before);
}

/* The instances and their settings are those of self->before. */
static void unchanged(struct __test_metadata *_metadata,
		      FIXTURE_DATA(conenat) *self)
{
	struct reply now;
	unsigned int i;

	dump_nats(_metadata, self, &now);
	ASSERT_EQ(self->before.n, now.n);
	for (i = 0; i < now.n; i++)
		expect_nat(_metadata, &self->before.nats[i], &now.nats[i]);
}

/*
 * Send the request: it fails with error and an extended ACK message that,
 * if bad is given, points at that attribute; and changes nothing.
 */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(conenat) *self, int error,
		    const struct nlattr *bad)
{
	int offs = bad ? (const char *)bad - (const char *)self->nlh : -1;
	struct reply r;

	talk(_metadata, self, &r);
	TH_LOG("%s (%d): \"%s\", offset %d", strerror(-r.error), r.error,
	       r.msg, r.offs);
	EXPECT_EQ(error, r.error);
	EXPECT_NE(0, strlen(r.msg));
	/* 6.1 ends a refused dump with the message but not the offset. */
	if (bad && !(r.offs == -1 && self->nlh->nlmsg_flags & NLM_F_DUMP))
		EXPECT_EQ(offs, r.offs);
	EXPECT_EQ(0, r.n);
	unchanged(_metadata, self);
}

FIXTURE_SETUP(conenat)
{
	struct reply r;
	int one = 1;

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("%s", strerror(errno));
	self->nl = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, mnl_socket_setsockopt(self->nl, NETLINK_EXT_ACK, &one,
					   sizeof(one)));
	ASSERT_EQ(0, mnl_socket_bind(self->nl, 0, MNL_SOCKET_AUTOPID));
	start_msg(self, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	put_str(self->nlh, CTRL_ATTR_FAMILY_NAME, CONENAT_GENL_NAME);
	talk(_metadata, self, &r);
	if (r.error == -ENOENT)
		SKIP(return, "the conenat module is not loaded");
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	ASSERT_NE(0, r.family);
	self->family = r.family;
}

FIXTURE_TEARDOWN(conenat)
{
	if (self->nl)
		mnl_socket_close(self->nl);
}

TEST_F(conenat, new_nat_all_attrs_get_del)
{
	struct reply r;

	create(_metadata, self, &nat_full);
	ASSERT_EQ(1, self->before.n);
	expect_nat(_metadata, &nat_full, &self->before.nats[0]);
	name_req(self, CONENAT_CMD_DEL_NAT, 0, nat_full.name);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	self->before.n = 0;
	refused(_metadata, self, -ENOENT,
		name_req(self, CONENAT_CMD_GET_NAT, 0, nat_full.name));
}

TEST_F(conenat, set_nat_changes_what_it_names)
{
	struct nat want = nat0;
	struct reply r;

	create(_metadata, self, &nat0);
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_int(self->nlh, CONENAT_A_NAT_UDP_TIMEOUT, 4, 1);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	want.udp_timeout = 1;
	check_nat(_metadata, self, &want);
}

/*
 * The defaults are the RFCs' values: UDP 300 s (RFC 4787 REQ-5), TCP
 * 7440 s and 240 s (RFC 5382 REQ-5), ICMP 60 s (RFC 5508 REQ-2), a
 * quarantine of 120 s (RFC 6888 REQ-8), eim and eif.
 */
TEST_F(conenat, new_nat_defaults)
{
	static const struct nat defaults = {
		.name = "nat0",
		.ifname = "eth0",
		.port_min = 1024,
		.port_max = 65535,
		.mapping = CONENAT_MAPPING_EIM,
		.filtering = CONENAT_FILTERING_EIF,
		.tcp_filtering = CONENAT_FILTERING_EIF,
		.udp_timeout = 300,
		.tcp_timeout = 7440,
		.tcp_transitory_timeout = 240,
		.icmp_timeout = 60,
		.quarantine = 120,
	};
	struct reply r;

	new_req(self, "nat0");
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	check_nat(_metadata, self, &defaults);
}

TEST_F(conenat, set_nat_flags_mask_changes_only_masked_flags)
{
	struct nat want = nat0;
	struct reply r;

	create(_metadata, self, &nat0);
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4, CONENAT_NAT_F_PORT_PARITY);
	put_int(self->nlh, CONENAT_A_NAT_FLAGS_MASK, 4, CONENAT_NAT_F_PORT_PARITY);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	want.flags |= CONENAT_NAT_F_PORT_PARITY;
	check_nat(_metadata, self, &want);
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4, 0);
	put_int(self->nlh, CONENAT_A_NAT_FLAGS_MASK, 4,
		CONENAT_NAT_F_INBOUND_REFRESH);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	want.flags = CONENAT_NAT_F_PORT_PARITY;
	check_nat(_metadata, self, &want);
}

TEST_F(conenat, set_nat_filtering_sets_tcp_filtering_too)
{
	struct nat want = nat0;
	struct reply r;

	create(_metadata, self, &nat0);
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_int(self->nlh, CONENAT_A_NAT_FILTERING, 1, CONENAT_FILTERING_ADF);
	talk(_metadata, self, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.msg);
	want.filtering = CONENAT_FILTERING_ADF;
	want.tcp_filtering = CONENAT_FILTERING_ADF;
	check_nat(_metadata, self, &want);
}

TEST_F(conenat, new_nat_no_name)
{
	req(self, CONENAT_CMD_NEW_NAT, 0);
	put_str(self->nlh, CONENAT_A_NAT_IFNAME, "eth0");
	refused(_metadata, self, -EINVAL, NULL);
}


TEST_F(conenat, name_too_long)
{
	refused(_metadata, self, -EINVAL, new_req(self, "abcdefghijklmnop"));
}

TEST_F(conenat, name_space)
{
	refused(_metadata, self, -EINVAL, new_req(self, "a b"));
}

TEST_F(conenat, name_slash)
{
	refused(_metadata, self, -EINVAL, new_req(self, "x/y"));
}

TEST_F(conenat, name_not_nul_terminated)
{
	struct nlattr *bad;

	req(self, CONENAT_CMD_NEW_NAT, 0);
	bad = put(self->nlh, CONENAT_A_NAT_NAME, 4, "nat0");
	put_str(self->nlh, CONENAT_A_NAT_IFNAME, "eth0");
	refused(_metadata, self, -EINVAL, bad);
}

TEST_F(conenat, new_nat_no_ifname)
{
	name_req(self, CONENAT_CMD_NEW_NAT, 0, "nat0");
	refused(_metadata, self, -EINVAL, NULL);
}

TEST_F(conenat, ifname_empty)
{
	name_req(self, CONENAT_CMD_NEW_NAT, 0, "nat0");
	refused(_metadata, self, -EINVAL,
		put_str(self->nlh, CONENAT_A_NAT_IFNAME, ""));
}

TEST_F(conenat, mapping_3)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_MAPPING, 1, 3));
}

TEST_F(conenat, filtering_9)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_FILTERING, 1, 9));
}

TEST_F(conenat, mapping_as_u32)
{
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL,
		put_int(self->nlh, CONENAT_A_NAT_MAPPING, 4,
			CONENAT_MAPPING_EIM));
}

TEST_F(conenat, port_min_above_max)
{
	new_req(self, "nat0");
	put_int(self->nlh, CONENAT_A_NAT_PORT_MIN, 2, 5001);
	put_int(self->nlh, CONENAT_A_NAT_PORT_MAX, 2, 5000);
	refused(_metadata, self, -EINVAL, NULL);
}

TEST_F(conenat, port_0)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_PORT_MIN, 2, 0));
}

TEST_F(conenat, timeout_0)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_UDP_TIMEOUT, 4, 0));
}

TEST_F(conenat, timeout_86401)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_UDP_TIMEOUT, 4, 86401));
}

TEST_F(conenat, tcp_timeout_604801)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_TCP_TIMEOUT, 4, 604801));
}

TEST_F(conenat, icmp_timeout_0)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_ICMP_TIMEOUT, 4, 0));
}

TEST_F(conenat, quarantine_3601)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_PORT_QUARANTINE, 4, 3601));
}

TEST_F(conenat, unknown_flag)
{
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL,
		put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4,
			__CONENAT_NAT_F_ALL + 1));
}

TEST_F(conenat, tcp_filtering_3)
{
	new_req(self, "nat0");
	refused(_metadata, self, OUT_OF_RANGE,
		put_int(self->nlh, CONENAT_A_NAT_TCP_FILTERING, 1, 3));
}

TEST_F(conenat, flags_mask_without_flags)
{
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL,
		put_int(self->nlh, CONENAT_A_NAT_FLAGS_MASK, 4,
			CONENAT_NAT_F_PORT_PARITY));
}

TEST_F(conenat, flags_mask_unknown_flag)
{
	new_req(self, "nat0");
	put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4, 0);
	refused(_metadata, self, -EINVAL,
		put_int(self->nlh, CONENAT_A_NAT_FLAGS_MASK, 4,
			__CONENAT_NAT_F_ALL + 1));
}

/* The default range, 1024-65535, has no ports below 1024 to keep. */
TEST_F(conenat, range_preservation_needs_ports_below_1024)
{
	new_req(self, "nat0");
	put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4, CONENAT_NAT_F_RANGE_PRESERVE);
	refused(_metadata, self, -EINVAL, NULL);
}

TEST_F(conenat, addr_3_bytes)
{
	struct nlattr *nest, *bad;

	new_req(self, "nat0");
	nest = mnl_attr_nest_start(self->nlh, CONENAT_A_NAT_ADDRS);
	bad = put(self->nlh, CONENAT_A_ADDR, 3, "\xcb\x00\x71");
	mnl_attr_nest_end(self->nlh, nest);
	refused(_metadata, self, OUT_OF_RANGE, bad);
}

/* NEW_NAT with one address, a.b.c.d, that is not unicast. */
static void refuse_addr(struct __test_metadata *_metadata,
			FIXTURE_DATA(conenat) *self, uint8_t a, uint8_t b,
			uint8_t c, uint8_t d)
{
	const uint8_t addr[1][4] = { { a, b, c, d } };

	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL, put_addrs(self->nlh, addr, 1));
}

TEST_F(conenat, addr_multicast)
{
	refuse_addr(_metadata, self, 224, 0, 0, 1);
}

TEST_F(conenat, addr_zero)
{
	refuse_addr(_metadata, self, 0, 0, 0, 0);
}

TEST_F(conenat, addr_loopback)
{
	refuse_addr(_metadata, self, 127, 0, 0, 1);
}

TEST_F(conenat, addr_broadcast)
{
	refuse_addr(_metadata, self, 255, 255, 255, 255);
}

TEST_F(conenat, addrs_17)
{
	uint8_t addrs[CONENAT_MAX_ADDRS + 1][4];
	unsigned int i;

	for (i = 0; i < CONENAT_MAX_ADDRS + 1; i++) {
		addrs[i][0] = 203;
		addrs[i][1] = 0;
		addrs[i][2] = 113;
		addrs[i][3] = i + 1;
	}
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL,
		put_addrs(self->nlh, addrs, CONENAT_MAX_ADDRS + 1));
}

TEST_F(conenat, addrs_duplicate)
{
	static const uint8_t addrs[][4] = {
		{ 203, 0, 113, 1 }, { 198, 51, 100, 1 }, { 203, 0, 113, 1 },
	};

	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL, put_addrs(self->nlh, addrs, 3));
}

TEST_F(conenat, addrs_empty)
{
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL, put_addrs(self->nlh, NULL, 0));
}

TEST_F(conenat, unknown_attr)
{
	new_req(self, "nat0");
	refused(_metadata, self, -EINVAL, put_int(self->nlh, 99, 4, 0));
}

/* NEW_NAT carrying an attribute only replies may have. */
static void refuse_reply_attr(struct __test_metadata *_metadata,
			      FIXTURE_DATA(conenat) *self, uint16_t type)
{
	struct nlattr *nest;

	new_req(self, "nat0");
	nest = mnl_attr_nest_start(self->nlh, type);
	put_int(self->nlh, 1, 4, 0);
	mnl_attr_nest_end(self->nlh, nest);
	refused(_metadata, self, -EINVAL, nest);
}

TEST_F(conenat, stats_in_request)
{
	refuse_reply_attr(_metadata, self, CONENAT_A_NAT_STATS);
}

TEST_F(conenat, map_in_request)
{
	refuse_reply_attr(_metadata, self, CONENAT_A_MAP);
}

TEST_F(conenat, new_nat_twice)
{
	struct nat other = nat0;

	create(_metadata, self, &nat0);
	snprintf(other.ifname, sizeof(other.ifname), "eth1");
	other.mapping = CONENAT_MAPPING_EIM;
	other.port_min = 1024;
	req(self, CONENAT_CMD_NEW_NAT, 0);
	put_nat(self->nlh, &other);
	refused(_metadata, self, -EEXIST, NULL);
	check_nat(_metadata, self, &nat0);
}

TEST_F(conenat, new_nat_address_in_use)
{
	create(_metadata, self, &nat_full);
	new_req(self, "nat1");
	put_addrs(self->nlh, &nat_full.addrs[1], 1);
	refused(_metadata, self, -EADDRINUSE, NULL);
}

TEST_F(conenat, set_nat_address_in_use)
{
	create(_metadata, self, &nat_full);
	create(_metadata, self, &nat0);
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_addrs(self->nlh, nat_full.addrs, 1);
	refused(_metadata, self, -EADDRINUSE, NULL);
	check_nat(_metadata, self, &nat0);
}

/* A CONENAT_CMD_SET_NAT of nat0 with a valid change, to spoil. */
static void set_req(FIXTURE_DATA(conenat) *self)
{
	name_req(self, CONENAT_CMD_SET_NAT, 0, nat0.name);
	put_int(self->nlh, CONENAT_A_NAT_MAPPING, 1, CONENAT_MAPPING_EIM);
}

/* The spoiled SET_NAT is refused and nat0 keeps every setting. */
static void set_refused(struct __test_metadata *_metadata,
			FIXTURE_DATA(conenat) *self, int error,
			const struct nlattr *bad)
{
	refused(_metadata, self, error, bad);
	check_nat(_metadata, self, &nat0);
}

TEST_F(conenat, set_nat_bad_value_keeps_settings)
{
	static const uint8_t multicast[][4] = { { 224, 0, 0, 1 } };

	create(_metadata, self, &nat0);
	set_req(self);
	set_refused(_metadata, self, OUT_OF_RANGE,
		    put_int(self->nlh, CONENAT_A_NAT_FILTERING, 1, 3));
	set_req(self);
	set_refused(_metadata, self, OUT_OF_RANGE,
		    put_int(self->nlh, CONENAT_A_NAT_UDP_TIMEOUT, 4, 0));
	set_req(self);
	set_refused(_metadata, self, -EINVAL,
		    put_int(self->nlh, CONENAT_A_NAT_FLAGS, 4, 1U << 31));
	set_req(self);
	set_refused(_metadata, self, -EINVAL,
		    put_str(self->nlh, CONENAT_A_NAT_IFNAME, ""));
	set_req(self);
	set_refused(_metadata, self, -EINVAL,
		    put_addrs(self->nlh, multicast, 1));
	set_req(self);
	put_int(self->nlh, CONENAT_A_NAT_PORT_MIN, 2, nat0.port_max + 1);
	set_refused(_metadata, self, -EINVAL, NULL);
}

/* cmd naming an instance that does not exist, beside one that does. */
static void refuse_unknown(struct __test_metadata *_metadata,
			   FIXTURE_DATA(conenat) *self, uint8_t cmd,
			   uint16_t flags)
{
	create(_metadata, self, &nat0);
	refused(_metadata, self, -ENOENT, name_req(self, cmd, flags, "nat1"));
}

TEST_F(conenat, set_nat_unknown)
{
	refuse_unknown(_metadata, self, CONENAT_CMD_SET_NAT, 0);
}

TEST_F(conenat, del_nat_unknown)
{
	refuse_unknown(_metadata, self, CONENAT_CMD_DEL_NAT, 0);
}

TEST_F(conenat, get_nat_unknown)
{
	refuse_unknown(_metadata, self, CONENAT_CMD_GET_NAT, 0);
}

TEST_F(conenat, get_map_unknown)
{
	refuse_unknown(_metadata, self, CONENAT_CMD_GET_MAP, NLM_F_DUMP);
}

TEST_F(conenat, flush_map_unknown)
{
	refuse_unknown(_metadata, self, CONENAT_CMD_FLUSH_MAP, 0);
}

/* cmd without CONENAT_A_NAT_NAME, beside an instance. */
static void refuse_no_name(struct __test_metadata *_metadata,
			   FIXTURE_DATA(conenat) *self, uint8_t cmd,
			   uint16_t flags)
{
	create(_metadata, self, &nat0);
	req(self, cmd, flags);
	refused(_metadata, self, -EINVAL, NULL);
}

TEST_F(conenat, set_nat_no_name)
{
	refuse_no_name(_metadata, self, CONENAT_CMD_SET_NAT, 0);
}

TEST_F(conenat, del_nat_no_name)
{
	refuse_no_name(_metadata, self, CONENAT_CMD_DEL_NAT, 0);
}

TEST_F(conenat, get_nat_no_name)
{
	refuse_no_name(_metadata, self, CONENAT_CMD_GET_NAT, 0);
}

TEST_F(conenat, get_map_no_name)
{
	refuse_no_name(_metadata, self, CONENAT_CMD_GET_MAP, NLM_F_DUMP);
}

TEST_F(conenat, flush_map_no_name)
{
	refuse_no_name(_metadata, self, CONENAT_CMD_FLUSH_MAP, 0);
}

/* A request for cmd that root may make: nat0 exists, nat1 does not. */
static void valid_req(FIXTURE_DATA(conenat) *self, uint8_t cmd,
		      uint16_t flags)
{
	if (cmd == CONENAT_CMD_GET_VERSION)
		req(self, cmd, flags);
	else if (cmd == CONENAT_CMD_NEW_NAT)
		new_req(self, "nat1");
	else if (cmd == CONENAT_CMD_SET_NAT)
		set_req(self);
	else
		name_req(self, cmd, flags, nat0.name);
}

TEST_F(conenat, unprivileged)
{
	static const struct {
		uint8_t cmd;
		uint16_t flags;
	} reqs[] = {
		{ CONENAT_CMD_GET_VERSION, 0 },
		{ CONENAT_CMD_NEW_NAT, 0 },
		{ CONENAT_CMD_SET_NAT, 0 },
		{ CONENAT_CMD_DEL_NAT, 0 },
		{ CONENAT_CMD_GET_NAT, 0 },
		{ CONENAT_CMD_GET_NAT, NLM_F_DUMP },
		{ CONENAT_CMD_GET_MAP, NLM_F_DUMP },
		{ CONENAT_CMD_FLUSH_MAP, 0 },
	};
	struct reply r;
	unsigned int i;

	create(_metadata, self, &nat0);
	/* No capabilities; the saved uid 0 lets the test check afterwards. */
	ASSERT_EQ(0, setresuid(UNPRIVILEGED, UNPRIVILEGED, 0));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		valid_req(self, reqs[i].cmd, reqs[i].flags);
		talk(_metadata, self, &r);
		EXPECT_EQ(-EPERM, r.error)
			TH_LOG("command %u flags %#x", reqs[i].cmd,
			       reqs[i].flags);
	}
	ASSERT_EQ(0, setresuid(0, 0, 0));
	unchanged(_metadata, self);
}

TEST_HARNESS_MAIN
