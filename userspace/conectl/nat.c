// SPDX-License-Identifier: GPL-2.0
/*
 * conectl nat: add, change, delete and show NAT instances, keeping their
 * nftables rules (nft.c) in step with them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conectl.h"
#include "print.h"

/* Each timeout: its option, attribute, range and the RFC's minimum. */
static const struct nat_timeout_kind {
	const char *keyword;
	const char *json;
	uint16_t attr;
	uint32_t max;
	uint32_t rfc_min;
	const char *rfc;
} timeout_kinds[NAT_NTIMEOUTS] = {
	[NAT_TIMEOUT_UDP] = { "timeout", "timeout",
		CONENAT_A_NAT_UDP_TIMEOUT, 86400, 120, "RFC 4787 REQ-5" },
	[NAT_TIMEOUT_TCP] = { "tcp-timeout", "tcp_timeout",
		CONENAT_A_NAT_TCP_TIMEOUT, 604800, 7440, "RFC 5382 REQ-5" },
	[NAT_TIMEOUT_TCP_TRANSITORY] = { "tcp-transitory-timeout",
		"tcp_transitory_timeout",
		CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT, 86400, 240,
		"RFC 5382 REQ-5" },
	[NAT_TIMEOUT_ICMP] = { "icmp-timeout", "icmp_timeout",
		CONENAT_A_NAT_ICMP_TIMEOUT, 86400, 60, "RFC 5508 REQ-2" },
};

static int nat_help(int argc, char **argv)
{
	printf("Usage: conectl nat add NAME dev IFNAME [ OPTIONS ]\n"
	       "       conectl nat change NAME [ dev IFNAME ] [ OPTIONS ]\n"
	       "       conectl nat { del | delete } NAME\n"
	       "       conectl nat [ { show | list } [ NAME ] ]\n"
	       "where  OPTIONS := [ address ADDR[,ADDR...] ] [ ports LO-HI ]\n"
	       "                  [ mapping { eim | adm | apdm } ]\n"
	       "                  [ filtering { eif | adf | apdf } ]\n"
	       "                  [ tcp-filtering { eif | adf | apdf } ]\n"
	       "                  [ timeout SECONDS ] [ tcp-timeout SECONDS ]\n"
	       "                  [ tcp-transitory-timeout SECONDS ]\n"
	       "                  [ icmp-timeout SECONDS ] [ quarantine SECONDS ]\n"
	       "                  [ inbound-refresh { on | off } ]\n"
	       "                  [ port-alloc { preserve | random } ]\n"
	       "                  [ port-parity { on | off } ]\n"
	       "                  [ range-preservation { on | off } ]\n"
	       "                  [ mapping-limit COUNT ]\n"
	       "                  [ unsolicited-syn { reject | drop } ]\n"
	       "                  [ log-destinations { on | off } ]\n"
	       "                  [ attach { device | rules } ]\n");
	return 0;
}

int check_nat_name(const char *what, const char *name)
{
	if (!valid_nat_name(name))
		return usage_error("%s: invalid NAT name \"%s\" (1 to %d of A-Z a-z 0-9 _ -)",
				   what, name, CONENAT_NAME_LEN - 1);
	return 0;
}

int parse_name_args(const char *what, int argc, char **argv)
{
	if (argc < 1)
		return usage_error("%s: NAT name missing", what);
	if (argc > 1)
		return usage_error("%s: unexpected \"%s\"", what, argv[1]);
	return check_nat_name(what, argv[0]);
}

int parse_show_args(const char *what, int argc, char **argv,
		    const char **name)
{
	*name = argc ? argv[0] : NULL;
	if (argc > 1)
		return usage_error("%s: unexpected \"%s\"", what, argv[1]);
	return *name ? check_nat_name(what, *name) : 0;
}

static bool opt_dev(const char *value, struct nat *nat)
{
	if (!valid_ifname(value))
		return false;
	snprintf(nat->ifname, sizeof(nat->ifname), "%s", value);
	return true;
}

