// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the parsers for conectl's option values. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/conenat.h>

#include "kselftest_harness.h"
#include "args.h"

TEST(nat_names)
{
	ASSERT_TRUE(valid_nat_name("wan0"));
	ASSERT_TRUE(valid_nat_name("a"));
	ASSERT_TRUE(valid_nat_name("Cone_NAT-2"));
	ASSERT_TRUE(valid_nat_name("fifteen_chars_x"));
	ASSERT_FALSE(valid_nat_name("sixteen_chars_xx"));
	ASSERT_FALSE(valid_nat_name(""));
	ASSERT_FALSE(valid_nat_name("wan 0"));
	ASSERT_FALSE(valid_nat_name("wan.0"));
	ASSERT_FALSE(valid_nat_name("wan/0"));
	ASSERT_FALSE(valid_nat_name("wän"));
}

TEST(device_names)
{
	ASSERT_TRUE(valid_ifname("eth0"));
	ASSERT_TRUE(valid_ifname("enp3s0f1.100"));
	ASSERT_TRUE(valid_ifname("fifteen_chars_x"));
	ASSERT_FALSE(valid_ifname("sixteen_chars_xx"));
	ASSERT_FALSE(valid_ifname(""));
	ASSERT_FALSE(valid_ifname("."));
	ASSERT_FALSE(valid_ifname(".."));
	ASSERT_FALSE(valid_ifname("eth/0"));
	ASSERT_FALSE(valid_ifname("eth:0"));
	ASSERT_FALSE(valid_ifname("eth 0"));
}

TEST(address_lists)
{
	struct in_addr a[CONENAT_MAX_ADDRS];

	ASSERT_EQ(1U, parse_addrs("203.0.113.1", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(htonl(0xcb007101), a[0].s_addr);
	ASSERT_EQ(2U, parse_addrs("203.0.113.1,198.51.100.7", a,
				  CONENAT_MAX_ADDRS));
	ASSERT_EQ(htonl(0xc6336407), a[1].s_addr);
	ASSERT_EQ(0U, parse_addrs("", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs(",", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113.1,", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs(",203.0.113.1", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113.1,,203.0.113.2", a,
				  CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113.256", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113.1 ", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("2001:db8::1", a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(0U, parse_addrs("203.0.113.1111111", a, CONENAT_MAX_ADDRS));
}

TEST(address_list_limit)
{
	struct in_addr a[CONENAT_MAX_ADDRS];
	char list[CONENAT_MAX_ADDRS * 16 + 16] = "";
	unsigned int i;

	for (i = 0; i < CONENAT_MAX_ADDRS; i++)
		sprintf(list + strlen(list), "%s10.0.0.%u", i ? "," : "", i + 1);
	ASSERT_EQ((unsigned int)CONENAT_MAX_ADDRS,
		  parse_addrs(list, a, CONENAT_MAX_ADDRS));
	ASSERT_EQ(htonl(0x0a000010), a[CONENAT_MAX_ADDRS - 1].s_addr);
	strcat(list, ",10.0.0.99");
	ASSERT_EQ(0U, parse_addrs(list, a, CONENAT_MAX_ADDRS));
}

TEST(port_ranges)
{
	uint16_t lo, hi;

	ASSERT_TRUE(parse_port_range("1024-65535", &lo, &hi));
	ASSERT_EQ(1024, lo);
	ASSERT_EQ(65535, hi);
	ASSERT_TRUE(parse_port_range("1-1", &lo, &hi));
	ASSERT_EQ(1, lo);
	ASSERT_EQ(1, hi);
	ASSERT_FALSE(parse_port_range("0-100", &lo, &hi));
	ASSERT_FALSE(parse_port_range("100-65536", &lo, &hi));
	ASSERT_FALSE(parse_port_range("200-100", &lo, &hi));
	ASSERT_FALSE(parse_port_range("1024", &lo, &hi));
	ASSERT_FALSE(parse_port_range("-100", &lo, &hi));
	ASSERT_FALSE(parse_port_range("100-", &lo, &hi));
	ASSERT_FALSE(parse_port_range("1-2-3", &lo, &hi));
	ASSERT_FALSE(parse_port_range("0000001-2", &lo, &hi));
	ASSERT_FALSE(parse_port_range("a-b", &lo, &hi));
}

TEST(on_off)
{
	bool on = false;

	ASSERT_TRUE(parse_on_off("on", &on));
	ASSERT_TRUE(on);
	ASSERT_TRUE(parse_on_off("off", &on));
	ASSERT_FALSE(on);
	ASSERT_FALSE(parse_on_off("o", &on));
	ASSERT_FALSE(parse_on_off("yes", &on));
}

TEST(behaviour_names)
{
	uint8_t v;

	ASSERT_TRUE(parse_mapping("eim", &v));
	ASSERT_EQ(CONENAT_MAPPING_EIM, v);
	ASSERT_TRUE(parse_mapping("adm", &v));
	ASSERT_EQ(CONENAT_MAPPING_ADM, v);
	ASSERT_TRUE(parse_mapping("apdm", &v));
	ASSERT_EQ(CONENAT_MAPPING_APDM, v);
	ASSERT_FALSE(parse_mapping("a", &v));
	ASSERT_FALSE(parse_mapping("eif", &v));
	ASSERT_TRUE(parse_filtering("eif", &v));
	ASSERT_EQ(CONENAT_FILTERING_EIF, v);
	ASSERT_TRUE(parse_filtering("adf", &v));
	ASSERT_EQ(CONENAT_FILTERING_ADF, v);
	ASSERT_TRUE(parse_filtering("apdf", &v));
	ASSERT_EQ(CONENAT_FILTERING_APDF, v);
	ASSERT_FALSE(parse_filtering("EIF", &v));
	ASSERT_STREQ("apdm", mapping_name(CONENAT_MAPPING_APDM));
	ASSERT_STREQ("adf", filtering_name(CONENAT_FILTERING_ADF));
	ASSERT_STREQ("unknown", mapping_name(CONENAT_MAPPING_MAX + 1));
	ASSERT_STREQ("unknown", filtering_name(CONENAT_FILTERING_MAX + 1));
}

TEST_HARNESS_MAIN
