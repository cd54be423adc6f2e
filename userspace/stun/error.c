// SPDX-License-Identifier: GPL-2.0
/*
 * ERROR-CODE and UNKNOWN-ATTRIBUTES (RFC 8489 sections 14.8, 14.9), and
 * TURN's ADDRESS-ERROR-CODE (RFC 8656 section 18.12).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "stun.h"

static const struct {
	int code;
	const char *reason;
} reasons[] = {
	{ STUN_ERR_TRY_ALTERNATE, "Try Alternate" },
	{ STUN_ERR_BAD_REQUEST, "Bad Request" },
	{ STUN_ERR_UNAUTHORIZED, "Unauthorized" },
	{ STUN_ERR_FORBIDDEN, "Forbidden" },
	{ STUN_ERR_UNKNOWN_ATTRIBUTE, "Unknown Attribute" },
	{ STUN_ERR_ALLOCATION_MISMATCH, "Allocation Mismatch" },
	{ STUN_ERR_STALE_NONCE, "Stale Nonce" },
	{ STUN_ERR_ADDRESS_FAMILY, "Address Family not Supported" },
	{ STUN_ERR_WRONG_CREDENTIALS, "Wrong Credentials" },
	{ STUN_ERR_UNSUPPORTED_TRANSPORT, "Unsupported Transport Protocol" },
	{ STUN_ERR_PEER_ADDRESS_FAMILY, "Peer Address Family Mismatch" },
	{ STUN_ERR_ALLOCATION_QUOTA, "Allocation Quota Reached" },
	{ STUN_ERR_SERVER_ERROR, "Server Error" },
	{ STUN_ERR_INSUFFICIENT_CAPACITY, "Insufficient Capacity" },
};

const char *stun_error_reason(int code)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].reason;
	return "Error";
}

/* ERROR-CODE's layout, whose first byte ADDRESS-ERROR-CODE gives a family. */
static void add_error_attr(struct stun_builder *b, uint16_t type,
			   uint8_t first, int code, const char *reason)
{
	uint8_t v[4 + STUN_MAX_TEXT];
	size_t len;

	if (!reason)
		reason = stun_error_reason(code);
	len = strlen(reason);
	if (code < 300 || code > 699 || len > STUN_MAX_TEXT) {
		b->overflow = true;
		return;
	}
	v[0] = first;
	v[1] = 0;
	v[2] = code / 100;
	v[3] = code % 100;
	memcpy(v + 4, reason, len);
	stun_add(b, type, v, 4 + len);
}

void stun_add_error(struct stun_builder *b, int code, const char *reason)
{
	add_error_attr(b, STUN_ATTR_ERROR_CODE, 0, code, reason);
}

void turn_add_address_error(struct stun_builder *b, int family, int code)
{
	add_error_attr(b, STUN_ATTR_ADDRESS_ERROR_CODE,
		       family == AF_INET6 ? TURN_FAMILY_IPV6 : TURN_FAMILY_IPV4,
		       code, NULL);
}

void stun_add_unknown(struct stun_builder *b, const uint16_t *types,
		      unsigned int n)
{
	uint8_t v[2 * 64];
	unsigned int i;

	if (n > sizeof(v) / 2) {
		b->overflow = true;
		return;
	}
	for (i = 0; i < n; i++)
		stun_put16(v + 2 * i, types[i]);
	stun_add(b, STUN_ATTR_UNKNOWN_ATTRIBUTES, v, 2 * n);
}

int stun_get_error(const struct stun_attr *a, int *code, char *reason,
		   size_t size)
{
	size_t len;

	if (a->len < 4 || a->len - 4 > STUN_MAX_TEXT)
		return -EINVAL;
	/* Class 3-6 in the low three bits, number 0-99. */
	if ((a->value[2] & 0x07) < 3 || (a->value[2] & 0x07) > 6 ||
	    a->value[3] > 99)
		return -EINVAL;
	*code = (a->value[2] & 0x07) * 100 + a->value[3];
	if (!size)
		return 0;
	len = a->len - 4;
	if (len >= size)
		len = size - 1;
	memcpy(reason, a->value + 4, len);
	reason[len] = '\0';
	return 0;
}

int turn_get_address_error(const struct stun_attr *a, int *family, int *code)
{
	int rc = stun_get_error(a, code, NULL, 0);

	return rc ? rc : turn_family(a->value[0], family);
}

int stun_get_unknown(const struct stun_attr *a, uint16_t *types,
		     unsigned int max)
{
	unsigned int n = a->len / 2, i;

	if (a->len % 2)
		return -EINVAL;
	for (i = 0; i < n && i < max; i++)
		types[i] = stun_get16(a->value + 2 * i);
	return n;
}