static bool opt_address(const char *value, struct nat *nat)
{
	nat->n_addrs = parse_addrs(value, nat->addrs, CONENAT_MAX_ADDRS);
	return nat->n_addrs > 0;
}

static bool opt_ports(const char *value, struct nat *nat)
{
	return parse_port_range(value, &nat->port_min, &nat->port_max);
}

static bool opt_mapping(const char *value, struct nat *nat)
{
	return parse_mapping(value, &nat->mapping);
}

static bool opt_filtering(const char *value, struct nat *nat)
{
	return parse_filtering(value, &nat->filtering);
}

static bool opt_tcp_filtering(const char *value, struct nat *nat)
{
	return parse_filtering(value, &nat->tcp_filtering);
}

static bool parse_timeout(const char *value, struct nat *nat,
			  enum nat_timeout kind)
{
	uint64_t seconds;

	if (!parse_uint(value, 1, timeout_kinds[kind].max, &seconds))
		return false;
	nat->timeouts[kind] = seconds;
	return true;
}

static bool opt_timeout(const char *value, struct nat *nat)
{
	return parse_timeout(value, nat, NAT_TIMEOUT_UDP);
}

static bool opt_tcp_timeout(const char *value, struct nat *nat)
{
	return parse_timeout(value, nat, NAT_TIMEOUT_TCP);
}

static bool opt_tcp_transitory_timeout(const char *value, struct nat *nat)
{
	return parse_timeout(value, nat, NAT_TIMEOUT_TCP_TRANSITORY);
}

static bool opt_icmp_timeout(const char *value, struct nat *nat)
{
	return parse_timeout(value, nat, NAT_TIMEOUT_ICMP);
}

static bool opt_quarantine(const char *value, struct nat *nat)
{
	uint64_t seconds;

	if (!parse_uint(value, 0, 3600, &seconds))
		return false;
	nat->quarantine = seconds;
	return true;
}

static bool opt_mapping_limit(const char *value, struct nat *nat)
{
	uint64_t count;

	if (!parse_uint(value, 0, UINT32_MAX, &count))
		return false;
	nat->mapping_limit = count;
	return true;
}

static void set_flag(struct nat *nat, uint32_t flag, bool on)
{
	nat->flags_mask |= flag;
	if (on)
		nat->flags |= flag;
	else
		nat->flags &= ~flag;
}

/* A flag option whose value is one of two words: on_word sets it. */
static bool parse_flag(const char *value, struct nat *nat, uint32_t flag,
		       const char *on_word, const char *off_word)
{
	bool on;

	if (!strcmp(value, on_word))
		on = true;
	else if (!strcmp(value, off_word))
		on = false;
	else
		return false;
	set_flag(nat, flag, on);
	return true;
}

struct nat_option {
	const char *keyword;
	enum nat_setting setting;
	bool (*parse)(const char *value, struct nat *nat);
	const char *expected;
};

static const struct nat_option nat_options[] = {
	{ "dev", NAT_DEV, opt_dev, "a device name, 1 to 15 characters" },
	{ "address", NAT_ADDRS, opt_address,
	  "1 to 16 IPv4 addresses, comma separated" },
	{ "ports", NAT_PORTS, opt_ports, "LO-HI, 1 <= LO <= HI <= 65535" },
	{ "mapping", NAT_MAPPING, opt_mapping, "eim, adm or apdm" },
	{ "filtering", NAT_FILTERING, opt_filtering, "eif, adf or apdf" },
	{ "tcp-filtering", NAT_TCP_FILTERING, opt_tcp_filtering,
	  "eif, adf or apdf" },
	{ "timeout", NAT_TIMEOUT << NAT_TIMEOUT_UDP, opt_timeout,
	  "seconds, 1 to 86400" },
	{ "tcp-timeout", NAT_TIMEOUT << NAT_TIMEOUT_TCP, opt_tcp_timeout,
	  "seconds, 1 to 604800" },
	{ "tcp-transitory-timeout", NAT_TIMEOUT << NAT_TIMEOUT_TCP_TRANSITORY,
	  opt_tcp_transitory_timeout, "seconds, 1 to 86400" },
	{ "icmp-timeout", NAT_TIMEOUT << NAT_TIMEOUT_ICMP, opt_icmp_timeout,
	  "seconds, 1 to 86400" },
	{ "quarantine", NAT_QUARANTINE, opt_quarantine, "seconds, 0 to 3600" },
	{ "mapping-limit", NAT_LIMIT, opt_mapping_limit,
	  "mappings per internal address, 0 (no limit) to 4294967295" },
	{ NULL, 0, NULL, NULL },
};

