// SPDX-License-Identifier: GPL-2.0
/* conectl map: show and flush the mappings of NAT instances. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>

#include "conectl.h"
#include "print.h"

static int map_help(int argc, char **argv)
{
	printf("Usage: conectl map [ show [ NAME ] ]\n"
	       "       conectl map flush NAME\n");
	return 0;
}

static const enum mnl_attr_data_type reply_types[CONENAT_A_MAX + 1] = {
	[CONENAT_A_NAT_NAME]	= MNL_TYPE_NUL_STRING,
	[CONENAT_A_MAP]		= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type map_types[CONENAT_MAP_A_MAX + 1] = {
	[CONENAT_MAP_A_PROTO]		= MNL_TYPE_U8,
	[CONENAT_MAP_A_INT_ADDR]	= MNL_TYPE_U32,
	[CONENAT_MAP_A_INT_PORT]	= MNL_TYPE_U16,
	[CONENAT_MAP_A_EXT_ADDR]	= MNL_TYPE_U32,
	[CONENAT_MAP_A_EXT_PORT]	= MNL_TYPE_U16,
	[CONENAT_MAP_A_REM_ADDR]	= MNL_TYPE_U32,
	[CONENAT_MAP_A_REM_PORT]	= MNL_TYPE_U16,
	[CONENAT_MAP_A_EXPIRES_MS]	= MNL_TYPE_U32,
	[CONENAT_MAP_A_PKTS_OUT]	= MNL_TYPE_U64,
	[CONENAT_MAP_A_PKTS_IN]		= MNL_TYPE_U64,
	[CONENAT_MAP_A_PERMITS]		= MNL_TYPE_NESTED,
	[CONENAT_MAP_A_EXPIRED]		= MNL_TYPE_FLAG,
	[CONENAT_MAP_A_DEST_ADDR]	= MNL_TYPE_U32,
	[CONENAT_MAP_A_DEST_PORT]	= MNL_TYPE_U16,
};

static const enum mnl_attr_data_type permit_types[CONENAT_PERMIT_A_MAX + 1] = {
	[CONENAT_PERMIT_A_ADDR]	= MNL_TYPE_U32,
	[CONENAT_PERMIT_A_PORT]	= MNL_TYPE_U16,
};

static const char *proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_ICMP:
		return "icmp";
	}
	snprintf(buf, size, "%u", proto);
	return buf;
}

/* ADDR:PORT, or ADDR:* when the port is not part of it. */
static void print_endpoint(const char *key, const struct nlattr *addr,
			   const struct nlattr *port)
{
	struct in_addr a = { .s_addr = attr_u32(addr) };
	char buf[INET_ADDRSTRLEN];

	print_object_begin(key);
	print_string("addr", "%s", inet_ntop(AF_INET, &a, buf, sizeof(buf)));
	if (port)
		print_uint("port", ":%" PRIu64, attr_u16(port));
	else
		print_text(":*");
	print_object_end();
}

/* The permits, comma separated; false if there are none. */
static bool print_permit_list(const struct nlattr *permits)
{
	const struct nlattr *p, *tb[CONENAT_PERMIT_A_MAX + 1];
	bool any = false;

	mnl_attr_for_each_nested(p, permits) {
		if (mnl_attr_get_type(p) != CONENAT_MAP_A_PERMIT)
			continue;
		genl_parse_nested(p, permit_types, CONENAT_PERMIT_A_MAX, tb);
		if (!tb[CONENAT_PERMIT_A_ADDR])
			continue;
		if (any)
			print_text(",");
		print_endpoint(NULL, tb[CONENAT_PERMIT_A_ADDR],
			       tb[CONENAT_PERMIT_A_PORT]);
		any = true;
	}
	return any;
}

static void print_permits(const struct nlattr *permits)
{
	print_array_begin("permits", " permits ");
	if (!permits || !print_permit_list(permits))
		print_text("-");
	print_array_end(NULL);
}

/* Milliseconds in JSON; whole seconds, rounded up, in text. */
static void print_expiry(uint32_t ms)
{
	if (print_is_json())
		print_uint("expires_ms", NULL, ms);
	else
		print_uint(NULL, " expires %" PRIu64 "s", (ms + 999ULL) / 1000);
}

