// SPDX-License-Identifier: GPL-2.0
/*
 * -batch FILE ("-" for standard input): one command per line, as
 * "ip -batch" reads them: words split at blanks, '...' and "..." quote,
 * a word starting with '#' starts a comment, blank lines are skipped.
 * The first command that fails stops the batch, its message prefixed
 * with FILE:LINE, and its exit code is conectl's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conectl.h"

int split_words(char *line, char **words, const char **why)
{
	char *in = line, *out;
	int n = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == MAX_WORDS) {
			*why = "more than 64 words";
			return -1;
		}
		words[n++] = out = in;
		for (; *in && (quote || !strchr(" \t\n\r", *in)); in++) {
			if (!quote && (*in == '\'' || *in == '"'))
				quote = *in;
			else if (quote && *in == quote)
				quote = 0;
			else
				*out++ = *in;
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

int run_batch(const char *file)
{
	const char *prog = report_prog, *why = NULL;
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *words[MAX_WORDS], *line = NULL, where[PATH_MAX + 64];
	unsigned int lineno = 0;
	size_t size = 0;
	int n, rc = 0;

	if (!f)
		return fail("-batch: cannot open \"%s\": %s", file, strerror(errno));
	while (!rc && getline(&line, &size, f) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s: %s:%u", prog, file, lineno);
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
	if (f != stdin)
		fclose(f);
	return rc;
}