const struct nat_flag_option nat_flag_options[] = {
	{ "inbound-refresh", CONENAT_NAT_F_INBOUND_REFRESH, "on", "off" },
	{ "port-alloc", CONENAT_NAT_F_PORT_RANDOM, "random", "preserve" },
	{ "port-parity", CONENAT_NAT_F_PORT_PARITY, "on", "off" },
	{ "range-preservation", CONENAT_NAT_F_RANGE_PRESERVE, "on", "off" },
	{ "unsolicited-syn", CONENAT_NAT_F_SYN_SILENT, "drop", "reject" },
	{ "log-destinations", CONENAT_NAT_F_EVENT_DEST, "on", "off" },
	{ "attach", CONENAT_NAT_F_RULES, "rules", "device" },
	{ NULL, 0, NULL, NULL },
};

static const struct nat_option *find_option(const char *word)
{
	const struct nat_option *o;

	for (o = nat_options; o->keyword; o++)
		if (matches(word, o->keyword))
			return o;
	return NULL;
}

static const struct nat_flag_option *find_flag_option(const char *word)
{
	const struct nat_flag_option *f;

	for (f = nat_flag_options; f->keyword; f++)
		if (matches(word, f->keyword))
			return f;
	return NULL;
}

/* KEYWORD VALUE at argv: 0, or the exit code of a usage error. */
static int parse_nat_option(const char *what, char **argv, bool last,
			    struct nat *nat)
{
	const struct nat_flag_option *f = NULL;
	const struct nat_option *o;
	const char *keyword, *expected;
	unsigned int setting;
	char words[64];
	bool ok;

	o = find_option(argv[0]);
	if (!o)
		f = find_flag_option(argv[0]);
	if (!o && !f)
		return usage_error("%s: unknown option \"%s\", try \"conectl nat help\"",
				   what, argv[0]);
	keyword = o ? o->keyword : f->keyword;
	setting = o ? o->setting : NAT_FLAG * f->flag;
	if (nat->given & setting)
		return usage_error("%s: \"%s\" given twice", what, keyword);
	if (last)
		return usage_error("%s: \"%s\" needs a value", what, keyword);
	if (o) {
		ok = o->parse(argv[1], nat);
		expected = o->expected;
	} else {
		ok = parse_flag(argv[1], nat, f->flag, f->on, f->off);
		snprintf(words, sizeof(words), "%s or %s", f->on, f->off);
		expected = words;
	}
	if (!ok)
		return usage_error("%s: invalid %s \"%s\" (%s)", what, keyword,
				   argv[1], expected);
	nat->given |= setting;
	return 0;
}

int parse_nat_args(const char *what, int argc, char **argv, struct nat *nat)
{
	int i, rc;

	memset(nat, 0, sizeof(*nat));
	if (argc < 1)
		return usage_error("%s: NAT name missing", what);
	if (check_nat_name(what, argv[0]))
		return 2;
	snprintf(nat->name, sizeof(nat->name), "%s", argv[0]);
	for (i = 1; i < argc; i += 2) {
		rc = parse_nat_option(what, argv + i, i + 1 == argc, nat);
		if (rc)
			return rc;
	}
	return 0;
}

