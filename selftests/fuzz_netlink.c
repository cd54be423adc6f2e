// SPDX-License-Identifier: GPL-2.0
/*
 * A generic netlink fuzzer for the "conenat" family, run in a network
 * namespace of a guest:
 *
 *   fuzz_netlink [-n COUNT] [-s SEED] [-N NAME]... [-v]
 *
 * Each message starts as a valid request for a command of
 * include/uapi/linux/conenat.h (every command, the event-only ones and
 * unknown ones too) with a random subset of that command's attributes,
 * then gets mutations: values at and past the edges of their range, wrong
 * attribute types and lengths, strings without their NUL or too long,
 * address lists empty, too long, nested deeper or holding bad addresses,
 * missing and duplicate attributes, random bit flips after the netlink
 * header, a truncated tail, NLM_F_DUMP on any command.  Some dumps are
 * read only in part and left open on a side socket while other requests
 * (instances removed under them) go on; a few sockets are closed with a
 * dump pending.
 *
 * The instances it names are "fz0" to "fz3" and each -N NAME (the
 * selftest passes the instance that carries traffic, so that it is
 * changed and removed under traffic); it removes the fz instances at the
 * end, never the -N ones.
 *
 * It checks that every request is answered (an ACK, an error or the end
 * of a dump) within 10 seconds; that every -EINVAL or -ERANGE comes with
 * an extended ACK message (the API promises one for each); and, every
 * 1000 messages, that GET_VERSION still answers.  It prints one line of
 * counts per error code and exits 0 if all held, 1 if not, 2 on usage or
 * setup errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/conenat.h>

#define BUF_SIZE 65536
#define MAX_HELD 4
#define MAX_NAMES 8
#define ANSWER_MS 10000
#define PROBE_EVERY 1000
#define MAX_ERRNO 256

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed at the start. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 2685821657736338717ULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* True one time in n. */
static bool one_in(uint32_t n)
{
	return below(n) == 0;
}

struct sock {
	struct mnl_socket *nl;
	uint32_t portid;
};

struct counts {
	unsigned long sent, answered, dumps, half_read, closed_pending;
	unsigned long ok, by_errno[MAX_ERRNO], with_msg[MAX_ERRNO];
	unsigned long no_answer, no_extack, probe_failed;
};

static uint16_t family;
static uint32_t seq;
static const char *names[MAX_NAMES] = { "fz0", "fz1", "fz2", "fz3" };
static unsigned int n_names = 4;
static const unsigned int n_own = 4;	/* names[0..3] are the fuzzer's */
static bool verbose;
static struct counts c;
static char rbuf[BUF_SIZE];

static int sock_open(struct sock *s)
{
	int one = 1;

	s->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!s->nl)
		return -1;
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(s->nl);
		return -1;
	}
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	return 0;
}

/* An extack message in the TLVs from payload offset off on, if any. */
static bool has_msg(const struct nlmsghdr *nlh, unsigned int off)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return false;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_get_payload_len(a) > 1)
			return true;
	}
	return false;
}

/* The result of a final message: 0 or -errno, and its extack message. */
static int final_result(const struct nlmsghdr *nlh, bool *msg)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	*msg = false;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
		return 0;
	if (nlh->nlmsg_type == NLMSG_DONE)
		*msg = has_msg(nlh, sizeof(int));
	else if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
		return err->error;
	else if (nlh->nlmsg_flags & NLM_F_CAPPED)
		*msg = has_msg(nlh, sizeof(*err));
	else
		*msg = has_msg(nlh, sizeof(*err) + err->msg.nlmsg_len -
				    MNL_NLMSG_HDRLEN);
	return err->error;
}

/*
 * Read until the final answer to request want_seq.  Older requests'
 * messages (a dump left half-read) are skipped.  With max_reads, stop
 * after that many reads even without it (returns 1).  0 when answered,
 * with *result and *msg set; -1 when no answer came in time.
 */
