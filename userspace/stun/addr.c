// SPDX-License-Identifier: GPL-2.0
/*
 * Address attributes: MAPPED-ADDRESS and its RFC 3489 kin (SOURCE-ADDRESS,
 * CHANGED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS share the format), and
 * XOR-MAPPED-ADDRESS, xored with the header's bytes 4-19 (cookie and ID).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "stun.h"

#define FAMILY_IPV4	0x01
#define FAMILY_IPV6	0x02
#define XOR_KEY_AT	4	/* cookie, then transaction ID */

/* Encode sa as family, port, address into v; the length, or 0. */
static size_t encode(const struct sockaddr *sa, uint8_t v[20])
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	v[0] = 0;
	if (sa->sa_family == AF_INET) {
		v[1] = FAMILY_IPV4;
		memcpy(v + 2, &in4->sin_port, 2);
		memcpy(v + 4, &in4->sin_addr, 4);
		return 8;
	}
	if (sa->sa_family == AF_INET6) {
		v[1] = FAMILY_IPV6;
		memcpy(v + 2, &in6->sin6_port, 2);
		memcpy(v + 4, &in6->sin6_addr, 16);
		return 20;
	}
	return 0;
}

static int decode(const uint8_t *v, size_t len, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (len == 8 && v[1] == FAMILY_IPV4) {
		in4->sin_family = AF_INET;
		memcpy(&in4->sin_port, v + 2, 2);
		memcpy(&in4->sin_addr, v + 4, 4);
		return 0;
	}
	if (len == 20 && v[1] == FAMILY_IPV6) {
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_port, v + 2, 2);
		memcpy(&in6->sin6_addr, v + 4, 16);
		return 0;
	}
	return -EINVAL;
}

/* Xor port and address of an encoded value with the header's key. */
static void xor_value(uint8_t *v, size_t len, const uint8_t *header)
{
	size_t i;

	v[2] ^= header[XOR_KEY_AT];
	v[3] ^= header[XOR_KEY_AT + 1];
	for (i = 4; i < len; i++)
		v[i] ^= header[XOR_KEY_AT + i - 4];
}

void stun_add_addr(struct stun_builder *b, uint16_t type,
		   const struct sockaddr *sa)
{
	uint8_t v[20];
	size_t len = encode(sa, v);

	if (!len) {
		b->overflow = true;
		return;
	}
	stun_add(b, type, v, len);
}

void stun_add_xor_addr(struct stun_builder *b, uint16_t type,
		       const struct sockaddr *sa)
{
	uint8_t v[20];
	size_t len = encode(sa, v);

	if (!len || b->overflow) {
		b->overflow = true;
		return;
	}
	xor_value(v, len, b->buf);
	stun_add(b, type, v, len);
}

int stun_get_addr(const struct stun_attr *a, struct sockaddr_storage *ss)
{
	return decode(a->value, a->len, ss);
}

int stun_get_xor_addr(const struct stun_msg *m, const struct stun_attr *a,
		      struct sockaddr_storage *ss)
{
	uint8_t v[20];

	if (a->len != 8 && a->len != 20)
		return -EINVAL;
	memcpy(v, a->value, a->len);
	xor_value(v, a->len, m->buf);
	return decode(v, a->len, ss);
}