static void warn_short_timeout(const struct nat *nat)
{
	const struct nat_timeout_kind *k;
	int i;

	for (i = 0; i < NAT_NTIMEOUTS; i++) {
		k = &timeout_kinds[i];
		if (nat->given & NAT_TIMEOUT << i && nat->timeouts[i] < k->rfc_min)
			fprintf(stderr, "%s: warning: %s below %u s violates %s\n",
				conectl_prog, k->keyword, k->rfc_min, k->rfc);
	}
}

#define NAT_ALL_TIMEOUTS (((1U << NAT_NTIMEOUTS) - 1) * NAT_TIMEOUT)
#define NAT_ALL_SETTINGS (NAT_DEV | NAT_ADDRS | NAT_PORTS | NAT_MAPPING | \
			  NAT_FILTERING | NAT_TCP_FILTERING | NAT_QUARANTINE | \
			  NAT_LIMIT | NAT_ALL_TIMEOUTS | \
			  NAT_FLAG * __CONENAT_NAT_F_ALL)

void nat_given_all(struct nat *nat)
{
	nat->given = NAT_ALL_SETTINGS;
	nat->flags_mask = __CONENAT_NAT_F_ALL;
}

void nat_complete(struct nat *nat)
{
	static const uint32_t timeouts[NAT_NTIMEOUTS] = {
		CONENAT_DEFAULT_UDP_TIMEOUT, CONENAT_DEFAULT_TCP_TIMEOUT,
		CONENAT_DEFAULT_TCP_TRANSITORY_TIMEOUT,
		CONENAT_DEFAULT_ICMP_TIMEOUT,
	};
	int i;

	if (!(nat->given & NAT_ADDRS))
		nat->n_addrs = 0;
	if (!(nat->given & NAT_PORTS)) {
		nat->port_min = CONENAT_DEFAULT_PORT_MIN;
		nat->port_max = CONENAT_DEFAULT_PORT_MAX;
	}
	if (!(nat->given & NAT_MAPPING))
		nat->mapping = CONENAT_MAPPING_EIM;
	if (!(nat->given & NAT_FILTERING))
		nat->filtering = CONENAT_FILTERING_EIF;
	if (!(nat->given & NAT_TCP_FILTERING))
		nat->tcp_filtering = nat->filtering;
	for (i = 0; i < NAT_NTIMEOUTS; i++)
		if (!(nat->given & NAT_TIMEOUT << i))
			nat->timeouts[i] = timeouts[i];
	if (!(nat->given & NAT_QUARANTINE))
		nat->quarantine = CONENAT_DEFAULT_PORT_QUARANTINE;
	if (!(nat->given & NAT_LIMIT))
		nat->mapping_limit = 0;
	nat->flags &= nat->flags_mask;
	nat_given_all(nat);
}

bool nat_same(const struct nat *a, const struct nat *b)
{
	return !strcmp(a->ifname, b->ifname) && a->n_addrs == b->n_addrs &&
	       !memcmp(a->addrs, b->addrs, a->n_addrs * sizeof(a->addrs[0])) &&
	       a->port_min == b->port_min && a->port_max == b->port_max &&
	       a->mapping == b->mapping && a->filtering == b->filtering &&
	       a->tcp_filtering == b->tcp_filtering &&
	       !memcmp(a->timeouts, b->timeouts, sizeof(a->timeouts)) &&
	       a->quarantine == b->quarantine &&
	       a->mapping_limit == b->mapping_limit &&
	       (a->flags & __CONENAT_NAT_F_ALL) == (b->flags & __CONENAT_NAT_F_ALL);
}

void nat_save(FILE *f, const struct nat *nat)
{
	const struct nat_flag_option *o;
	char addr[INET_ADDRSTRLEN];
	unsigned int i;

	fprintf(f, "nat %s dev %s", nat->name, nat->ifname);
	for (i = 0; i < nat->n_addrs; i++)
		fprintf(f, "%s%s", i ? "," : " address ",
			inet_ntop(AF_INET, &nat->addrs[i], addr, sizeof(addr)));
	fprintf(f, " ports %u-%u mapping %s filtering %s tcp-filtering %s",
		nat->port_min, nat->port_max, mapping_name(nat->mapping),
		filtering_name(nat->filtering),
		filtering_name(nat->tcp_filtering));
	for (i = 0; i < NAT_NTIMEOUTS; i++)
		fprintf(f, " %s %u", timeout_kinds[i].keyword, nat->timeouts[i]);
	fprintf(f, " quarantine %u mapping-limit %u", nat->quarantine,
		nat->mapping_limit);
	for (o = nat_flag_options; o->keyword; o++)
		fprintf(f, " %s %s", o->keyword,
			nat->flags & o->flag ? o->on : o->off);
	fputc('\n', f);
}

