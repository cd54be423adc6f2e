// SPDX-License-Identifier: GPL-2.0
/*
 * conectl: configure conenat, iproute2 style: conectl [-j] OBJECT COMMAND.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/conenat.h>

#include "conectl.h"
#include "print.h"

const char *conectl_prog = "conectl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: conectl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { version | nat | map | stats | monitor }\n"
		"       OPTIONS := { -j[son] | -h[elp] }\n");
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
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const struct conectl_cmd *o;
	bool json = false;

	report_prog = conectl_prog;
	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		const char *opt = argv[0] + 1 + (argv[0][1] == '-');

		if (matches(opt, "json")) {
			json = true;
		} else if (matches(opt, "help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return usage_error("unknown option \"%s\"", argv[0]);
		}
	}
	print_init(json);
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (o = objects; o->name; o++)
		if (matches(argv[0], o->name))
			return o->fn(argc - 1, argv + 1);
	usage(stderr);
	return usage_error("unknown object \"%s\"", argv[0]);
}
