// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "print.h"

static bool json;
/* Per nesting level: does the next JSON value need a comma before it? */
static bool need_comma[32];
static unsigned int depth;

void print_init(bool as_json)
{
	json = as_json;
	depth = 0;
	need_comma[0] = false;
}

bool print_is_json(void)
{
	return json;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Comma and key before a value at the current level. */
static void json_key(const char *key)
{
	if (need_comma[depth])
		putchar(',');
	need_comma[depth] = true;
	if (key) {
		json_string(key);
		putchar(':');
	}
}

static void json_open(const char *key, char bracket)
{
	json_key(key);
	putchar(bracket);
	if (depth + 1 < sizeof(need_comma) / sizeof(need_comma[0]))
		depth++;
	need_comma[depth] = false;
}

static void json_close(char bracket)
{
	putchar(bracket);
	if (depth)
		depth--;
	if (!depth) {
		/* Each top-level value stands alone (one JSON object a line). */
		need_comma[0] = false;
		putchar('\n');
	}
}

void print_list_begin(void)
{
	if (json)
		json_open(NULL, '[');
}

void print_list_end(void)
{
	if (json)
		json_close(']');
}

void print_object_begin(const char *key)
{
	if (json)
		json_open(key, '{');
}

void print_object_end(void)
{
	if (json)
		json_close('}');
}

void print_array_begin(const char *key, const char *text)
{
	if (json)
		json_open(key, '[');
	else if (text)
		fputs(text, stdout);
}

void print_array_end(const char *text)
{
	if (json)
		json_close(']');
	else if (text)
		fputs(text, stdout);
}

void print_string(const char *key, const char *fmt, const char *value)
{
	if (json) {
		json_key(key);
		json_string(value);
	} else if (fmt) {
		printf(fmt, value);
	}
}

void print_uint(const char *key, const char *fmt, uint64_t value)
{
	if (json) {
		json_key(key);
		printf("%" PRIu64, value);
	} else if (fmt) {
		printf(fmt, value);
	}
}

void print_int(const char *key, const char *fmt, int64_t value)
{
	if (json) {
		json_key(key);
		printf("%" PRId64, value);
	} else if (fmt) {
		printf(fmt, value);
	}
}

void print_bool(const char *key, const char *fmt, bool value)
{
	if (json) {
		json_key(key);
		fputs(value ? "true" : "false", stdout);
	} else if (fmt && value) {
		fputs(fmt, stdout);
	}
}

void print_text(const char *text)
{
	if (!json)
		fputs(text, stdout);
}

void print_textf(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
