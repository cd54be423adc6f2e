// SPDX-License-Identifier: GPL-2.0
/* STUN message framing and attribute walking, every length checked. */
#include <errno.h>
#include <string.h>

#include "stun.h"

static size_t padded(size_t len)
{
	return (len + 3) & ~(size_t)3;
}

bool stun_is_message(const uint8_t *buf, size_t len, bool accept_legacy)
{
	if (len < STUN_HEADER_LEN)
		return false;
	/* The two top bits tell STUN from RTP, DTLS, ChannelData... */
	if (buf[0] & 0xC0)
		return false;
	if (stun_get16(buf + 2) % 4)
		return false;
	return accept_legacy || stun_get32(buf + 4) == STUN_MAGIC_COOKIE;
}

long stun_frame_len(const uint8_t *buf, size_t len)
{
	if (len < STUN_HEADER_LEN)
		return 0;
	if (!stun_is_message(buf, len, true))
		return -1;
	return STUN_HEADER_LEN + stun_get16(buf + 2);
}

/* Check one integrity or fingerprint attribute's length and note where. */
static int note_trailer(struct stun_msg *m, uint16_t type, uint16_t len,
			size_t pos)
{
	switch (type) {
	case STUN_ATTR_MESSAGE_INTEGRITY:
		/* A second one, or one after -SHA256, is ignored. */
		if (m->integrity_at || m->integrity_sha256_at)
			return 0;
		if (len != STUN_HMAC_SHA1_LEN)
			return -EINVAL;
		m->integrity_at = pos;
		break;
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		if (m->integrity_sha256_at)
			return 0;
		if (len < STUN_HMAC_SHA256_MIN || len > STUN_HMAC_SHA256_LEN ||
		    len % 4)
			return -EINVAL;
		m->integrity_sha256_at = pos;
		break;
	case STUN_ATTR_FINGERPRINT:
		if (len != 4)
			return -EINVAL;
		m->fingerprint_at = pos;
		break;
	default:
		return 0;
	}
	if (!m->end_of_attrs)
		m->end_of_attrs = pos;
	return 0;
}

static bool fingerprint_ok(const struct stun_msg *m)
{
	uint32_t want = stun_get32(m->buf + m->fingerprint_at +
				   STUN_ATTR_HEADER_LEN);

	return (stun_crc32(m->buf, m->fingerprint_at) ^ STUN_FINGERPRINT_XOR) ==
	       want;
}

int stun_parse(struct stun_msg *m, const uint8_t *buf, size_t len,
	       bool accept_legacy)
{
	size_t pos = STUN_HEADER_LEN;
	int err;

	memset(m, 0, sizeof(*m));
	if (len > STUN_MAX_MESSAGE || !stun_is_message(buf, len, accept_legacy))
		return -EINVAL;
	if (STUN_HEADER_LEN + (size_t)stun_get16(buf + 2) != len)
		return -EINVAL;
	m->buf = buf;
	m->len = len;
	m->type = stun_get16(buf);
	m->legacy = stun_get32(buf + 4) != STUN_MAGIC_COOKIE;

	while (pos < len) {
		uint16_t type, alen;

		if (len - pos < STUN_ATTR_HEADER_LEN)
			return -EINVAL;
		type = stun_get16(buf + pos);
		alen = stun_get16(buf + pos + 2);
		if (padded(alen) > len - pos - STUN_ATTR_HEADER_LEN)
			return -EINVAL;
		/* FINGERPRINT is the last attribute when present. */
		if (m->fingerprint_at)
			return -EINVAL;
		err = note_trailer(m, type, alen, pos);
		if (err)
			return err;
		pos += STUN_ATTR_HEADER_LEN + padded(alen);
	}
	if (!m->end_of_attrs)
		m->end_of_attrs = len;
	if (m->fingerprint_at && !fingerprint_ok(m))
		return -EBADMSG;
	return 0;
}

bool stun_attr_next(const struct stun_msg *m, size_t *pos,
		    struct stun_attr *a)
{
	if (*pos < STUN_HEADER_LEN)
		*pos = STUN_HEADER_LEN;
	/* stun_parse() checked that each attribute fits. */
	if (*pos >= m->len || m->len - *pos < STUN_ATTR_HEADER_LEN)
		return false;
	a->type = stun_get16(m->buf + *pos);
	a->len = stun_get16(m->buf + *pos + 2);
	a->value = m->buf + *pos + STUN_ATTR_HEADER_LEN;
	*pos += STUN_ATTR_HEADER_LEN + padded(a->len);
	return true;
}

bool stun_find(const struct stun_msg *m, uint16_t type, struct stun_attr *a)
{
	size_t pos = 0;

	while (pos < m->end_of_attrs && stun_attr_next(m, &pos, a))
		if (a->type == type)
			return true;
	return false;
}

unsigned int stun_unknown_required(const struct stun_msg *m,
				   bool (*known)(uint16_t type),
				   uint16_t *types, unsigned int max)
{
	struct stun_attr a;
	unsigned int n = 0, i;
	size_t pos = 0;

	while (n < max && pos < m->end_of_attrs && stun_attr_next(m, &pos, &a)) {
		if (!stun_attr_required(a.type) || known(a.type))
			continue;
		for (i = 0; i < n && types[i] != a.type; i++)
			;
		if (i == n)
			types[n++] = a.type;
	}
	return n;
}
