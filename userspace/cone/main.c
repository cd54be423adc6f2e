// SPDX-License-Identifier: GPL-2.0
/*
 * cone: the client side of NAT traversal, iproute2 style:
 * cone [-j] COMMAND [ARGS].  probe discovers a NAT's behaviour; the
 * command table leaves room for punch (ICE-style connectivity).
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cone.h"
#include "print.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cone [ OPTIONS ] COMMAND { ARGS | help }\n"
		"where  COMMAND := { probe }\n"
		"       OPTIONS := { -j[son] | -h[elp] }\n");
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "probe", do_probe },
};

int main(int argc, char **argv)
{
	bool json = false;
	size_t i;

	report_prog = "cone";

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		const char *opt = argv[0] + 1 + (argv[0][1] == '-');

		if (matches(opt, "json")) {
			json = true;
		} else if (matches(opt, "help")) {
			usage(stdout);
			return 0;
		} else {
			return usage_error("unknown option \"%s\", try \"cone help\"",
					   argv[0]);
		}
	}
	print_init(json);
	if (argc == 0)
		return usage_error("no command given, try \"cone help\"");
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (matches(argv[0], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return usage_error("unknown command \"%s\", try \"cone help\"", argv[0]);
}