/* "nat NAME PROTO INTERNAL -> EXTERNAL", shared by map show and monitor. */
static void print_identity(const char *nat, const struct nlattr **m)
{
	char buf[4];

	print_string("nat", "nat %s ", nat);
	print_string("proto", "%s ",
		     proto_name(attr_u8(m[CONENAT_MAP_A_PROTO]), buf,
				sizeof(buf)));
	print_endpoint("internal", m[CONENAT_MAP_A_INT_ADDR],
		       m[CONENAT_MAP_A_INT_PORT]);
	print_text(" -> ");
	print_endpoint("external", m[CONENAT_MAP_A_EXT_ADDR],
		       m[CONENAT_MAP_A_EXT_PORT]);
}

static void print_map(const char *nat, const struct nlattr **m)
{
	print_object_begin(NULL);
	print_identity(nat, m);
	if (m[CONENAT_MAP_A_REM_ADDR]) {
		print_text(" remote ");
		print_endpoint("remote", m[CONENAT_MAP_A_REM_ADDR],
			       m[CONENAT_MAP_A_REM_PORT]);
	}
	print_permits(m[CONENAT_MAP_A_PERMITS]);
	print_uint("packets_out", " out %" PRIu64,
		   attr_u64(m[CONENAT_MAP_A_PKTS_OUT]));
	print_uint("packets_in", " in %" PRIu64,
		   attr_u64(m[CONENAT_MAP_A_PKTS_IN]));
	print_expiry(attr_u32(m[CONENAT_MAP_A_EXPIRES_MS]));
	print_text("\n");
	print_object_end();
}

/* One GET_MAP reply, one mapping: printed as it comes. */
static int map_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	const struct nlattr *m[CONENAT_MAP_A_MAX + 1];

	genl_parse(nlh, reply_types, CONENAT_A_MAX, tb);
	if (!tb[CONENAT_A_NAT_NAME] || !tb[CONENAT_A_MAP])
		goto bad;
	genl_parse_nested(tb[CONENAT_A_MAP], map_types, CONENAT_MAP_A_MAX, m);
	if (!m[CONENAT_MAP_A_INT_ADDR] || !m[CONENAT_MAP_A_INT_PORT] ||
	    !m[CONENAT_MAP_A_EXT_ADDR] || !m[CONENAT_MAP_A_EXT_PORT])
		goto bad;
	print_map(mnl_attr_get_str(tb[CONENAT_A_NAT_NAME]), m);
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int dump_maps(struct genl_sock *gs, const char *name)
{
	struct nlmsghdr *nlh = genl_request(gs, CONENAT_CMD_GET_MAP,
					    NLM_F_DUMP);

	mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, name);
	return genl_transact(gs, nlh, map_cb, NULL);
}

/* The instances are listed first: a dump cannot run inside another. */
static int show_maps(struct genl_sock *gs, const char *name)
{
	struct nat_list list;
	unsigned int i;
	int err;

	err = nat_list(gs, name, &list);
	if (!err) {
		print_list_begin();
		for (i = 0; !err && i < list.n; i++)
			err = dump_maps(gs, list.v[i].name);
		print_list_end();
	}
	free(list.v);
	return err ? nat_failed(gs, "map show", err) : 0;
}

static int map_show(int argc, char **argv)
{
	struct genl_sock gs;
	const char *name;
	int rc;

	rc = parse_show_args("map show", argc, argv, &name);
	if (rc)
		return rc;
	if (conenat_open(&gs))
		return 1;
	rc = show_maps(&gs, name);
	genl_close(&gs);
	return rc;
}

static int map_flush(int argc, char **argv)
{
	struct genl_sock gs;
	int err;

	err = parse_name_args("map flush", argc, argv);
	if (err)
		return err;
	if (conenat_open(&gs))
		return 1;
	err = nat_command(&gs, CONENAT_CMD_FLUSH_MAP, argv[0]);
	if (err)
		err = nat_failed(&gs, "map flush", err);
	genl_close(&gs);
	return err;
}

static const struct conectl_cmd map_cmds[] = {
	{ "show", map_show },
	{ "flush", map_flush },
	{ "list", map_show },
	{ "help", map_help },
	{ NULL, NULL },
};