static void put_addrs(struct nlmsghdr *nlh, const struct nat *nat)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, CONENAT_A_NAT_ADDRS);
	unsigned int i;

	for (i = 0; i < nat->n_addrs; i++)
		mnl_attr_put(nlh, CONENAT_A_ADDR, sizeof(nat->addrs[i]),
			     &nat->addrs[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* NEW_NAT or SET_NAT with the name and the settings given. */
static int send_nat(struct genl_sock *gs, uint8_t cmd, const struct nat *nat)
{
	struct nlmsghdr *nlh = genl_request(gs, cmd, 0);
	int i;

	mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, nat->name);
	if (nat->given & NAT_DEV)
		mnl_attr_put_strz(nlh, CONENAT_A_NAT_IFNAME, nat->ifname);
	/* None: the device's address, which only a new instance can take. */
	if (nat->given & NAT_ADDRS && nat->n_addrs)
		put_addrs(nlh, nat);
	if (nat->given & NAT_PORTS) {
		mnl_attr_put_u16(nlh, CONENAT_A_NAT_PORT_MIN, nat->port_min);
		mnl_attr_put_u16(nlh, CONENAT_A_NAT_PORT_MAX, nat->port_max);
	}
	if (nat->given & NAT_MAPPING)
		mnl_attr_put_u8(nlh, CONENAT_A_NAT_MAPPING, nat->mapping);
	if (nat->given & NAT_FILTERING)
		mnl_attr_put_u8(nlh, CONENAT_A_NAT_FILTERING, nat->filtering);
	if (nat->given & NAT_TCP_FILTERING)
		mnl_attr_put_u8(nlh, CONENAT_A_NAT_TCP_FILTERING,
				nat->tcp_filtering);
	if (nat->given & NAT_LIMIT)
		mnl_attr_put_u32(nlh, CONENAT_A_NAT_MAPPING_LIMIT,
				 nat->mapping_limit);
	for (i = 0; i < NAT_NTIMEOUTS; i++)
		if (nat->given & NAT_TIMEOUT << i)
			mnl_attr_put_u32(nlh, timeout_kinds[i].attr,
					 nat->timeouts[i]);
	if (nat->given & NAT_QUARANTINE)
		mnl_attr_put_u32(nlh, CONENAT_A_NAT_PORT_QUARANTINE,
				 nat->quarantine);
	if (nat->flags_mask) {
		mnl_attr_put_u32(nlh, CONENAT_A_NAT_FLAGS, nat->flags);
		mnl_attr_put_u32(nlh, CONENAT_A_NAT_FLAGS_MASK, nat->flags_mask);
	}
	return genl_transact(gs, nlh, NULL, NULL);
}

int nat_command(struct genl_sock *gs, uint8_t cmd, const char *name)
{
	struct nlmsghdr *nlh = genl_request(gs, cmd, 0);

	mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, name);
	return genl_transact(gs, nlh, NULL, NULL);
}

int nat_failed(struct genl_sock *gs, const char *what, int err)
{
	if (err == -ENOENT && !gs->errmsg[0])
		return fail("%s: no such NAT instance", what);
	return request_failed(gs, what, err);
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

static void read_addrs(const struct nlattr *nest, struct nat *nat)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == CONENAT_A_ADDR &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0 &&
		    nat->n_addrs < CONENAT_MAX_ADDRS)
			nat->addrs[nat->n_addrs++].s_addr = mnl_attr_get_u32(a);
	}
}

