// SPDX-License-Identifier: GPL-2.0
/*
 * The lines of batch and configuration files: FILE or "-" for standard
 * input, logical lines (a trailing backslash continues one), and their
 * words (blanks separate, '...' and "..." quote, '#' starts a comment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "conectl.h"

FILE *open_input(const char *file)
{
	return strcmp(file, "-") ? fopen(file, "r") : stdin;
}

void close_input(FILE *f)
{
	if (f != stdin)
		fclose(f);
}

ssize_t read_line(FILE *f, char **buf, size_t *size,
			 unsigned int *lineno)
{
	char *part = NULL;
	size_t psize = 0, len = 0;
	ssize_t got;

	for (;;) {
		got = getline(&part, &psize, f);
		if (got < 0)
			break;
		(*lineno)++;
		while (got && (part[got - 1] == '\n' || part[got - 1] == '\r'))
			part[--got] = '\0';
		if (len + got + 2 > *size) {
			*size = len + got + 2;
			*buf = realloc(*buf, *size);
			if (!*buf)
				abort();
		}
		memcpy(*buf + len, part, got + 1);
		len += got;
		if (!got || (*buf)[len - 1] != '\\')
			break;
		(*buf)[len - 1] = ' ';
	}
	free(part);
	return got < 0 && !len ? -1 : (ssize_t)len;
}

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
