// SPDX-License-Identifier: GPL-2.0
/*
 * cone probe: RFC 5780 NAT behaviour discovery.  Mapping tests I-III from
 * one socket; filtering tests II and III from a fresh one, so that nothing
 * the mapping tests sent has opened it; hairpinning from a third socket to
 * the first one's mapping; port preservation from test I.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cone.h"
#include "print.h"

struct probe {
	struct sockaddr_storage server, local;
	struct probe_result r;
	int mapping_fd, filtering_fd, hairpin_fd;
	struct sockaddr_storage mapping_local, filtering_local;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cone probe [ -j ] [ --lifetime[=MAX] ] [ --local ADDR ] SERVER[:PORT]\n");
}

/* One Binding from fd to `to`, answered with a mapped address; 0 or -errno. */
static int binding(int fd, const struct sockaddr_storage *to,
		   struct transaction *t, struct sockaddr_storage *mapped)
{
	int err = transaction_init(t, fd, fd, to, 0, 0);

	if (err)
		return -EIO;
	transact(t, 1);
	return transaction_mapped(t, mapped);
}

static int no_answer(const struct sockaddr_storage *to, int err)
{
	char buf[SS_STRLEN];

	if (err == -EPROTO)
		return fail("%s answered with an error", ss_str(to, buf));
	return fail("no answer from %s", ss_str(to, buf));
}

/* Test I: the mapped address, and the server's other address. */
static int test_one(struct probe *p)
{
	struct probe_result *r = &p->r;
	char buf[SS_STRLEN];
	struct transaction t;
	struct stun_attr a;
	int err;

	err = binding(p->mapping_fd, &p->server, &t, &r->mapped);
	if (err)
		return no_answer(&p->server, err);
	r->nat = !ss_equal(&r->mapped, &p->mapping_local);
	r->port_preserved = ss_port(&r->mapped) == ss_port(&p->mapping_local);
	if (!stun_find(&t.msg, STUN_ATTR_OTHER_ADDRESS, &a) &&
	    !stun_find(&t.msg, STUN_ATTR_CHANGED_ADDRESS, &a))
		return fail("%s does not do RFC 5780 (no OTHER-ADDRESS): "
			    "it needs a second address", ss_str(&p->server, buf));
	if (stun_get_addr(&a, &r->other) ||
	    r->other.ss_family != p->server.ss_family ||
	    ss_same_addr(&r->other, &p->server) ||
	    ss_port(&r->other) == ss_port(&p->server))
		return fail("the server's OTHER-ADDRESS %s is not another "
			    "address and port", ss_str(&r->other, buf));
	return 0;
}

/* Tests II (other address, primary port) and III (other address and port). */
static int test_mapping(struct probe *p)
{
	struct sockaddr_storage to = p->r.other, x2, x3;
	struct transaction t;
	int err;

	ss_set_port(&to, ss_port(&p->server));
	err = binding(p->mapping_fd, &to, &t, &x2);
	if (err)
		return no_answer(&to, err);
	if (ss_equal(&x2, &p->r.mapped)) {
		p->r.mapping = EI;
		return 0;
	}
	err = binding(p->mapping_fd, &p->r.other, &t, &x3);
	if (err)
		return no_answer(&p->r.other, err);
	p->r.mapping = ss_equal(&x3, &x2) ? AD : APD;
	return 0;
}

/*
 * Filtering tests II (change IP and port) and III (change port) after a
 * test I from a fresh socket, at the same time as the hairpinning test.
 * The answers must come from where the flags say, or the server ignored
 * them and the verdict would be a lie.
 */
