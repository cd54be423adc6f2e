// SPDX-License-Identifier: GPL-2.0
/*
 * cone: the client side of NAT traversal, iproute2 style:
 * cone [-j] COMMAND [ARGS].  probe discovers a NAT's behaviour; the
 * command table leaves room for punch (ICE-style connectivity).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cone.h"
#include "print.h"

const char *cone_prog = "cone";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: cone [ OPTIONS ] COMMAND { ARGS | help }\n"
		"where  COMMAND := { probe }\n"
		"       OPTIONS := { -j[son] | -h[elp] }\n");
}

static int vreport(int rc, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cone_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return rc;
}

int fail(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(1, fmt, ap);
	va_end(ap);
	return rc;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(2, fmt, ap);
	va_end(ap);
	return rc;
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
