// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the STUN library: RFC 5769's test vectors, messages built
 * and parsed back, and malformed input refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "stun.h"

/* RFC 5769 section 2.1: request with short-term credentials. */
static const char sample_request[] =
	"000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420"
	"636c69656e74002400046e0001ff80290008932ff9b151263b3600060009657674"
	"6a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280"
	"280004e57a3bcf";
/* 2.2: IPv4 response; 2.3: IPv6 response. */
static const char sample_ipv4_response[] =
	"0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f"
	"7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53"
	"f06be7d780280004c07d4c96";
static const char sample_ipv6_response[] =
	"010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f"
	"7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e"
	"4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c";
/* 2.4: request with long-term credentials (no FINGERPRINT). */
static const char sample_long_term[] =
	"000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae3"
	"8383e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c3946"
	"53547679363473410014000b6578616d706c652e6f72670000080014f67024656dd6"
	"4a3e02b8e0712e85c9a28ca89666";
static const char short_term_password[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* Decode hex into buf; the length. */
static size_t unhex(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[1] && n < cap && sscanf(hex, "%2x", &byte) == 1) {
		buf[n++] = byte;
		hex += 2;
	}
	return n;
}

static const uint8_t *key_of(const char *s)
{
	return (const uint8_t *)s;
}

TEST(rfc5769_request)
{
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[256];
	size_t len = unhex(sample_request, buf, sizeof(buf));
	char text[64];
	uint32_t v;

	ASSERT_EQ(108U, len);
	ASSERT_EQ(0, stun_parse(&m, buf, len, false));
	ASSERT_EQ(STUN_BINDING, stun_method(m.type));
	ASSERT_EQ(STUN_REQUEST, stun_class(m.type));
	ASSERT_FALSE(m.legacy);
	ASSERT_NE(0U, m.fingerprint_at);
	ASSERT_TRUE(stun_check_integrity(&m, key_of(short_term_password),
					 strlen(short_term_password)));
	ASSERT_FALSE(stun_check_integrity(&m, key_of("VOkJxbRl1RmTxUk/WvJxBu"),
					  22));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_SOFTWARE, &a));
	ASSERT_EQ(0, stun_get_text(&a, text, sizeof(text)));
	ASSERT_STREQ("STUN test client", text);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_USERNAME, &a));
	ASSERT_EQ(0, stun_get_text(&a, text, sizeof(text)));
	ASSERT_STREQ("evtj:h6vY", text);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_PRIORITY, &a));
	ASSERT_EQ(0, stun_get_u32(&a, &v));
	ASSERT_EQ(0x6e0001ffU, v);
	/* Lookup stops at MESSAGE-INTEGRITY. */
	ASSERT_FALSE(stun_find(&m, STUN_ATTR_FINGERPRINT, &a));
}

