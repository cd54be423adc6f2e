// SPDX-License-Identifier: GPL-2.0
/*
 * -batch FILE ("-" for standard input): one command per line, as
 * "ip -batch" reads them: words split at blanks, '...' and "..." quote,
 * a word starting with '#' starts a comment, a trailing backslash
 * continues a line, blank lines are skipped.
 * The first command that fails stops the batch, its message prefixed
 * with FILE:LINE, and its exit code is conectl's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conectl.h"

int run_batch(const char *file)
{
	const char *prog = report_prog, *why = NULL;
	FILE *f = open_input(file);
	char *words[MAX_WORDS], *line = NULL, where[PATH_MAX + 64];
	unsigned int lineno = 0, first = 1;
	size_t size = 0;
	int n, rc = 0;

	if (!f)
		return fail("-batch: cannot open \"%s\": %s", file, strerror(errno));
	for (; !rc && read_line(f, &line, &size, &lineno) >= 0; first = lineno + 1) {
		snprintf(where, sizeof(where), "%s: %s:%u", prog, file, first);
		report_prog = where;
		n = split_words(line, words, &why);
		if (n < 0)
			rc = usage_error("%s", why);
		else if (n > 0)
			rc = run_command(n, words);
		fflush(stdout);
		report_prog = prog;
	}
	if (!rc && ferror(f))
		rc = fail("-batch: reading \"%s\": %s", file, strerror(errno));
	free(line);
	close_input(f);
	return rc;
}