int do_map(int argc, char **argv)
{
	return dispatch("map", map_cmds, argc, argv);
}

/*
 * The monitor's receive buffer: large by default, since a CGN logs from
 * it and a burst of new mappings must not overflow it; SO_RCVBUFFORCE
 * where conectl may exceed rmem_max (CAP_NET_ADMIN), else SO_RCVBUF.
 */
static int monitor_rcvbuf = 8 << 20;

int parse_rcvbuf(const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || !v || v > INT_MAX || *arg == '-')
		return -1;
	monitor_rcvbuf = (int)v;
	return 0;
}

/*
 * Events are numbered (nlmsg_seq) per namespace: a gap is how many this
 * socket lost, to a full receive buffer (recv then fails with ENOBUFS,
 * once) or to the kernel's memory.
 */
struct monitor {
	uint32_t next_seq;
	bool started;
	unsigned long long lost;
};

static void count_lost(struct monitor *mon, uint32_t seq)
{
	uint32_t gap = seq - mon->next_seq;

	if (mon->started && gap && gap < UINT32_MAX / 2) {
		mon->lost += gap;
		fprintf(stderr, "%s: monitor: %u events lost (%llu in all): try a larger -rcvbuf\n",
			report_prog, gap, mon->lost);
	}
	mon->started = true;
	mon->next_seq = seq + 1;
}

/*
 * An event: "new" or "del", when, and the mapping without its remotes, but
 * for the destination that made it when the instance logs destinations.
 */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	const struct nlattr *m[CONENAT_MAP_A_MAX + 1];
	char when[32];
	time_t now = time(NULL);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)))
		return MNL_CB_OK;
	if (g->cmd != CONENAT_CMD_NEW_MAP && g->cmd != CONENAT_CMD_DEL_MAP)
		return MNL_CB_OK;
	count_lost(data, nlh->nlmsg_seq);
	genl_parse(nlh, reply_types, CONENAT_A_MAX, tb);
	if (!tb[CONENAT_A_NAT_NAME] || !tb[CONENAT_A_MAP])
		return MNL_CB_OK;
	genl_parse_nested(tb[CONENAT_A_MAP], map_types, CONENAT_MAP_A_MAX, m);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	print_object_begin(NULL);
	print_string("time", "%s ", when);
	print_string("event", "%s ", g->cmd == CONENAT_CMD_NEW_MAP ? "new" : "del");
	print_identity(attr_str(tb[CONENAT_A_NAT_NAME]), m);
	if (m[CONENAT_MAP_A_DEST_ADDR]) {
		print_text(" destination ");
		print_endpoint("destination", m[CONENAT_MAP_A_DEST_ADDR],
			       m[CONENAT_MAP_A_DEST_PORT]);
	}
	if (g->cmd == CONENAT_CMD_DEL_MAP)
		print_bool("expired", " expired", m[CONENAT_MAP_A_EXPIRED]);
	print_text("\n");
	print_object_end();
	fflush(stdout);
	return MNL_CB_OK;
}

static void set_rcvbuf(struct genl_sock *gs)
{
	int fd = mnl_socket_get_fd(gs->nl);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &monitor_rcvbuf,
		       sizeof(monitor_rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &monitor_rcvbuf,
			   sizeof(monitor_rcvbuf));
}

int do_monitor(int argc, char **argv)
{
	struct monitor mon = { 0 };
	struct genl_sock gs;
	int err;

	if (argc > 0 && matches(argv[0], "help")) {
		printf("Usage: conectl [ -j ] [ -rcvbuf SIZE ] monitor\n");
		return 0;
	}
	if (argc > 0)
		return usage_error("monitor: unexpected \"%s\"", argv[0]);
	if (conenat_open(&gs))
		return 1;
	set_rcvbuf(&gs);
	err = genl_join(&gs, CONENAT_GENL_NAME, CONENAT_MCGRP_EVENTS);
	/* An overflow loses events, which the next one's number counts. */
	while (!err || err == -ENOBUFS)
		err = genl_listen(&gs, event_cb, &mon);
	genl_close(&gs);
	return request_failed(&gs, "monitor", err);
}
