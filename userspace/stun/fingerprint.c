// SPDX-License-Identifier: GPL-2.0
/* FINGERPRINT: CRC-32 (ISO HDLC, as zlib's) of the message, xored. */
#include "stun.h"

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	uint32_t c, i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t stun_crc32(const uint8_t *buf, size_t len)
{
	uint32_t crc = 0xFFFFFFFFU;
	size_t i;

	/* Entry 1 is never 0 once built; building twice is harmless. */
	if (!crc_table[1])
		crc_table_init();
	for (i = 0; i < len; i++)
		crc = crc_table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFU;
}

void stun_add_fingerprint(struct stun_builder *b)
{
	uint8_t v[4];

	if (b->overflow || b->cap - b->len < STUN_ATTR_HEADER_LEN + 4) {
		b->overflow = true;
		return;
	}
	/* The CRC covers a header whose length already counts FINGERPRINT. */
	stun_put16(b->buf + 2, b->len + STUN_ATTR_HEADER_LEN + 4 -
			       STUN_HEADER_LEN);
	stun_put32(v, stun_crc32(b->buf, b->len) ^ STUN_FINGERPRINT_XOR);
	stun_add(b, STUN_ATTR_FINGERPRINT, v, sizeof(v));
}