static void check_response(struct __test_metadata *_metadata,
			   const char *hex, const char *want_addr)
{
	struct sockaddr_storage ss;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[256];
	char text[64], addr[INET6_ADDRSTRLEN];
	size_t len = unhex(hex, buf, sizeof(buf));
	const void *ip;
	uint16_t port;

	ASSERT_EQ(0, stun_parse(&m, buf, len, false));
	ASSERT_EQ(STUN_SUCCESS, stun_class(m.type));
	ASSERT_TRUE(stun_check_integrity(&m, key_of(short_term_password),
					 strlen(short_term_password)));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_SOFTWARE, &a));
	ASSERT_EQ(0, stun_get_text(&a, text, sizeof(text)));
	ASSERT_STREQ("test vector", text);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &a));
	ASSERT_EQ(0, stun_get_xor_addr(&m, &a, &ss));
	if (ss.ss_family == AF_INET) {
		ip = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else {
		ip = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	inet_ntop(ss.ss_family, ip, addr, sizeof(addr));
	ASSERT_STREQ(want_addr, addr);
	ASSERT_EQ(32853, port);
}

TEST(rfc5769_ipv4_response)
{
	check_response(_metadata, sample_ipv4_response, "192.0.2.1");
}

TEST(rfc5769_ipv6_response)
{
	check_response(_metadata, sample_ipv6_response,
		       "2001:db8:1234:5678:11:2233:4455:6677");
}

TEST(rfc5769_long_term)
{
	uint8_t buf[256], key[STUN_LONG_TERM_KEY_LEN];
	char user[64], realm[64], nonce[64];
	size_t len = unhex(sample_long_term, buf, sizeof(buf));
	struct stun_msg m;
	struct stun_attr a;

	ASSERT_EQ(0, stun_parse(&m, buf, len, false));
	ASSERT_EQ(0U, m.fingerprint_at);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_USERNAME, &a));
	ASSERT_EQ(0, stun_get_text(&a, user, sizeof(user)));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_REALM, &a));
	ASSERT_EQ(0, stun_get_text(&a, realm, sizeof(realm)));
	ASSERT_STREQ("example.org", realm);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_NONCE, &a));
	ASSERT_EQ(0, stun_get_text(&a, nonce, sizeof(nonce)));
	ASSERT_STREQ("f//499k954d6OL34oL9FSTvy64sA", nonce);
	ASSERT_EQ(0, stun_long_term_key(user, realm, "TheMatrIX", key));
	ASSERT_TRUE(stun_check_integrity(&m, key, sizeof(key)));
	ASSERT_EQ(0, stun_long_term_key(user, realm, "TheMatrix", key));
	ASSERT_FALSE(stun_check_integrity(&m, key, sizeof(key)));
}

TEST(crc32_check_value)
{
	ASSERT_EQ(0xCBF43926U, stun_crc32((const uint8_t *)"123456789", 9));
}

TEST(message_types)
{
	ASSERT_EQ(0x0001, stun_type(STUN_BINDING, STUN_REQUEST));
	ASSERT_EQ(0x0101, stun_type(STUN_BINDING, STUN_SUCCESS));
	ASSERT_EQ(0x0111, stun_type(STUN_BINDING, STUN_ERROR));
	ASSERT_EQ(0x0003, stun_type(STUN_ALLOCATE, STUN_REQUEST));
	ASSERT_EQ(0x0017, stun_type(STUN_DATA, STUN_INDICATION));
	ASSERT_EQ(0x0119, stun_type(STUN_CHANNEL_BIND, STUN_ERROR));
	ASSERT_EQ(STUN_CHANNEL_BIND, stun_method(0x0119));
	ASSERT_EQ(0xFFF, stun_method(stun_type(0xFFF, STUN_REQUEST)));
}

static const uint8_t tid[STUN_TID_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
};

/* A response with every kind of attribute coned sends, parsed back. */
TEST(build_and_parse_back)
{
	struct sockaddr_in mapped = {
		.sin_family = AF_INET, .sin_port = htons(40000),
	}, other = {
		.sin_family = AF_INET, .sin_port = htons(3479),
	};
	struct sockaddr_storage got;
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[512];
	char text[32];
	size_t len;

	inet_pton(AF_INET, "198.51.100.7", &mapped.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &other.sin_addr);
	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_SUCCESS), tid, false);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
			  (struct sockaddr *)&mapped);
	stun_add_addr(&b, STUN_ATTR_OTHER_ADDRESS, (struct sockaddr *)&other);
	stun_add_string(&b, STUN_ATTR_SOFTWARE, "coned");
	stun_add_padding(&b, 33);
	stun_add_integrity(&b, key_of("pw"), 2);
	stun_add_integrity_sha256(&b, key_of("pw"), 2);
	stun_add_fingerprint(&b);
	len = stun_build_end(&b);
	ASSERT_NE(0U, len);
	ASSERT_EQ(0U, len % 4);

	ASSERT_EQ(0, stun_parse(&m, buf, len, false));
	ASSERT_EQ(0, memcmp(stun_tid(&m), tid, STUN_TID_LEN));
	ASSERT_TRUE(stun_check_integrity(&m, key_of("pw"), 2));
	ASSERT_TRUE(stun_check_integrity_sha256(&m, key_of("pw"), 2));
	ASSERT_FALSE(stun_check_integrity_sha256(&m, key_of("pW"), 2));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_XOR_MAPPED_ADDRESS, &a));
	ASSERT_EQ(0, stun_get_xor_addr(&m, &a, &got));
	ASSERT_EQ(0, memcmp(&mapped, &got, sizeof(mapped)));
	/* The raw bytes are xored, not the address itself. */
	ASSERT_NE(0, memcmp(a.value + 4, &mapped.sin_addr, 4));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_OTHER_ADDRESS, &a));
	ASSERT_EQ(0, stun_get_addr(&a, &got));
	ASSERT_EQ(0, memcmp(&other, &got, sizeof(other)));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_SOFTWARE, &a));
	ASSERT_EQ(0, stun_get_text(&a, text, sizeof(text)));
	ASSERT_STREQ("coned", text);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_PADDING, &a));
	ASSERT_EQ(33, a.len);
}

