// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the address helpers cone and coned share. */
#include <arpa/inet.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sockaddr.h"

TEST(endpoints)
{
	struct sockaddr_storage ss;
	char buf[SS_STRLEN];

	ASSERT_TRUE(ss_parse_endpoint("203.0.113.10", 3478, &ss));
	ASSERT_STREQ("203.0.113.10:3478", ss_str(&ss, buf));
	ASSERT_TRUE(ss_parse_endpoint("203.0.113.10:53", 3478, &ss));
	ASSERT_EQ(53, ss_port(&ss));
	ASSERT_TRUE(ss_parse_endpoint("2001:db8::1", 3478, &ss));
	ASSERT_STREQ("[2001:db8::1]:3478", ss_str(&ss, buf));
	ASSERT_TRUE(ss_parse_endpoint("[2001:db8::1]:3479", 3478, &ss));
	ASSERT_EQ(3479, ss_port(&ss));
	ASSERT_STREQ("2001:db8::1", ss_addr_str(&ss, buf));
	ASSERT_TRUE(ss_parse_endpoint("[2001:db8::1]", 3478, &ss));
	ASSERT_EQ(3478, ss_port(&ss));

	ASSERT_FALSE(ss_parse_endpoint("", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint(":3478", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("203.0.113.10:", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("203.0.113.10:0", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("203.0.113.10:65536", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("203.0.113.10:34x", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("203.0.113.256", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("[2001:db8::1", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("[2001:db8::1]x", 3478, &ss));
	ASSERT_FALSE(ss_parse_endpoint("[203.0.113.10]:1", 3478, &ss) &&
		     ss.ss_family != AF_INET);
	ASSERT_FALSE(ss_parse_endpoint("stun.example.org", 3478, &ss));
}

TEST(comparisons)
{
	struct sockaddr_storage a, b;

	ASSERT_TRUE(ss_parse_endpoint("192.0.2.1:1", 0, &a));
	ASSERT_TRUE(ss_parse_endpoint("192.0.2.1:2", 0, &b));
	ASSERT_TRUE(ss_same_addr(&a, &b));
	ASSERT_FALSE(ss_equal(&a, &b));
	ss_set_port(&b, 1);
	ASSERT_TRUE(ss_equal(&a, &b));
	ASSERT_TRUE(ss_parse_endpoint("[::ffff:192.0.2.1]:1", 0, &b));
	ASSERT_FALSE(ss_same_addr(&a, &b));
	ASSERT_EQ(sizeof(struct sockaddr_in6), ss_len(&b));
	ASSERT_EQ(sizeof(struct sockaddr_in), ss_len(&a));
}

TEST_HARNESS_MAIN
