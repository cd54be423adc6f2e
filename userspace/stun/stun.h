/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUN messages (RFC 8489), with the attributes of RFC 5780 (NAT behaviour
 * discovery) and the RFC 3489 legacy forms.  Parsing never trusts a length:
 * stun_parse() checks the header and that every attribute fits before any
 * attribute is read, and each attribute reader checks its own value length.
 */
#ifndef CONENAT_STUN_H
#define CONENAT_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN		20
#define STUN_MAGIC_COOKIE	0x2112A442U
#define STUN_TID_LEN		12
/* RFC 3489's transaction ID: the cookie's four bytes and the 96-bit ID. */
#define STUN_LEGACY_TID_LEN	16
#define STUN_ATTR_HEADER_LEN	4
/* Largest message we build or accept: a UDP payload of an IPv4 datagram. */
#define STUN_MAX_MESSAGE	65507

/* Message classes, as the C1/C0 bits of the type. */
enum stun_class {
	STUN_REQUEST		= 0x0000,
	STUN_INDICATION		= 0x0010,
	STUN_SUCCESS		= 0x0100,
	STUN_ERROR		= 0x0110,
};

enum stun_method {
	STUN_BINDING		= 0x001,
	/* TURN (RFC 8656), for the dispatcher's table once TURN is built. */
	STUN_ALLOCATE		= 0x003,
	STUN_REFRESH		= 0x004,
	STUN_SEND		= 0x006,
	STUN_DATA		= 0x007,
	STUN_CREATE_PERMISSION	= 0x008,
	STUN_CHANNEL_BIND	= 0x009,
};

enum stun_attr_type {
	/* Comprehension-required (0x0000-0x7FFF). */
	STUN_ATTR_MAPPED_ADDRESS	= 0x0001,
	STUN_ATTR_RESPONSE_ADDRESS	= 0x0002,	/* RFC 3489, obsolete */
	STUN_ATTR_CHANGE_REQUEST	= 0x0003,
	STUN_ATTR_SOURCE_ADDRESS	= 0x0004,	/* RFC 3489 */
	STUN_ATTR_CHANGED_ADDRESS	= 0x0005,	/* RFC 3489 */
	STUN_ATTR_USERNAME		= 0x0006,
	STUN_ATTR_MESSAGE_INTEGRITY	= 0x0008,
	STUN_ATTR_ERROR_CODE		= 0x0009,
	STUN_ATTR_UNKNOWN_ATTRIBUTES	= 0x000A,
	/* TURN (RFC 8656, RFC 6156). */
	STUN_ATTR_CHANNEL_NUMBER	= 0x000C,
	STUN_ATTR_LIFETIME		= 0x000D,
	STUN_ATTR_XOR_PEER_ADDRESS	= 0x0012,
	STUN_ATTR_DATA			= 0x0013,
	STUN_ATTR_XOR_RELAYED_ADDRESS	= 0x0016,
	STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017,
	STUN_ATTR_EVEN_PORT		= 0x0018,
	STUN_ATTR_REQUESTED_TRANSPORT	= 0x0019,
	STUN_ATTR_DONT_FRAGMENT		= 0x001A,
	STUN_ATTR_RESERVATION_TOKEN	= 0x0022,
	STUN_ATTR_REALM			= 0x0014,
	STUN_ATTR_NONCE			= 0x0015,
	STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
	STUN_ATTR_PASSWORD_ALGORITHM	= 0x001D,
	STUN_ATTR_USERHASH		= 0x001E,
	STUN_ATTR_XOR_MAPPED_ADDRESS	= 0x0020,
	STUN_ATTR_PRIORITY		= 0x0024,	/* ICE */
	STUN_ATTR_USE_CANDIDATE		= 0x0025,	/* ICE */
	STUN_ATTR_PADDING		= 0x0026,
	STUN_ATTR_RESPONSE_PORT		= 0x0027,
	/* Comprehension-optional (0x8000-0xFFFF). */
	STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000,	/* TURN */
	STUN_ATTR_ADDRESS_ERROR_CODE	= 0x8001,	/* TURN */
	STUN_ATTR_PASSWORD_ALGORITHMS	= 0x8002,
	STUN_ATTR_ALTERNATE_DOMAIN	= 0x8003,
	STUN_ATTR_ICMP			= 0x8004,	/* TURN */
	STUN_ATTR_SOFTWARE		= 0x8022,
	STUN_ATTR_ALTERNATE_SERVER	= 0x8023,
	STUN_ATTR_FINGERPRINT		= 0x8028,
	STUN_ATTR_ICE_CONTROLLED	= 0x8029,
	STUN_ATTR_ICE_CONTROLLING	= 0x802A,
	STUN_ATTR_RESPONSE_ORIGIN	= 0x802B,
	STUN_ATTR_OTHER_ADDRESS		= 0x802C,
};

