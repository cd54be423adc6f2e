// SPDX-License-Identifier: GPL-2.0
/* Small fixed-format attributes: 32-bit values, RESPONSE-PORT, text, PADDING. */
#include <errno.h>
#include <string.h>

#include "stun.h"

int stun_get_u32(const struct stun_attr *a, uint32_t *value)
{
	if (a->len != 4)
		return -EINVAL;
	*value = stun_get32(a->value);
	return 0;
}

void stun_add_response_port(struct stun_builder *b, uint16_t port)
{
	uint8_t v[4] = { 0 };

	stun_put16(v, port);
	stun_add(b, STUN_ATTR_RESPONSE_PORT, v, sizeof(v));
}

int stun_get_response_port(const struct stun_attr *a, uint16_t *port)
{
	if (a->len != 4)
		return -EINVAL;
	*port = stun_get16(a->value);
	return 0;
}

int stun_get_text(const struct stun_attr *a, char *s, size_t size)
{
	if (a->len > STUN_MAX_TEXT || a->len >= size ||
	    memchr(a->value, '\0', a->len))
		return -EINVAL;
	memcpy(s, a->value, a->len);
	s[a->len] = '\0';
	return 0;
}

void stun_add_padding(struct stun_builder *b, size_t len)
{
	stun_add_reserve(b, STUN_ATTR_PADDING, len);
}