TEST(errors_and_unknown_attributes)
{
	const uint16_t unknown[] = { 0x7777, 0x0031, 0x0032 };
	uint16_t types[4];
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[256];
	char reason[64];
	int code;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_ERROR), tid, false);
	stun_add_error(&b, STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
	stun_add_unknown(&b, unknown, 3);
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), false));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_ERROR_CODE, &a));
	ASSERT_EQ(0, stun_get_error(&a, &code, reason, sizeof(reason)));
	ASSERT_EQ(420, code);
	ASSERT_STREQ("Unknown Attribute", reason);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_UNKNOWN_ATTRIBUTES, &a));
	ASSERT_EQ(3, stun_get_unknown(&a, types, 4));
	ASSERT_EQ(0x0031, types[1]);

	/* Class 2 is not an error. */
	buf[STUN_HEADER_LEN + 6] = 2;
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), false));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_ERROR_CODE, &a));
	ASSERT_EQ(-EINVAL, stun_get_error(&a, &code, reason, sizeof(reason)));
}

/* ADDRESS-ERROR-CODE (RFC 8656 18.12): a family, then ERROR-CODE's layout. */
TEST(address_error_code)
{
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[256];
	int family, code;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_ALLOCATE, STUN_SUCCESS), tid, false);
	turn_add_address_error(&b, AF_INET6, STUN_ERR_ADDRESS_FAMILY);
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), false));
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_ADDRESS_ERROR_CODE, &a));
	ASSERT_EQ(4 + strlen("Address Family not Supported"), a.len);
	ASSERT_EQ(TURN_FAMILY_IPV6, a.value[0]);
	ASSERT_EQ(0, turn_get_address_error(&a, &family, &code));
	ASSERT_EQ(AF_INET6, family);
	ASSERT_EQ(440, code);
	/* No such family, or no error code: refused. */
	buf[STUN_HEADER_LEN + 4] = 3;
	ASSERT_EQ(-EAFNOSUPPORT, turn_get_address_error(&a, &family, &code));
	buf[STUN_HEADER_LEN + 4] = TURN_FAMILY_IPV4;
	ASSERT_EQ(0, turn_get_address_error(&a, &family, &code));
	ASSERT_EQ(AF_INET, family);
	buf[STUN_HEADER_LEN + 6] = 2;
	ASSERT_EQ(-EINVAL, turn_get_address_error(&a, &family, &code));
	a.len = 3;
	ASSERT_EQ(-EINVAL, turn_get_address_error(&a, &family, &code));
}

static bool known_few(uint16_t type)
{
	return type == STUN_ATTR_CHANGE_REQUEST;
}

TEST(unknown_required_listed_once)
{
	uint16_t types[4];
	struct stun_builder b;
	struct stun_msg m;
	uint8_t buf[256];

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_REQUEST), tid, false);
	stun_add_u32(&b, STUN_ATTR_CHANGE_REQUEST, 0);
	stun_add_u32(&b, 0x7001, 0);
	stun_add_u32(&b, 0x8001, 0);		/* optional: never listed */
	stun_add_u32(&b, 0x7001, 0);
	stun_add_u32(&b, 0x0002, 0);
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), false));
	ASSERT_EQ(2U, stun_unknown_required(&m, known_few, types, 4));
	ASSERT_EQ(0x7001, types[0]);
	ASSERT_EQ(0x0002, types[1]);
}