static inline bool stun_attr_required(uint16_t type)
{
	return type < 0x8000;
}

/* CHANGE-REQUEST flags (RFC 5780 section 7.2). */
#define STUN_CHANGE_IP		0x04
#define STUN_CHANGE_PORT	0x02

enum stun_error_code {
	STUN_ERR_TRY_ALTERNATE		= 300,
	STUN_ERR_BAD_REQUEST		= 400,
	STUN_ERR_UNAUTHORIZED		= 401,
	STUN_ERR_FORBIDDEN		= 403,
	STUN_ERR_UNKNOWN_ATTRIBUTE	= 420,
	STUN_ERR_ALLOCATION_MISMATCH	= 437,
	STUN_ERR_STALE_NONCE		= 438,
	STUN_ERR_ADDRESS_FAMILY		= 440,
	STUN_ERR_WRONG_CREDENTIALS	= 441,
	STUN_ERR_UNSUPPORTED_TRANSPORT	= 442,
	STUN_ERR_PEER_ADDRESS_FAMILY	= 443,
	STUN_ERR_ALLOCATION_QUOTA	= 486,
	STUN_ERR_SERVER_ERROR		= 500,
	STUN_ERR_INSUFFICIENT_CAPACITY	= 508,
};

#define STUN_HMAC_SHA1_LEN	20
#define STUN_HMAC_SHA256_LEN	32
/* MESSAGE-INTEGRITY-SHA256 may be truncated to 16 bytes (RFC 8489 14.6). */
#define STUN_HMAC_SHA256_MIN	16
#define STUN_LONG_TERM_KEY_LEN	16	/* MD5 */
#define STUN_FINGERPRINT_XOR	0x5354554EU
/* Longest USERNAME, REALM, NONCE, SOFTWARE, reason phrase values. */
#define STUN_MAX_TEXT		763

/* A parsed message: a view into the caller's buffer, valid while it is. */
struct stun_msg {
	const uint8_t *buf;
	size_t len;		/* header + attributes */
	uint16_t type;		/* method | class */
	bool legacy;		/* RFC 3489: no magic cookie */
	/*
	 * Where MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
	 * start (0: absent).  Attributes after MESSAGE-INTEGRITY other than
	 * these are ignored, as RFC 8489 section 14.5 says.
	 */
	size_t integrity_at, integrity_sha256_at, fingerprint_at;
	size_t end_of_attrs;	/* where attribute lookup stops */
};

struct stun_attr {
	uint16_t type;
	uint16_t len;
	const uint8_t *value;
};

static inline uint16_t stun_method(uint16_t type)
{
	return (type & 0x000F) | ((type & 0x00E0) >> 1) |
	       ((type & 0x3E00) >> 2);
}

static inline uint16_t stun_class(uint16_t type)
{
	return type & 0x0110;
}

static inline uint16_t stun_type(uint16_t method, uint16_t class)
{
	return (method & 0x000F) | ((method & 0x0070) << 1) |
	       ((method & 0x0F80) << 2) | class;
}

/* The transaction ID: 12 bytes, or 16 (cookie position included) legacy. */
static inline const uint8_t *stun_tid(const struct stun_msg *m)
{
	return m->buf + (m->legacy ? 4 : 8);
}

/* msg.c */

/*
 * Could buf be the start of a STUN message?  The header alone: zero top
 * bits, a length that is a multiple of 4.  With the cookie unless legacy
 * messages are accepted.
 */
bool stun_is_message(const uint8_t *buf, size_t len, bool accept_legacy);

/*
 * For a stream (STUN over TCP): how long is the message that starts at
 * buf?  0 if the header is not complete yet, -1 if it is not STUN.
 */
long stun_frame_len(const uint8_t *buf, size_t len);

/*
 * Parse one whole message of exactly len bytes.  Checks the header, that
 * every attribute fits, that FINGERPRINT (if any) is last and correct, and
 * that MESSAGE-INTEGRITY attributes have valid lengths.  0 or -EINVAL
 * (malformed) or -EBADMSG (FINGERPRINT present and wrong).
 */
