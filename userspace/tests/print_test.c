// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the text/JSON print path and argument parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "args.h"
#include "print.h"

/* Run fn with stdout captured; returns the text (caller frees). */
static char *capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *buf = calloc(1, 4096);

	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	fn();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	if (fread(buf, 1, 4095, tmp) == 0)
		buf[0] = '\0';
	fclose(tmp);
	return buf;
}

static void sample(void)
{
	print_list_begin();
	print_object_begin(NULL);
	print_string("name", "nat %s", "wan\"1\\");
	print_uint("timeout", " timeout %llu", 300);
	print_array_begin("remotes", " remotes");
	print_string(NULL, " %s", "198.51.100.1:3478");
	print_string(NULL, " %s", "198.51.100.2:3478");
	print_array_end("\n");
	print_bool("hairpin", NULL, true);
	print_object_end();
	print_object_begin(NULL);
	print_int("delta", "delta %lld\n", -5);
	print_object_end();
	print_list_end();
}

TEST(json_list_of_objects)
{
	char *out;

	print_init(true);
	out = capture(sample);
	ASSERT_STREQ("[{\"name\":\"wan\\\"1\\\\\",\"timeout\":300,"
		     "\"remotes\":[\"198.51.100.1:3478\",\"198.51.100.2:3478\"],"
		     "\"hairpin\":true},{\"delta\":-5}]\n", out);
	free(out);
}

TEST(text_uses_formats)
{
	char *out;

	print_init(false);
	out = capture(sample);
	ASSERT_STREQ("nat wan\"1\\ timeout 300 remotes 198.51.100.1:3478"
		     " 198.51.100.2:3478\ndelta -5\n", out);
	free(out);
}

static void control_chars(void)
{
	print_object_begin(NULL);
	print_string("s", NULL, "a\nb\x01");
	print_object_end();
}

TEST(json_escapes_control_characters)
{
	char *out;

	print_init(true);
	out = capture(control_chars);
	ASSERT_STREQ("{\"s\":\"a\\u000ab\\u0001\"}\n", out);
	free(out);
}

TEST(prefix_matching)
{
	ASSERT_TRUE(matches("v", "version"));
	ASSERT_TRUE(matches("version", "version"));
	ASSERT_FALSE(matches("versions", "version"));
	ASSERT_FALSE(matches("", "version"));
	ASSERT_FALSE(matches("x", "version"));
}

TEST(uint_parsing_is_strict)
{
	uint64_t v;

	ASSERT_TRUE(parse_uint("300", 1, 1000, &v));
	ASSERT_EQ((uint64_t)300, v);
	ASSERT_FALSE(parse_uint("0", 1, 1000, &v));
	ASSERT_FALSE(parse_uint("1001", 1, 1000, &v));
	ASSERT_FALSE(parse_uint("-1", 0, 1000, &v));
	ASSERT_FALSE(parse_uint("+1", 0, 1000, &v));
	ASSERT_FALSE(parse_uint("12x", 0, 1000, &v));
	ASSERT_FALSE(parse_uint("", 0, 1000, &v));
	ASSERT_FALSE(parse_uint("99999999999999999999999", 0, UINT64_MAX, &v));
}

TEST_HARNESS_MAIN
