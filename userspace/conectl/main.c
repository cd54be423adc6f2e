// SPDX-License-Identifier: GPL-2.0
/*
 * conectl: configure conenat, iproute2 style: conectl [-j] OBJECT COMMAND.
 * The options and the objects; each object's commands are in its file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/conenat.h>

#include "conectl.h"
#include "print.h"
#include "version.h"

const char *conectl_prog = "conectl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: conectl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       conectl [ OPTIONS ] -b[atch] FILE\n"
		"       conectl [ OPTIONS ] { save | apply FILE }\n"
		"where  OBJECT := { version | nat | map | stats | monitor }\n"
		"       OPTIONS := { -j[son] | -n[etns] NAME | -rcvbuf SIZE |\n"
		"                    -V[ersion] | -h[elp] }\n");
}

int dispatch(const char *object, const struct conectl_cmd *cmds, int argc,
	     char **argv)
{
	const struct conectl_cmd *c;

	if (argc == 0)
		return cmds[0].fn(0, argv);
	for (c = cmds; c->name; c++)
		if (matches(argv[0], c->name))
			return c->fn(argc - 1, argv + 1);
	return usage_error("unknown command \"%s\" for \"%s\", try \"conectl %s help\"",
			   argv[0], object, object);
}

int conenat_open(struct genl_sock *gs)
{
	int err = genl_open(gs, CONENAT_GENL_NAME);

	if (err == -ENOENT)
		return fail("the conenat module is not loaded (modprobe conenat)");
	if (err)
		return fail("cannot open generic netlink: %s", strerror(-err));
	return 0;
}

int request_failed(struct genl_sock *gs, const char *what, int err)
{
	if (gs->errmsg[0])
		return fail("%s: %s", what, gs->errmsg);
	if (err == -EPERM)
		return fail("%s: %s (CAP_NET_ADMIN needed)", what, strerror(-err));
	return fail("%s: %s", what, strerror(-err));
}

static const struct conectl_cmd objects[] = {
	{ "version", do_version },
	{ "nat", do_nat },
	{ "map", do_map },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
	{ "save", do_save },
	{ "apply", do_apply },
	{ NULL, NULL },
};

int run_command(int argc, char **argv)
{
	const struct conectl_cmd *o;

	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (o = objects; o->name; o++)
		if (matches(argv[0], o->name))
			return o->fn(argc - 1, argv + 1);
	return usage_error("unknown object \"%s\", try \"conectl help\"", argv[0]);
}

/* iproute2's options, one dash or two: -json, -j, --json. */
static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "netns", required_argument, NULL, 'n' },
	{ "batch", required_argument, NULL, 'b' },
	{ "rcvbuf", required_argument, NULL, 'r' },
	{ "Version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	const char *batch_file = NULL;
	bool json = false;
	int opt;

	report_prog = conectl_prog;
	opterr = 0;
	while ((opt = getopt_long_only(argc, argv, "+jn:b:r:Vh", options,
				       NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'n':
			if (netns_enter(optarg))
				return 1;
			break;
		case 'b':
			batch_file = optarg;
			break;
		case 'r':
			if (parse_rcvbuf(optarg))
				return usage_error("invalid -rcvbuf \"%s\" (bytes, 1 to 2147483647)",
						   optarg);
			break;
		case 'V':
			printf("conectl %s\n", CONENAT_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt && strchr("nbr", optopt))
				return usage_error("option \"%s\" needs an argument",
						   argv[optind - 1]);
			return usage_error("unknown option \"%s\", try \"conectl help\"",
					   argv[optind - 1]);
		}
	}
	print_init(json);
	if (batch_file) {
		if (optind < argc)
			return usage_error("-batch takes no command, got \"%s\"",
					   argv[optind]);
		return run_batch(batch_file);
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	return run_command(argc - optind, argv + optind);
}
