/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generic netlink client on libmnl: resolve a family, send a request,
 * run a callback per reply, and turn errors into errno plus the kernel's
 * extended ACK message.
 */
#ifndef CONENAT_GENL_H
#define CONENAT_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

struct genl_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint8_t version;
	char *buf;
	/* The kernel's extack message for the last failed request, or "". */
	char errmsg[256];
};

/*
 * Open a socket and resolve the family.  Returns 0, or a negative errno:
 * -ENOENT when no such family is registered (module not loaded).
 */
int genl_open(struct genl_sock *gs, const char *family);
void genl_close(struct genl_sock *gs);

/* Join a multicast group of the family: 0, -ENOENT or -errno. */
int genl_join(struct genl_sock *gs, const char *family, const char *group);
/* Run cb on each message that arrives, until an error. */
int genl_listen(struct genl_sock *gs, mnl_cb_t cb, void *data);

/* Start a request in gs->buf: nlmsghdr + genlmsghdr for cmd. */
struct nlmsghdr *genl_request(struct genl_sock *gs, uint8_t cmd, uint16_t flags);

/*
 * Send nlh and run cb on each reply until the ACK or the end of a dump.
 * Returns 0 or a negative errno; gs->errmsg holds the extack message.
 */
int genl_transact(struct genl_sock *gs, struct nlmsghdr *nlh,
		  mnl_cb_t cb, void *data);

/*
 * mnl_nlmsg_ok(), but also refusing a length of 2 GiB or more, which its
 * signed comparison lets through; for loops over a receive buffer.
 */
static inline bool nl_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (unsigned int)len;
}

/* Offset of a genl message's attributes, for mnl_attr_parse. */
#define GENL_HDRLEN_ALIGNED MNL_ALIGN(sizeof(struct genlmsghdr))

/*
 * Index a genl message's attributes (or a nest's) by type into tb[0..max],
 * keeping those whose types[] entry is not MNL_TYPE_UNSPEC and that
 * validate as it.  Others are left NULL: a newer kernel may add some, and
 * a malformed one is as good as absent.
 */
void genl_parse(const struct nlmsghdr *nlh,
		const enum mnl_attr_data_type *types, unsigned int max,
		const struct nlattr **tb);
void genl_parse_nested(const struct nlattr *nest,
		       const enum mnl_attr_data_type *types, unsigned int max,
		       const struct nlattr **tb);

/* Attribute values from genl_parse()'s table; absent ones read as 0 or "". */
static inline uint8_t attr_u8(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

static inline uint16_t attr_u16(const struct nlattr *a)
{
	return a ? mnl_attr_get_u16(a) : 0;
}

static inline uint32_t attr_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static inline uint64_t attr_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static inline const char *attr_str(const struct nlattr *a)
{
	return a ? mnl_attr_get_str(a) : "";
}

/*
 * The result an NLMSG_ERROR (or NLMSG_DONE) message carries: 0 for an ACK
 * or a negative errno, with the extack message, if any, copied to errmsg.
 */
int nl_ack_result(const struct nlmsghdr *nlh, char *errmsg, size_t size);

#endif /* CONENAT_GENL_H */
