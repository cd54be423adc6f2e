// SPDX-License-Identifier: GPL-2.0
/* Building STUN messages into a caller's buffer, never past its end. */
#include <string.h>

#include "stun.h"

static void set_length(struct stun_builder *b)
{
	stun_put16(b->buf + 2, b->len - STUN_HEADER_LEN);
}

void stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
		     uint16_t type, const uint8_t *tid, bool legacy)
{
	b->buf = buf;
	b->cap = cap < STUN_MAX_MESSAGE ? cap : STUN_MAX_MESSAGE;
	b->len = STUN_HEADER_LEN;
	b->overflow = cap < STUN_HEADER_LEN;
	if (b->overflow)
		return;
	stun_put16(buf, type & 0x3FFF);
	if (legacy) {
		memcpy(buf + 4, tid, STUN_LEGACY_TID_LEN);
	} else {
		stun_put32(buf + 4, STUN_MAGIC_COOKIE);
		memcpy(buf + 8, tid, STUN_TID_LEN);
	}
	set_length(b);
}

void stun_build_response(struct stun_builder *b, uint8_t *buf, size_t cap,
			 const struct stun_msg *req, uint16_t class)
{
	uint16_t type = stun_type(stun_method(req->type), class);

	stun_build_init(b, buf, cap, type, stun_tid(req), req->legacy);
}

uint8_t *stun_add_reserve(struct stun_builder *b, uint16_t type, size_t len)
{
	size_t pad = (4 - len % 4) % 4;
	uint8_t *value;

	if (b->overflow || len > UINT16_MAX ||
	    b->cap - b->len < STUN_ATTR_HEADER_LEN + len + pad) {
		b->overflow = true;
		return NULL;
	}
	stun_put16(b->buf + b->len, type);
	stun_put16(b->buf + b->len + 2, len);
	value = b->buf + b->len + STUN_ATTR_HEADER_LEN;
	memset(value, 0, len + pad);
	b->len += STUN_ATTR_HEADER_LEN + len + pad;
	set_length(b);
	return value;
}

void stun_add(struct stun_builder *b, uint16_t type, const void *value,
	      size_t len)
{
	uint8_t *at = stun_add_reserve(b, type, len);

	if (at && len)
		memcpy(at, value, len);
}

void stun_add_u32(struct stun_builder *b, uint16_t type, uint32_t value)
{
	uint8_t v[4];

	stun_put32(v, value);
	stun_add(b, type, v, sizeof(v));
}

void stun_add_string(struct stun_builder *b, uint16_t type, const char *s)
{
	size_t len = strlen(s);

	if (len > STUN_MAX_TEXT) {
		b->overflow = true;
		return;
	}
	stun_add(b, type, s, len);
}

size_t stun_build_end(struct stun_builder *b)
{
	return b->overflow ? 0 : b->len;
}