int stun_parse(struct stun_msg *m, const uint8_t *buf, size_t len,
	       bool accept_legacy);

/* Step through the attributes: *pos starts at 0; false at the end. */
bool stun_attr_next(const struct stun_msg *m, size_t *pos,
		    struct stun_attr *a);

/* The first attribute of type (before MESSAGE-INTEGRITY); false if none. */
bool stun_find(const struct stun_msg *m, uint16_t type, struct stun_attr *a);

/*
 * The comprehension-required attributes of m that known() says no to,
 * at most max of them, into types.  Returns how many.
 */
unsigned int stun_unknown_required(const struct stun_msg *m,
				   bool (*known)(uint16_t type),
				   uint16_t *types, unsigned int max);

/* build.c */

/* A message under construction in a caller's buffer. */
struct stun_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;		/* something did not fit: the result is 0 */
};

/* Start a message; tid is 12 bytes, or 16 for legacy (no cookie written). */
void stun_build_init(struct stun_builder *b, uint8_t *buf, size_t cap,
		     uint16_t type, const uint8_t *tid, bool legacy);
/* Start a response of class to request req (same method and ID). */
void stun_build_response(struct stun_builder *b, uint8_t *buf, size_t cap,
			 const struct stun_msg *req, uint16_t class);
/*
 * Append an attribute of len zero bytes (padded to 4) and return where its
 * value is, to be filled in; NULL if it does not fit.
 */
uint8_t *stun_add_reserve(struct stun_builder *b, uint16_t type, size_t len);
/* Append an attribute, zero-padded to 4 bytes. */
void stun_add(struct stun_builder *b, uint16_t type, const void *value,
	      size_t len);
void stun_add_u32(struct stun_builder *b, uint16_t type, uint32_t value);
void stun_add_string(struct stun_builder *b, uint16_t type, const char *s);
/* The finished message's length, or 0 if anything overflowed. */
size_t stun_build_end(struct stun_builder *b);

/* addr.c: MAPPED-ADDRESS-style and XOR-MAPPED-ADDRESS-style attributes. */

/* Append an address attribute (IPv4 or IPv6 sockaddr). */
void stun_add_addr(struct stun_builder *b, uint16_t type,
		   const struct sockaddr *sa);
void stun_add_xor_addr(struct stun_builder *b, uint16_t type,
		       const struct sockaddr *sa);
/* Decode into ss; -EINVAL on a bad length or family. */
int stun_get_addr(const struct stun_attr *a, struct sockaddr_storage *ss);
int stun_get_xor_addr(const struct stun_msg *m, const struct stun_attr *a,
		      struct sockaddr_storage *ss);

/* error.c: ERROR-CODE and UNKNOWN-ATTRIBUTES. */

/* Append ERROR-CODE with reason (the standard phrase if NULL). */
void stun_add_error(struct stun_builder *b, int code, const char *reason);
void stun_add_unknown(struct stun_builder *b, const uint16_t *types,
		      unsigned int n);
/* Decode ERROR-CODE: the code, and the reason copied into reason. */
int stun_get_error(const struct stun_attr *a, int *code, char *reason,
		   size_t size);
/* Decode UNKNOWN-ATTRIBUTES: how many types, at most max stored. */
int stun_get_unknown(const struct stun_attr *a, uint16_t *types,
		     unsigned int max);
const char *stun_error_reason(int code);

/* attr.c: small attributes. */

/* A 32-bit value (CHANGE-REQUEST, PRIORITY...): -EINVAL unless 4 bytes. */
int stun_get_u32(const struct stun_attr *a, uint32_t *value);
/* RESPONSE-PORT: a port and two reserved bytes. */
void stun_add_response_port(struct stun_builder *b, uint16_t port);
int stun_get_response_port(const struct stun_attr *a, uint16_t *port);
/* A UTF-8 text attribute (SOFTWARE, USERNAME, REALM, NONCE), copied with
 * a NUL; -EINVAL if too long for size or containing a NUL. */
int stun_get_text(const struct stun_attr *a, char *s, size_t size);
/* PADDING of len zero bytes. */
void stun_add_padding(struct stun_builder *b, size_t len);

/* turn.c: TURN's attributes (RFC 8656 section 18) and ChannelData. */