static int read_answer(struct sock *s, uint32_t want_seq, int max_reads,
		       int *result, bool *msg)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(s->nl), .events = POLLIN };
	struct nlmsghdr *nlh;
	int reads = 0, n;

	for (;;) {
		if (max_reads && reads == max_reads)
			return 1;
		if (poll(&pfd, 1, ANSWER_MS) <= 0)
			return -1;
		n = recv(pfd.fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EINTR)
				continue;
			return -1;
		}
		reads++;
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != want_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				*result = final_result(nlh, msg);
				return 0;
			}
		}
	}
}

/* ---- building requests ---- */

static void put_raw(struct nlmsghdr *nlh, uint16_t type, size_t len,
		    const void *data)
{
	if (nlh->nlmsg_len + MNL_ATTR_HDRLEN + MNL_ALIGN(len) < BUF_SIZE / 2)
		mnl_attr_put(nlh, type, len, data);
}

static void put_junk(struct nlmsghdr *nlh, uint16_t type)
{
	uint8_t junk[64];
	size_t len = below(one_in(8) ? sizeof(junk) : 9), i;

	for (i = 0; i < len; i++)
		junk[i] = rnd();
	put_raw(nlh, type, len, junk);
}

/* An integer of width bytes: in range, at an edge, or anything. */
static uint32_t int_value(uint32_t lo, uint32_t hi)
{
	static const uint32_t edges[] = { 0, 1, 2, 255, 256, 1023, 1024,
		65535, 65536, 86400, 86401, 604800, 604801, 0x7fffffff,
		0x80000000, 0xffffffff };

	switch (below(8)) {
	case 0:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return rnd();
	default:
		return lo + below(hi - lo + 1 ? hi - lo + 1 : 0xffffffff);
	}
}

static void put_value(struct nlmsghdr *nlh, uint16_t type, unsigned int width,
		      uint32_t v)
{
	uint16_t v16 = v;
	uint8_t v8 = v;

	/* One time in eight, another width than the policy's. */
	if (one_in(8))
		width = (unsigned int[]){ 0, 1, 2, 3, 4, 8 }[below(6)];
	if (width == 1)
		put_raw(nlh, type, 1, &v8);
	else if (width == 2)
		put_raw(nlh, type, 2, &v16);
	else if (width == 8)
		put_raw(nlh, type, 8, (uint64_t[]){ v });
	else
		put_raw(nlh, type, width, &v);
}

static void put_int(struct nlmsghdr *nlh, uint16_t type, unsigned int width,
		    uint32_t lo, uint32_t hi)
{
	put_value(nlh, type, width, int_value(lo, hi));
}

/*
 * Valid flags never include "attach rules": an instance with it stops
 * translating by itself, and the run checks that wan0 keeps translating
 * (attach.sh and conectl_errors.sh cover the flag).  Invalid ones do.
 */
static void put_flags(struct nlmsghdr *nlh, uint16_t type)
{
	uint32_t v = int_value(0, __CONENAT_NAT_F_ALL);

	if (v <= __CONENAT_NAT_F_ALL)
		v &= ~CONENAT_NAT_F_RULES;
	put_value(nlh, type, 4, v);
}

static const char *pick_name(void)
{
	static const char *const bad[] = {
		"", "a b", "fz/0", "-", "_", "0123456789abcde",
		"0123456789abcdef", "0123456789abcdefghij", "\xff\xfe",
	};

	if (one_in(6))
		return bad[below(sizeof(bad) / sizeof(bad[0]))];
	return names[below(n_names)];
}

static void put_string(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	char buf[40];
	size_t len = strlen(s);

	if (one_in(12)) {
		/* No NUL, or a NUL in the middle, or a long run of bytes. */
		if (one_in(3)) {
			memset(buf, 'x', sizeof(buf));
			put_raw(nlh, type, below(sizeof(buf) + 1), buf);
		} else if (len) {
			put_raw(nlh, type, len, s);
		} else {
			put_raw(nlh, type, 0, s);
		}
		return;
	}
	put_raw(nlh, type, len + 1, s);
}

