// SPDX-License-Identifier: GPL-2.0
/*
 * TURN's attributes (RFC 8656 section 18, RFC 6156) and ChannelData
 * framing (RFC 8656 section 12.4): every length checked before use.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "stun.h"

int turn_parse_channel_data(const uint8_t *buf, size_t len,
			    uint16_t *channel, const uint8_t **data,
			    size_t *data_len)
{
	uint16_t n;

	if (!turn_is_channel_data(buf, len))
		return -EINVAL;
	n = stun_get16(buf + 2);
	if ((size_t)n > len - TURN_CHANNEL_HEADER)
		return -EINVAL;
	*channel = stun_get16(buf);
	*data = buf + TURN_CHANNEL_HEADER;
	*data_len = n;
	return 0;
}

long turn_frame_len(const uint8_t *buf, size_t len)
{
	if (len < TURN_CHANNEL_HEADER)
		return 0;
	if ((buf[0] & 0xC0) == 0x40)
		return TURN_CHANNEL_HEADER +
		       ((stun_get16(buf + 2) + 3) & ~3);
	return stun_frame_len(buf, len);
}

void turn_add_channel(struct stun_builder *b, uint16_t channel)
{
	uint8_t v[4] = { 0 };

	stun_put16(v, channel);
	stun_add(b, STUN_ATTR_CHANNEL_NUMBER, v, sizeof(v));
}

int turn_get_channel(const struct stun_attr *a, uint16_t *channel)
{
	if (a->len != 4)
		return -EINVAL;
	*channel = stun_get16(a->value);
	return 0;
}

int turn_get_transport(const struct stun_attr *a, uint8_t *protocol)
{
	if (a->len != 4)
		return -EINVAL;
	*protocol = a->value[0];
	return 0;
}

void turn_add_transport(struct stun_builder *b, uint8_t protocol)
{
	uint8_t v[4] = { protocol };

	stun_add(b, STUN_ATTR_REQUESTED_TRANSPORT, v, sizeof(v));
}

int turn_family(uint8_t value, int *family)
{
	switch (value) {
	case TURN_FAMILY_IPV4:
		*family = AF_INET;
		return 0;
	case TURN_FAMILY_IPV6:
		*family = AF_INET6;
		return 0;
	}
	return -EAFNOSUPPORT;
}

int turn_get_family(const struct stun_attr *a, int *family)
{
	if (a->len != 4)
		return -EINVAL;
	return turn_family(a->value[0], family);
}

void turn_add_family(struct stun_builder *b, uint16_t type, int family)
{
	uint8_t v[4] = { family == AF_INET6 ? TURN_FAMILY_IPV6 :
					      TURN_FAMILY_IPV4 };

	stun_add(b, type, v, sizeof(v));
}

int turn_get_even_port(const struct stun_attr *a, bool *reserve)
{
	if (a->len != 1)
		return -EINVAL;
	*reserve = a->value[0] & TURN_EVEN_PORT_R;
	return 0;
}

void turn_add_even_port(struct stun_builder *b, bool reserve)
{
	uint8_t v = reserve ? TURN_EVEN_PORT_R : 0;

	stun_add(b, STUN_ATTR_EVEN_PORT, &v, 1);
}

int turn_get_token(const struct stun_attr *a, uint8_t token[TURN_TOKEN_LEN])
{
	if (a->len != TURN_TOKEN_LEN)
		return -EINVAL;
	memcpy(token, a->value, TURN_TOKEN_LEN);
	return 0;
}