static int test_filtering_and_hairpin(struct probe *p)
{
	struct sockaddr_storage mapped, bound;
	char buf[SS_STRLEN], server[SS_STRLEN];
	struct transaction t[3];
	int err;

	err = binding(p->filtering_fd, &p->server, &t[0], &mapped);
	if (err)
		return no_answer(&p->server, err);
	if (transaction_init(&t[0], p->filtering_fd, p->filtering_fd,
			     &p->server, STUN_CHANGE_IP | STUN_CHANGE_PORT, 0) ||
	    transaction_init(&t[1], p->filtering_fd, p->filtering_fd,
			     &p->server, STUN_CHANGE_PORT, 0))
		return 1;
	p->hairpin_fd = udp_socket(&p->local, &bound);
	if (p->hairpin_fd < 0)
		return 1;
	/* The hairpinned request arrives, as a request, on the first socket. */
	if (transaction_init(&t[2], p->hairpin_fd, p->mapping_fd,
			     &p->r.mapped, 0, 0))
		return 1;
	transact(t, 3);

	if (t[0].answered && (ss_same_addr(&t[0].from, &p->server) ||
			      ss_port(&t[0].from) == ss_port(&p->server)))
		return fail("%s ignored CHANGE-REQUEST (answer from %s)",
			    ss_str(&p->server, server),
			    ss_str(&t[0].from, buf));
	if (t[1].answered && (!ss_same_addr(&t[1].from, &p->server) ||
			      ss_port(&t[1].from) == ss_port(&p->server)))
		return fail("%s ignored CHANGE-REQUEST (answer from %s)",
			    ss_str(&p->server, server),
			    ss_str(&t[1].from, buf));
	p->r.filtering = t[0].answered ? EI : t[1].answered ? AD : APD;
	p->r.hairpinning = t[2].answered;
	return 0;
}

static int open_sockets(struct probe *p)
{
	p->mapping_fd = udp_socket(&p->local, &p->mapping_local);
	if (p->mapping_fd < 0)
		return 1;
	p->filtering_fd = udp_socket(&p->local, &p->filtering_local);
	return p->filtering_fd < 0;
}

static void close_sockets(struct probe *p)
{
	if (p->mapping_fd >= 0)
		close(p->mapping_fd);
	if (p->filtering_fd >= 0)
		close(p->filtering_fd);
	if (p->hairpin_fd >= 0)
		close(p->hairpin_fd);
}

/* Options; the server argument into *server_arg.  0 or an exit code. */
static int parse_probe_args(int argc, char **argv, struct probe *p,
			    const char **server_arg, unsigned int *lifetime)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "lifetime", optional_argument, NULL, 'L' },
		{ "local", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *local = NULL;
	uint64_t max;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":jh", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			print_init(true);
			break;
		case 'L':
			/* --lifetime alone is 120 s; a value only as =N. */
			*lifetime = 120;
			if (optarg && !parse_uint(optarg, 2, 3600, &max))
				return usage_error("--lifetime: \"%s\" is not 2-3600 seconds",
						   optarg);
			if (optarg)
				*lifetime = max;
			break;
		case 'l':
			local = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return usage_error("option \"%s\" needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option \"%s\"",
					   argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (*server_arg)
			return usage_error("unexpected argument \"%s\"",
					   argv[optind]);
		*server_arg = argv[optind];
	}
	if (!*server_arg)
		return usage_error("no SERVER given, try \"cone probe help\"");
	if (local && !ss_parse_addr(local, &p->local))
		return usage_error("--local: invalid address \"%s\"", local);
	return 0;
}

int do_probe(int argc, char **argv)
{
	struct probe p = { .mapping_fd = -1, .filtering_fd = -1,
			   .hairpin_fd = -1 };
	const char *server_arg = NULL;
	unsigned int lifetime = 0;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	rc = parse_probe_args(argc, argv, &p, &server_arg, &lifetime);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = resolve_server(server_arg, &p.server);
	if (rc)
		return rc;
	if (!p.local.ss_family) {
		rc = local_address_for(&p.server, &p.local);
		if (rc)
			return rc;
	} else if (p.local.ss_family != p.server.ss_family) {
		return usage_error("--local: not the server's address family");
	}
	p.r.server = p.server;
	rc = open_sockets(&p) || test_one(&p) || test_mapping(&p) ||
	     test_filtering_and_hairpin(&p);
	p.r.local = p.mapping_local;
	close_sockets(&p);
	if (!rc && lifetime)
		rc = measure_lifetime(&p.server, &p.local, lifetime, &p.r);
	if (!rc)
		print_probe(&p.r);
	return rc;
}