static const char *pick_ifname(void)
{
	static const char *const ifs[] = {
		/*
		 * Not gw-wan: an instance there would own its address, and
		 * wan0, which the traffic needs, could not be made again.
		 */
		"gw-lan2", "gw-lan1", "lo", "nonexistent0", "", "eth0",
		"0123456789abcdef", "0123456789abcde",
	};

	return ifs[below(sizeof(ifs) / sizeof(ifs[0]))];
}

static uint32_t pick_addr(void)
{
	/* Never 203.0.113.1: wan0's, which the traffic needs (as gw-wan). */
	static const uint32_t addrs[] = {
		0xcb007104, 0xcb007102, 0xcb007103, 0xc0000201, 0xc6336407,
		0x00000000, 0x7f000001, 0xe0000001, 0xffffffff, 0x0a000101,
	};

	if (one_in(8))
		return rnd();
	return htonl(addrs[below(sizeof(addrs) / sizeof(addrs[0]))]);
}

/* CONENAT_A_NAT_ADDRS: usually a few good addresses; sometimes not. */
static void put_addrs(struct nlmsghdr *nlh, int depth)
{
	struct nlattr *nest;
	unsigned int n, i;
	uint32_t a;

	if (nlh->nlmsg_len > BUF_SIZE / 4)
		return;
	nest = mnl_attr_nest_start(nlh, CONENAT_A_NAT_ADDRS);
	if (one_in(6))
		nest->nla_type &= ~NLA_F_NESTED;
	n = one_in(6) ? below(CONENAT_MAX_ADDRS + 4) : below(4);
	for (i = 0; i < n; i++) {
		switch (below(12)) {
		case 0:
			put_junk(nlh, below(4));
			break;
		case 1:
			if (depth < 4)
				put_addrs(nlh, depth + 1);
			break;
		default:
			a = pick_addr();
			put_raw(nlh, CONENAT_A_ADDR, 4, &a);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

/* One attribute of type, valid in form most of the time. */
static void put_attr(struct nlmsghdr *nlh, uint16_t type)
{
	switch (type) {
	case CONENAT_A_NAT_NAME:
		put_string(nlh, type, pick_name());
		break;
	case CONENAT_A_NAT_IFNAME:
		put_string(nlh, type, pick_ifname());
		break;
	case CONENAT_A_NAT_ADDRS:
		put_addrs(nlh, 0);
		break;
	case CONENAT_A_NAT_PORT_MIN:
		put_int(nlh, type, 2, 1024, 30000);
		break;
	case CONENAT_A_NAT_PORT_MAX:
		put_int(nlh, type, 2, 30000, 65535);
		break;
	case CONENAT_A_NAT_MAPPING:
		put_int(nlh, type, 1, 0, CONENAT_MAPPING_MAX);
		break;
	case CONENAT_A_NAT_FILTERING:
	case CONENAT_A_NAT_TCP_FILTERING:
		put_int(nlh, type, 1, 0, CONENAT_FILTERING_MAX);
		break;
	case CONENAT_A_NAT_UDP_TIMEOUT:
	case CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT:
	case CONENAT_A_NAT_ICMP_TIMEOUT:
		put_int(nlh, type, 4, 1, 600);
		break;
	case CONENAT_A_NAT_TCP_TIMEOUT:
		put_int(nlh, type, 4, 1, 7440);
		break;
	case CONENAT_A_NAT_PORT_QUARANTINE:
		put_int(nlh, type, 4, 0, 10);
		break;
	case CONENAT_A_NAT_MAPPING_LIMIT:
		put_int(nlh, type, 4, 0, 100);
		break;
	case CONENAT_A_NAT_FLAGS:
	case CONENAT_A_NAT_FLAGS_MASK:
		put_flags(nlh, type);
		break;
	case CONENAT_A_NAT_STATS:
	case CONENAT_A_MAP: {
		/* Reply-only nests: refused, whatever they hold. */
		struct nlattr *nest = mnl_attr_nest_start(nlh, type);

		put_junk(nlh, below(CONENAT_MAP_A_MAX + 2));
		mnl_attr_nest_end(nlh, nest);
		break;
	}
	default:
		put_junk(nlh, type);
	}
}

static const uint16_t config_attrs[] = {
	CONENAT_A_NAT_IFNAME, CONENAT_A_NAT_ADDRS, CONENAT_A_NAT_PORT_MIN,
	CONENAT_A_NAT_PORT_MAX, CONENAT_A_NAT_MAPPING, CONENAT_A_NAT_FILTERING,
	CONENAT_A_NAT_UDP_TIMEOUT, CONENAT_A_NAT_FLAGS,
	CONENAT_A_NAT_TCP_TIMEOUT, CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT,
	CONENAT_A_NAT_ICMP_TIMEOUT, CONENAT_A_NAT_PORT_QUARANTINE,
	CONENAT_A_NAT_TCP_FILTERING, CONENAT_A_NAT_MAPPING_LIMIT,
	CONENAT_A_NAT_FLAGS_MASK,
};

#define N_CONFIG (sizeof(config_attrs) / sizeof(config_attrs[0]))

/* The valid skeleton of cmd: its required attributes and some others. */
static void skeleton(struct nlmsghdr *nlh, uint8_t cmd)
{
	unsigned int i;

	switch (cmd) {
	case CONENAT_CMD_GET_VERSION:
		break;
	case CONENAT_CMD_NEW_NAT:
	case CONENAT_CMD_SET_NAT:
		put_attr(nlh, CONENAT_A_NAT_NAME);
		if (cmd == CONENAT_CMD_NEW_NAT)
			put_attr(nlh, CONENAT_A_NAT_IFNAME);
		for (i = 0; i < N_CONFIG; i++) {
			if (config_attrs[i] == CONENAT_A_NAT_IFNAME &&
			    cmd == CONENAT_CMD_NEW_NAT)
				continue;
			if (one_in(3))
				put_attr(nlh, config_attrs[i]);
		}
		break;
	case CONENAT_CMD_GET_NAT:
		if (!one_in(3))
			put_attr(nlh, CONENAT_A_NAT_NAME);
		break;
	default:
		/* DEL_NAT, GET_MAP, FLUSH_MAP, the events, unknown ones. */
		put_attr(nlh, CONENAT_A_NAT_NAME);
	}
}

static void mutate(struct nlmsghdr *nlh)
{
	uint8_t *body = (uint8_t *)nlh + MNL_NLMSG_HDRLEN;
	size_t body_len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	unsigned int k, flips;
	struct nlattr *nest;

	switch (below(9)) {
	case 0:	/* an attribute of any type, well formed or not */
		put_attr(nlh, below(CONENAT_A_MAX + 4));
		break;
	case 1:	/* junk under a known or unknown type */
		put_junk(nlh, below(CONENAT_A_MAX + 4) |
			      (one_in(8) ? NLA_F_NESTED : 0));
		break;
	case 2:	/* a duplicate of something */
		put_attr(nlh, CONENAT_A_NAT_NAME);
		break;
	case 3:	/* a nest where there should be none */
		nest = mnl_attr_nest_start(nlh, below(CONENAT_A_MAX + 2));
		for (k = below(4); k; k--)
			put_attr(nlh, below(CONENAT_A_MAX + 2));
		mnl_attr_nest_end(nlh, nest);
		break;
	case 4:	/* bit flips after the netlink header */
		flips = 1 + below(4);
		for (k = 0; k < flips && body_len; k++)
			body[below(body_len)] ^= 1 << below(8);
		break;
	case 5:	/* a truncated tail, the genl header kept */
		if (body_len > GENL_HDRLEN)
			nlh->nlmsg_len -= 1 + below(body_len - GENL_HDRLEN);
		break;
	case 6:	/* another command, maybe unknown */
		((struct genlmsghdr *)body)->cmd = below(CONENAT_CMD_MAX + 8);
		break;
	case 7:	/* another version, reserved bits */
		((struct genlmsghdr *)body)->version = rnd();
		((struct genlmsghdr *)body)->reserved = one_in(2) ? rnd() : 0;
		break;
	default:	/* a random extra attribute of the skeleton's kind */
		put_attr(nlh, config_attrs[below(N_CONFIG)]);
	}
}

static uint8_t pick_cmd(void)
{
	if (one_in(50))
		return rnd();
	/* The event-only commands rarely: they are refused before parsing. */
	if (one_in(25))
		return one_in(2) ? CONENAT_CMD_NEW_MAP : CONENAT_CMD_DEL_MAP;
	return below(CONENAT_CMD_FLUSH_MAP + 1);
}

/* ---- sending ---- */

struct held {
	struct sock s;
	int ttl;		/* messages until it is closed */
};

static struct held held[MAX_HELD];

static void record(int result, bool msg, const struct nlmsghdr *req)
{
	int e = -result;

	c.answered++;
	if (!result) {
		c.ok++;
		return;
	}
	if (e < 0 || e >= MAX_ERRNO)
		e = MAX_ERRNO - 1;
	c.by_errno[e]++;
	if (msg)
		c.with_msg[e]++;
	if ((e == EINVAL || e == ERANGE) && !msg) {
		c.no_extack++;
		if (verbose || c.no_extack <= 5) {
			fprintf(stderr, "# %s without an extack message, "
				"request:", strerror(e));
			for (unsigned int i = 0; i < req->nlmsg_len && i < 96; i++)
				fprintf(stderr, " %02x", ((const uint8_t *)req)[i]);
			fprintf(stderr, "\n");
		}
	}
}

static void age_held(void)
{
	for (int i = 0; i < MAX_HELD; i++) {
		if (held[i].s.nl && --held[i].ttl <= 0) {
			mnl_socket_close(held[i].s.nl);
			held[i].s.nl = NULL;
		}
	}
}

/* A dump started on a side socket, read once, left open or closed. */
static void half_read(struct nlmsghdr *nlh)
{
	struct held *h = &held[below(MAX_HELD)];
	bool msg;
	int result, r;

	if (h->s.nl)
		mnl_socket_close(h->s.nl);
	h->s.nl = NULL;
	if (sock_open(&h->s))
		return;
	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(h->s.nl, nlh, nlh->nlmsg_len) < 0)
		return;
	c.sent++;
	r = read_answer(&h->s, nlh->nlmsg_seq, 1, &result, &msg);
	if (r == 0) {
		record(result, msg, nlh);
	} else if (r < 0) {
		c.no_answer++;
		fprintf(stderr, "# no answer on a side socket\n");
	} else {
		c.answered++;
		c.half_read++;
	}
	if (one_in(3)) {
		if (r == 1)
			c.closed_pending++;
		mnl_socket_close(h->s.nl);
		h->s.nl = NULL;
	} else {
		h->ttl = 1 + below(200);
	}
}

/* Send and wait: 0 or -errno as answered, NO_ANSWER if none came. */
#define NO_ANSWER INT_MIN

static int send_one(struct sock *s, struct nlmsghdr *nlh)
{
	bool msg;
	int result;

	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "# send: %s\n", strerror(errno));
		return NO_ANSWER;
	}
	c.sent++;
	if (read_answer(s, nlh->nlmsg_seq, 0, &result, &msg)) {
		c.no_answer++;
		fprintf(stderr, "# no answer within %d ms to message %lu\n",
			ANSWER_MS, c.sent);
		return NO_ANSWER;
	}
	record(result, msg, nlh);
	return result;
}