static void read_stats(const struct nlattr *nest, struct nat *nat)
{
	const struct nlattr *a;
	uint16_t type;

	mnl_attr_for_each_nested(a, nest) {
		type = mnl_attr_get_type(a);
		if (type <= CONENAT_STAT_MAX &&
		    mnl_attr_validate(a, MNL_TYPE_U64) == 0)
			nat->stats[type] = mnl_attr_get_u64(a);
	}
}

/* A GET_NAT reply into nat; false if it does not even name the instance. */
static bool read_nat(const struct nlmsghdr *nlh, struct nat *nat)
{
	const struct nlattr *tb[CONENAT_A_MAX + 1];
	int i;

	genl_parse(nlh, nat_attr_types, CONENAT_A_MAX, tb);
	if (!tb[CONENAT_A_NAT_NAME])
		return false;
	memset(nat, 0, sizeof(*nat));
	snprintf(nat->name, sizeof(nat->name), "%s",
		 attr_str(tb[CONENAT_A_NAT_NAME]));
	snprintf(nat->ifname, sizeof(nat->ifname), "%s",
		 attr_str(tb[CONENAT_A_NAT_IFNAME]));
	if (tb[CONENAT_A_NAT_ADDRS])
		read_addrs(tb[CONENAT_A_NAT_ADDRS], nat);
	nat->port_min = attr_u16(tb[CONENAT_A_NAT_PORT_MIN]);
	nat->port_max = attr_u16(tb[CONENAT_A_NAT_PORT_MAX]);
	nat->mapping = attr_u8(tb[CONENAT_A_NAT_MAPPING]);
	nat->filtering = attr_u8(tb[CONENAT_A_NAT_FILTERING]);
	nat->tcp_filtering = attr_u8(tb[CONENAT_A_NAT_TCP_FILTERING]);
	nat->mapping_limit = attr_u32(tb[CONENAT_A_NAT_MAPPING_LIMIT]);
	for (i = 0; i < NAT_NTIMEOUTS; i++)
		nat->timeouts[i] = attr_u32(tb[timeout_kinds[i].attr]);
	nat->flags = attr_u32(tb[CONENAT_A_NAT_FLAGS]);
	nat->quarantine = attr_u32(tb[CONENAT_A_NAT_PORT_QUARANTINE]);
	if (tb[CONENAT_A_NAT_STATS])
		read_stats(tb[CONENAT_A_NAT_STATS], nat);
	return true;
}

/* Each reply is copied out: the receive buffer is reused for the next. */
static int collect_nat(const struct nlmsghdr *nlh, void *data)
{
	struct nat_list *list = data;
	struct nat *v = realloc(list->v, (list->n + 1) * sizeof(*v));

	if (!v)
		return MNL_CB_ERROR;
	list->v = v;
	if (!read_nat(nlh, &v[list->n])) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	list->n++;
	return MNL_CB_OK;
}

int nat_list(struct genl_sock *gs, const char *name, struct nat_list *list)
{
	struct nlmsghdr *nlh;

	list->v = NULL;
	list->n = 0;
	nlh = genl_request(gs, CONENAT_CMD_GET_NAT, name ? 0 : NLM_F_DUMP);
	if (name)
		mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, name);
	return genl_transact(gs, nlh, collect_nat, list);
}

/* The instance called name, which must exist, into nat. */
int nat_get(struct genl_sock *gs, const char *name, struct nat *nat)
{
	struct nat_list list;
	int err = nat_list(gs, name, &list);

	if (!err && list.n != 1)
		err = -EBADMSG;
	if (!err)
		*nat = list.v[0];
	free(list.v);
	return err;
}

int show_nats(const char *what, const char *name,
	      void (*print)(const struct nat *nat))
{
	struct nat_list list;
	struct genl_sock gs;
	unsigned int i;
	int err;

	if (conenat_open(&gs))
		return 1;
	err = nat_list(&gs, name, &list);
	if (err) {
		err = nat_failed(&gs, what, err);
	} else {
		print_list_begin();
		for (i = 0; i < list.n; i++)
			print(&list.v[i]);
		print_list_end();
	}
	free(list.v);
	genl_close(&gs);
	return err;
}