TEST(builder_never_overflows)
{
	struct stun_builder b;
	uint8_t buf[40];

	memset(buf, 0xAA, sizeof(buf));
	stun_build_init(&b, buf, 32, stun_type(STUN_BINDING, STUN_REQUEST),
			tid, false);
	stun_add_string(&b, STUN_ATTR_SOFTWARE, "four");	/* 28 */
	ASSERT_EQ(28U, stun_build_end(&b));
	stun_add_fingerprint(&b);				/* 36 > 32 */
	ASSERT_EQ(0U, stun_build_end(&b));
	ASSERT_EQ(0xAA, buf[32]);
	stun_build_init(&b, buf, 10, 1, tid, false);
	ASSERT_EQ(0U, stun_build_end(&b));
}

TEST(every_truncation_refused)
{
	uint8_t buf[256];
	size_t len = unhex(sample_request, buf, sizeof(buf)), n;
	struct stun_msg m;

	for (n = 0; n < len; n++)
		ASSERT_EQ(-EINVAL, stun_parse(&m, buf, n, false));
	/* Trailing bytes after the message are not part of it either. */
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, len + 4, false));
}

TEST(garbled_headers_refused)
{
	uint8_t buf[256], bad[256];
	size_t len = unhex(sample_request, buf, sizeof(buf));
	struct stun_msg m;

	memcpy(bad, buf, len);
	bad[0] |= 0x80;				/* not STUN */
	ASSERT_EQ(-EINVAL, stun_parse(&m, bad, len, false));
	memcpy(bad, buf, len);
	bad[3] += 2;				/* length not a multiple of 4 */
	ASSERT_EQ(-EINVAL, stun_parse(&m, bad, len, false));
	memcpy(bad, buf, len);
	bad[4] ^= 1;				/* no cookie: legacy */
	ASSERT_EQ(-EINVAL, stun_parse(&m, bad, len, false));
	memcpy(bad, buf, len);
	bad[len - 1] ^= 1;			/* FINGERPRINT wrong */
	ASSERT_EQ(-EBADMSG, stun_parse(&m, bad, len, false));
	memcpy(bad, buf, len);
	bad[30] ^= 1;				/* payload changed under it */
	ASSERT_EQ(-EBADMSG, stun_parse(&m, bad, len, false));
}

TEST(garbled_attributes_refused)
{
	struct stun_builder b;
	struct stun_msg m;
	uint8_t buf[256];
	size_t len;

	/* An attribute whose length runs past the end. */
	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add_u32(&b, STUN_ATTR_PRIORITY, 1);
	len = stun_build_end(&b);
	stun_put16(buf + STUN_HEADER_LEN + 2, 5);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, len, false));
	/* Its padding missing. */
	stun_put16(buf + STUN_HEADER_LEN + 2, 3);
	ASSERT_EQ(0, stun_parse(&m, buf, len, false));
	stun_put16(buf + 2, 4);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, 24, false));

	/* Anything after FINGERPRINT. */
	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add_fingerprint(&b);
	stun_add_u32(&b, STUN_ATTR_PRIORITY, 1);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, stun_build_end(&b), false));

	/* MESSAGE-INTEGRITY of the wrong size. */
	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add(&b, STUN_ATTR_MESSAGE_INTEGRITY, buf, 16);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, stun_build_end(&b), false));
	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add(&b, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, buf, 12);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, stun_build_end(&b), false));
	/* FINGERPRINT of the wrong size. */
	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add(&b, STUN_ATTR_FINGERPRINT, buf, 8);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, stun_build_end(&b), false));
}

