// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the STUN parser and every attribute reader (STUN's
 * and TURN's) on arbitrary bytes, ChannelData framing as coned's UDP and
 * TCP paths take it, then a response built from what parsed.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "stun.h"

/* TURN's attribute readers (RFC 8656 section 18) on any attribute. */
static void read_turn_attribute(const struct stun_attr *a)
{
	uint8_t token[TURN_TOKEN_LEN], protocol;
	uint16_t channel;
	bool reserve;
	int family, code;

	turn_get_channel(a, &channel);
	turn_get_transport(a, &protocol);
	turn_get_family(a, &family);
	turn_get_even_port(a, &reserve);
	turn_get_token(a, token);
	turn_get_address_error(a, &family, &code);
}

/*
 * ChannelData as coned's UDP path takes it (first byte, then framing),
 * and a TCP stream of frames: each frame must fit what was given.
 */
static void read_channel_data(const uint8_t *data, size_t size)
{
	const uint8_t *payload;
	size_t len, pos = 0;
	uint16_t channel;
	long frame;

	if (!turn_parse_channel_data(data, size, &channel, &payload, &len) &&
	    (payload + len > data + size || payload < data))
		__builtin_trap();
	while (pos < size) {
		frame = turn_frame_len(data + pos, size - pos);
		if (frame <= 0 || (size_t)frame > size - pos)
			break;
		if (turn_is_channel_data(data + pos, frame) &&
		    turn_parse_channel_data(data + pos, frame, &channel,
					    &payload, &len))
			__builtin_trap();	/* a whole frame parses */
		pos += frame;
	}
}

static void read_attributes(const struct stun_msg *m)
{
	struct sockaddr_storage ss;
	struct stun_attr a;
	uint16_t types[16], port;
	char text[STUN_MAX_TEXT + 1];
	size_t pos = 0;
	uint32_t u;
	int code;

	while (stun_attr_next(m, &pos, &a)) {
		stun_get_addr(&a, &ss);
		stun_get_xor_addr(m, &a, &ss);
		stun_get_u32(&a, &u);
		stun_get_response_port(&a, &port);
		stun_get_text(&a, text, sizeof(text));
		stun_get_error(&a, &code, text, sizeof(text));
		stun_get_unknown(&a, types, 16);
		read_turn_attribute(&a);
	}
}

static bool known(uint16_t type)
{
	return type == STUN_ATTR_CHANGE_REQUEST ||
	       type == STUN_ATTR_RESPONSE_PORT;
}

static void respond(const struct stun_msg *m)
{
	static const uint8_t key[] = "VOkJxbRl1RmTxUk/WvJxBt";
	struct sockaddr_storage ss;
	struct stun_builder b;
	struct stun_attr a;
	struct stun_msg back;
	uint16_t types[8];
	uint8_t out[1024];
	unsigned int n;
	size_t len;

	n = stun_unknown_required(m, known, types, 8);
	stun_build_response(&b, out, sizeof(out), m,
			    n ? STUN_ERROR : STUN_SUCCESS);
	if (n) {
		stun_add_error(&b, STUN_ERR_UNKNOWN_ATTRIBUTE, NULL);
		stun_add_unknown(&b, types, n);
	} else if (stun_find(m, STUN_ATTR_XOR_MAPPED_ADDRESS, &a) &&
		   !stun_get_xor_addr(m, &a, &ss)) {
		stun_add_xor_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS,
				  (struct sockaddr *)&ss);
	}
	if (stun_find(m, STUN_ATTR_PADDING, &a))
		stun_add_padding(&b, a.len);
	stun_add_integrity(&b, key, sizeof(key) - 1);
	stun_add_fingerprint(&b);
	len = stun_build_end(&b);
	/* What we build must parse, and its integrity must check. */
	if (len && (stun_parse(&back, out, len, true) ||
		    !stun_check_integrity(&back, key, sizeof(key) - 1)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[] = "VOkJxbRl1RmTxUk/WvJxBt";
	struct stun_msg m;

	stun_frame_len(data, size);
	read_channel_data(data, size);
	if (stun_parse(&m, data, size, true))
		return 0;
	read_attributes(&m);
	stun_check_integrity(&m, key, sizeof(key) - 1);
	stun_check_integrity_sha256(&m, key, sizeof(key) - 1);
	respond(&m);
	return 0;
}