/* Text shows what differs from the defaults; JSON shows everything. */
static void print_nat_flags(const struct nat *nat)
{
	bool random = nat->flags & CONENAT_NAT_F_PORT_RANDOM;
	bool silent = nat->flags & CONENAT_NAT_F_SYN_SILENT;
	bool rules = nat->flags & CONENAT_NAT_F_RULES;

	print_bool("inbound_refresh", " inbound-refresh",
		   nat->flags & CONENAT_NAT_F_INBOUND_REFRESH);
	print_string("port_alloc", random ? " port-alloc %s" : NULL,
		     random ? "random" : "preserve");
	print_bool("port_parity", " port-parity",
		   nat->flags & CONENAT_NAT_F_PORT_PARITY);
	print_bool("range_preservation", " range-preservation",
		   nat->flags & CONENAT_NAT_F_RANGE_PRESERVE);
	print_uint("mapping_limit",
		   nat->mapping_limit ? " mapping-limit %" PRIu64 : NULL,
		   nat->mapping_limit);
	print_string("unsolicited_syn", silent ? " unsolicited-syn %s" : NULL,
		     silent ? "drop" : "reject");
	print_bool("log_destinations", " log-destinations",
		   nat->flags & CONENAT_NAT_F_EVENT_DEST);
	print_string("attach", rules ? " attach %s" : NULL,
		     rules ? "rules" : "device");
}

static void print_nat(const struct nat *nat)
{
	char addr[INET_ADDRSTRLEN], fmt[64];
	unsigned int i;

	print_object_begin(NULL);
	print_string("name", "nat %s", nat->name);
	print_string("dev", " dev %s", nat->ifname);
	print_array_begin("addresses", nat->n_addrs ? " address " : NULL);
	for (i = 0; i < nat->n_addrs; i++)
		print_string(NULL, i ? ",%s" : "%s",
			     inet_ntop(AF_INET, &nat->addrs[i], addr,
				       sizeof(addr)));
	print_array_end(NULL);
	print_object_begin("ports");
	print_uint("min", " ports %" PRIu64, nat->port_min);
	print_uint("max", "-%" PRIu64, nat->port_max);
	print_object_end();
	print_string("mapping", " mapping %s", mapping_name(nat->mapping));
	print_string("filtering", " filtering %s",
		     filtering_name(nat->filtering));
	print_string("tcp_filtering", " tcp-filtering %s",
		     filtering_name(nat->tcp_filtering));
	for (i = 0; i < NAT_NTIMEOUTS; i++) {
		snprintf(fmt, sizeof(fmt), " %s %%" PRIu64,
			 timeout_kinds[i].keyword);
		print_uint(timeout_kinds[i].json, fmt, nat->timeouts[i]);
	}
	print_uint("quarantine", " quarantine %" PRIu64, nat->quarantine);
	print_nat_flags(nat);
	print_text("\n");
	print_object_end();
}

static int nat_show(int argc, char **argv)
{
	const char *name;
	int rc = parse_show_args("nat show", argc, argv, &name);

	return rc ? rc : show_nats("nat show", name, print_nat);
}

/* The rules could not be installed: do not leave the instance behind. */
static int undo_add(struct genl_sock *gs, const char *name)
{
	int err = nat_command(gs, CONENAT_CMD_DEL_NAT, name);

	if (err)
		request_failed(gs, "nat add: removing the instance again", err);
	return 1;
}

int create_nat(struct genl_sock *gs, const struct nat *nat)
{
	int err;

	/* The rules name the instance, so it must exist first. */
	err = send_nat(gs, CONENAT_CMD_NEW_NAT, nat);
	if (err)
		return nat_failed(gs, "nat add", err);
	if (nat->flags & CONENAT_NAT_F_RULES &&
	    nft_rules_set("nat add", nat->name, nat->ifname))
		return undo_add(gs, nat->name);
	return 0;
}