static struct nlmsghdr *start(void *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = CONENAT_GENL_VERSION;
	return nlh;
}

/* GET_VERSION must still be answered with a reply and an ACK of 0. */
static bool probe(struct sock *s)
{
	static char buf[256];
	struct nlmsghdr *nlh = start(buf, CONENAT_CMD_GET_VERSION, 0);
	unsigned long before = c.ok;

	if (send_one(s, nlh) || c.ok != before + 1) {
		c.probe_failed++;
		fprintf(stderr, "# GET_VERSION failed after %lu messages\n",
			c.sent);
		return false;
	}
	return true;
}

static int resolve(struct sock *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *a;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CONENAT_GENL_NAME);
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return -1;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family = mnl_attr_get_u16(a);
	}
	return family ? 0 : -1;
}

static void remove_own(struct sock *s)
{
	static char buf[256];
	struct nlmsghdr *nlh;

	for (unsigned int i = 0; i < n_own; i++) {
		nlh = start(buf, CONENAT_CMD_DEL_NAT, 0);
		mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, names[i]);
		send_one(s, nlh);
	}
}

static void report(uint64_t seed, time_t began)
{
	printf("# %lu messages in %ld s (seed %llu): %lu answered, %lu ok, "
	       "%lu dumps, %lu dumps left half-read, %lu sockets closed with "
	       "a dump pending\n",
	       c.sent, (long)(time(NULL) - began), (unsigned long long)seed,
	       c.answered, c.ok, c.dumps, c.half_read, c.closed_pending);
	for (int e = 1; e < MAX_ERRNO; e++) {
		if (c.by_errno[e])
			printf("# -%s: %lu (%lu with an extack message)\n",
			       e == MAX_ERRNO - 1 ? "other" : strerrorname_np(e),
			       c.by_errno[e], c.with_msg[e]);
	}
	printf("# unanswered %lu, EINVAL/ERANGE without extack %lu, failed "
	       "probes %lu\n", c.no_answer, c.no_extack, c.probe_failed);
}