TEST(attributes_after_integrity_ignored)
{
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[256];

	stun_build_init(&b, buf, sizeof(buf), 1, tid, false);
	stun_add_integrity(&b, key_of("k"), 1);
	stun_add_u32(&b, STUN_ATTR_CHANGE_REQUEST, STUN_CHANGE_IP);
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), false));
	ASSERT_FALSE(stun_find(&m, STUN_ATTR_CHANGE_REQUEST, &a));
	ASSERT_TRUE(stun_check_integrity(&m, key_of("k"), 1));
}

TEST(bad_attribute_values_refused)
{
	struct sockaddr_storage ss;
	struct stun_msg m = { 0 };
	uint8_t v[24] = { 0, 1 };
	struct stun_attr a = { .value = v };
	char text[8];
	uint32_t u;
	uint16_t port;

	a.len = 7;
	ASSERT_EQ(-EINVAL, stun_get_addr(&a, &ss));
	a.len = 20;				/* IPv4 family, IPv6 length */
	ASSERT_EQ(-EINVAL, stun_get_addr(&a, &ss));
	v[1] = 3;
	a.len = 8;
	ASSERT_EQ(-EINVAL, stun_get_addr(&a, &ss));
	m.buf = v;
	a.len = 12;
	ASSERT_EQ(-EINVAL, stun_get_xor_addr(&m, &a, &ss));
	a.len = 3;
	ASSERT_EQ(-EINVAL, stun_get_u32(&a, &u));
	ASSERT_EQ(-EINVAL, stun_get_response_port(&a, &port));
	a.len = 8;
	ASSERT_EQ(-EINVAL, stun_get_text(&a, text, sizeof(text)));
	memcpy(v, "abc", 3);
	a.len = 3;
	ASSERT_EQ(0, stun_get_text(&a, text, sizeof(text)));
	v[1] = 0;
	ASSERT_EQ(-EINVAL, stun_get_text(&a, text, sizeof(text)));
}

TEST(legacy_messages)
{
	uint8_t legacy_tid[STUN_LEGACY_TID_LEN] = { 0xde, 0xad, 0xbe, 0xef, 5 };
	struct sockaddr_in mapped = {
		.sin_family = AF_INET, .sin_port = htons(1234),
	};
	struct sockaddr_storage got;
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	uint8_t buf[128];
	size_t len;

	stun_build_init(&b, buf, sizeof(buf), 1, legacy_tid, true);
	stun_add_u32(&b, STUN_ATTR_CHANGE_REQUEST, 0);
	len = stun_build_end(&b);
	ASSERT_EQ(-EINVAL, stun_parse(&m, buf, len, false));
	ASSERT_EQ(0, stun_parse(&m, buf, len, true));
	ASSERT_TRUE(m.legacy);
	ASSERT_EQ(0, memcmp(stun_tid(&m), legacy_tid, STUN_LEGACY_TID_LEN));

	stun_build_response(&b, buf, sizeof(buf), &m, STUN_SUCCESS);
	ASSERT_EQ(0, memcmp(buf + 4, legacy_tid, STUN_LEGACY_TID_LEN));
	stun_add_addr(&b, STUN_ATTR_MAPPED_ADDRESS, (struct sockaddr *)&mapped);
	ASSERT_EQ(0, stun_parse(&m, buf, stun_build_end(&b), true));
	ASSERT_EQ(0x0101, m.type);
	ASSERT_TRUE(stun_find(&m, STUN_ATTR_MAPPED_ADDRESS, &a));
	ASSERT_EQ(0, stun_get_addr(&a, &got));
	ASSERT_EQ(0, memcmp(&mapped, &got, sizeof(mapped)));
}

TEST(stream_framing)
{
	uint8_t buf[256];
	size_t len = unhex(sample_request, buf, sizeof(buf));

	ASSERT_EQ(0, stun_frame_len(buf, 19));
	ASSERT_EQ((long)len, stun_frame_len(buf, 20));
	ASSERT_EQ((long)len, stun_frame_len(buf, len + 100));
	buf[0] = 0x40;				/* ChannelData, not STUN */
	ASSERT_EQ(-1, stun_frame_len(buf, 20));
}

TEST_HARNESS_MAIN