static int nat_add(int argc, char **argv)
{
	struct genl_sock gs;
	struct nat nat;
	int rc;

	rc = parse_nat_args("nat add", argc, argv, &nat);
	if (rc)
		return rc;
	if (!(nat.given & NAT_DEV))
		return usage_error("nat add: \"dev IFNAME\" is required");
	warn_short_timeout(&nat);
	if (conenat_open(&gs))
		return 1;
	rc = create_nat(&gs, &nat);
	genl_close(&gs);
	return rc;
}

/*
 * An instance attached by rules needs new ones for a new device, and
 * rules added or removed when it changes how it attaches.  Whatever
 * attaches the instance after the change is in place before what attached
 * it before goes, so its flows are never left untranslated: new rules go
 * first (put back as they were if the kernel refuses the change, which
 * leaves the instance as it was), old rules go last.
 */
int change_nat(struct genl_sock *gs, const struct nat *nat)
{
	bool old_rules, new_rules, add_rules;
	const char *ifname;
	struct nat old;
	int err;

	err = nat_get(gs, nat->name, &old);
	if (err)
		return nat_failed(gs, "nat change", err);
	ifname = nat->given & NAT_DEV ? nat->ifname : old.ifname;
	old_rules = old.flags & CONENAT_NAT_F_RULES;
	new_rules = nat->flags_mask & CONENAT_NAT_F_RULES ?
		    nat->flags & CONENAT_NAT_F_RULES : old_rules;
	add_rules = new_rules && (!old_rules || strcmp(old.ifname, ifname));
	if (add_rules && nft_rules_set("nat change", nat->name, ifname))
		return 1;
	err = send_nat(gs, CONENAT_CMD_SET_NAT, nat);
	if (err) {
		err = nat_failed(gs, "nat change", err);
		if (old_rules && add_rules)
			nft_rules_set("nat change: restoring the old rules",
				      nat->name, old.ifname);
		else if (add_rules)
			nft_rules_remove("nat change: removing the new rules",
					 nat->name);
		return err;
	}
	if (old_rules && !new_rules &&
	    nft_rules_remove("nat change", nat->name))
		return 1;
	return 0;
}

static int nat_change(int argc, char **argv)
{
	struct genl_sock gs;
	struct nat nat;
	int rc;

	rc = parse_nat_args("nat change", argc, argv, &nat);
	if (rc)
		return rc;
	if (!nat.given)
		return usage_error("nat change: nothing to change");
	warn_short_timeout(&nat);
	if (conenat_open(&gs))
		return 1;
	rc = change_nat(&gs, &nat);
	genl_close(&gs);
	return rc;
}

/*
 * Rules first, so that a failure leaves the instance whole: rules whose
 * instance is gone would pass packets on untranslated.
 */
int remove_nat(struct genl_sock *gs, const char *name)
{
	struct nat nat;
	int err;

	err = nat_get(gs, name, &nat);
	if (err)
		return nat_failed(gs, "nat del", err);
	if (nft_rules_remove("nat del", name))
		return 1;
	err = nat_command(gs, CONENAT_CMD_DEL_NAT, name);
	return err ? nat_failed(gs, "nat del", err) : 0;
}

static int nat_del(int argc, char **argv)
{
	struct genl_sock gs;
	int rc;

	rc = parse_name_args("nat del", argc, argv);
	if (rc)
		return rc;
	if (conenat_open(&gs))
		return 1;
	rc = remove_nat(&gs, argv[0]);
	genl_close(&gs);
	return rc;
}

static const struct conectl_cmd nat_cmds[] = {
	{ "show", nat_show },
	{ "add", nat_add },
	{ "change", nat_change },
	{ "del", nat_del },
	{ "delete", nat_del },
	{ "list", nat_show },
	{ "help", nat_help },
	{ NULL, NULL },
};

int do_nat(int argc, char **argv)
{
	return dispatch("nat", nat_cmds, argc, argv);
}