#define TURN_TRANSPORT_UDP	17	/* REQUESTED-TRANSPORT protocol */
#define TURN_FAMILY_IPV4	0x01	/* REQUESTED-ADDRESS-FAMILY */
#define TURN_FAMILY_IPV6	0x02
#define TURN_EVEN_PORT_R	0x80	/* EVEN-PORT: reserve the next port */
#define TURN_TOKEN_LEN		8	/* RESERVATION-TOKEN */
/* ChannelData: a 4-byte header, channel number and length. */
#define TURN_CHANNEL_HEADER	4
#define TURN_CHANNEL_MIN	0x4000
/* RFC 8656 ends the range at 0x4FFF; RFC 5766 clients use up to 0x7FFF. */
#define TURN_CHANNEL_MAX	0x7FFF

/* Is the first byte that of a ChannelData message (0b01)? */
static inline bool turn_is_channel_data(const uint8_t *buf, size_t len)
{
	return len >= TURN_CHANNEL_HEADER && (buf[0] & 0xC0) == 0x40;
}

/*
 * A ChannelData message in buf: its channel and payload.  A datagram may
 * carry padding after the payload; -EINVAL if the length does not fit.
 */
int turn_parse_channel_data(const uint8_t *buf, size_t len,
			    uint16_t *channel, const uint8_t **data,
			    size_t *data_len);
/*
 * For a stream carrying STUN and ChannelData (TURN over TCP): how long
 * is the frame at buf, ChannelData padded to 4?  0 if not complete enough
 * to tell, -1 if neither.
 */
long turn_frame_len(const uint8_t *buf, size_t len);

/* CHANNEL-NUMBER: the number and two reserved bytes. */
void turn_add_channel(struct stun_builder *b, uint16_t channel);
int turn_get_channel(const struct stun_attr *a, uint16_t *channel);
/* REQUESTED-TRANSPORT: the protocol number and three reserved bytes. */
int turn_get_transport(const struct stun_attr *a, uint8_t *protocol);
void turn_add_transport(struct stun_builder *b, uint8_t protocol);
/* A family's code (0x01, 0x02) as AF_INET(6); -EAFNOSUPPORT if neither. */
int turn_family(uint8_t value, int *family);
/* REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY: AF_INET(6). */
int turn_get_family(const struct stun_attr *a, int *family);
void turn_add_family(struct stun_builder *b, uint16_t type, int family);
/* EVEN-PORT: one byte, the R bit. */
int turn_get_even_port(const struct stun_attr *a, bool *reserve);
void turn_add_even_port(struct stun_builder *b, bool reserve);
/* RESERVATION-TOKEN: 8 bytes. */
int turn_get_token(const struct stun_attr *a, uint8_t token[TURN_TOKEN_LEN]);

/* ADDRESS-ERROR-CODE: why a dual allocation lacks family (error.c). */
void turn_add_address_error(struct stun_builder *b, int family, int code);
/* 0, -EINVAL (as ERROR-CODE) or -EAFNOSUPPORT (no such family). */
int turn_get_address_error(const struct stun_attr *a, int *family, int *code);

/* fingerprint.c */

uint32_t stun_crc32(const uint8_t *buf, size_t len);
/* Append FINGERPRINT: must be the last attribute added. */
void stun_add_fingerprint(struct stun_builder *b);

/* integrity.c: HMAC over the message, keyed for TURN's credentials. */

/*
 * Append MESSAGE-INTEGRITY (HMAC-SHA1) or MESSAGE-INTEGRITY-SHA256 over
 * everything so far.  The key is the password (short-term) or
 * stun_long_term_key()'s output.
 */
void stun_add_integrity(struct stun_builder *b, const uint8_t *key,
			size_t key_len);
void stun_add_integrity_sha256(struct stun_builder *b, const uint8_t *key,
			       size_t key_len);
/* Do m's MESSAGE-INTEGRITY / -SHA256 match key?  False if absent. */
bool stun_check_integrity(const struct stun_msg *m, const uint8_t *key,
			  size_t key_len);
bool stun_check_integrity_sha256(const struct stun_msg *m, const uint8_t *key,
				 size_t key_len);
/* The long-term key MD5(username ":" realm ":" password); 0 or -EIO. */
int stun_long_term_key(const char *username, const char *realm,
		       const char *password,
		       uint8_t key[STUN_LONG_TERM_KEY_LEN]);

/* Read and write big-endian fields without alignment assumptions. */
static inline uint16_t stun_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t stun_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void stun_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void stun_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

#endif /* CONENAT_STUN_H */