static int usage(FILE *f)
{
	fprintf(f, "usage: fuzz_netlink [-n COUNT] [-s SEED] [-N NAME]... [-v]\n");
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char buf[BUF_SIZE];
	unsigned long count = 10000, i;
	uint64_t seed = time(NULL) ^ getpid();
	time_t began = time(NULL);
	struct nlmsghdr *nlh;
	struct sock s;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:s:N:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-') {
				fprintf(stderr, "fuzz_netlink: bad count '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg) {
				fprintf(stderr, "fuzz_netlink: bad seed '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'N':
			if (n_names == MAX_NAMES || !*optarg ||
			    strlen(optarg) >= CONENAT_NAME_LEN) {
				fprintf(stderr, "fuzz_netlink: bad or too many "
					"names ('%s')\n", optarg);
				return 2;
			}
			names[n_names++] = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "fuzz_netlink: unexpected '%s'\n", argv[optind]);
		return usage(stderr);
	}
	rng_state = seed ? seed : 1;
	if (sock_open(&s) || resolve(&s)) {
		fprintf(stderr, "fuzz_netlink: no conenat family: %s\n",
			strerror(errno));
		return 2;
	}
	printf("# seed %llu, %lu messages\n", (unsigned long long)seed, count);
	fflush(stdout);

	for (i = 0; i < count; i++) {
		uint16_t flags = 0;
		uint8_t cmd = pick_cmd();

		if (cmd == CONENAT_CMD_GET_NAT || cmd == CONENAT_CMD_GET_MAP)
			flags = one_in(5) ? 0 : NLM_F_DUMP;
		else if (one_in(50))
			flags = NLM_F_DUMP;
		if (one_in(30))
			flags |= NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE;
		nlh = start(buf, cmd, flags);
		skeleton(nlh, cmd);
		for (unsigned int m = one_in(2) ? 0 : 1 + below(3); m; m--)
			mutate(nlh);
		if ((flags & NLM_F_DUMP) == NLM_F_DUMP) {
			c.dumps++;
			if (one_in(4)) {
				half_read(nlh);
				goto next;
			}
		}
		if (send_one(&s, nlh) == NO_ANSWER) {
			/* The socket may hold a late answer: start afresh. */
			mnl_socket_close(s.nl);
			if (sock_open(&s))
				return 2;
		}
next:
		age_held();
		if ((i + 1) % PROBE_EVERY == 0) {
			probe(&s);
			if (verbose) {
				printf("# %lu\n", i + 1);
				fflush(stdout);
			}
		}
	}
	for (i = 0; i < MAX_HELD; i++)
		if (held[i].s.nl)
			mnl_socket_close(held[i].s.nl);
	probe(&s);
	remove_own(&s);
	mnl_socket_close(s.nl);
	report(seed, began);
	return c.no_answer || c.no_extack || c.probe_failed ? 1 : 0;
}
