// SPDX-License-Identifier: GPL-2.0
/*
 * cone: the client side of NAT traversal, iproute2 style:
 * cone [-j] COMMAND [ARGS].  probe discovers a NAT's behaviour; the
 * command table leaves room for punch (ICE-style connectivity).
 */
#include <getopt.h>
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
	int (*fn)(int argc, char **argv);	/* argv[0]: the command */
} commands[] = {
	{ "probe", do_probe },
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	bool json = false;
	size_t i;
	int opt;

	report_prog = "cone";
	opterr = 0;
	/* "+": options end at the command, which parses its own. */
	while ((opt = getopt_long(argc, argv, "+jh", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_error("unknown option \"%s\", try \"cone help\"",
					   argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	print_init(json);
	if (argc == 0)
		return usage_error("no command given, try \"cone help\"");
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (matches(argv[0], commands[i].name))
			return commands[i].fn(argc, argv);
	return usage_error("unknown command \"%s\", try \"cone help\"", argv[0]);
}
