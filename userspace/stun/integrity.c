// SPDX-License-Identifier: GPL-2.0
/*
 * MESSAGE-INTEGRITY (HMAC-SHA1) and MESSAGE-INTEGRITY-SHA256, and the
 * long-term credential key, with libcrypto's one-shot calls.  The HMAC
 * covers the message up to the attribute, with a header whose length
 * counts everything up to the end of the attribute.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "stun.h"

static void add_hmac(struct stun_builder *b, const EVP_MD *md,
		     uint16_t type, size_t mac_len, const uint8_t *key,
		     size_t key_len)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (b->overflow || b->cap - b->len < STUN_ATTR_HEADER_LEN + mac_len) {
		b->overflow = true;
		return;
	}
	stun_put16(b->buf + 2, b->len + STUN_ATTR_HEADER_LEN + mac_len -
			       STUN_HEADER_LEN);
	if (!HMAC(md, key, key_len, b->buf, b->len, mac, &len) ||
	    len < mac_len) {
		b->overflow = true;
		return;
	}
	stun_add(b, type, mac, mac_len);
}

void stun_add_integrity(struct stun_builder *b, const uint8_t *key,
			size_t key_len)
{
	add_hmac(b, EVP_sha1(), STUN_ATTR_MESSAGE_INTEGRITY,
		 STUN_HMAC_SHA1_LEN, key, key_len);
}

void stun_add_integrity_sha256(struct stun_builder *b, const uint8_t *key,
			       size_t key_len)
{
	add_hmac(b, EVP_sha256(), STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
		 STUN_HMAC_SHA256_LEN, key, key_len);
}

/* Does the attribute at `at` (stun_parse() checked its length) match? */
static bool check_hmac(const struct stun_msg *m, size_t at, const EVP_MD *md,
		       const uint8_t *key, size_t key_len)
{
	uint16_t mac_len = stun_get16(m->buf + at + 2);
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	uint8_t *copy;
	bool ok;

	if (!at)
		return false;
	/* The header's length field differs: hash a copy. */
	copy = malloc(at);
	if (!copy)
		return false;
	memcpy(copy, m->buf, at);
	stun_put16(copy + 2, at + STUN_ATTR_HEADER_LEN + mac_len -
			     STUN_HEADER_LEN);
	ok = HMAC(md, key, key_len, copy, at, mac, &len) && len >= mac_len &&
	     !CRYPTO_memcmp(mac, m->buf + at + STUN_ATTR_HEADER_LEN, mac_len);
	free(copy);
	return ok;
}

bool stun_check_integrity(const struct stun_msg *m, const uint8_t *key,
			  size_t key_len)
{
	return check_hmac(m, m->integrity_at, EVP_sha1(), key, key_len);
}

bool stun_check_integrity_sha256(const struct stun_msg *m, const uint8_t *key,
				 size_t key_len)
{
	return check_hmac(m, m->integrity_sha256_at, EVP_sha256(), key,
			  key_len);
}

int stun_long_term_key(const char *username, const char *realm,
		       const char *password,
		       uint8_t key[STUN_LONG_TERM_KEY_LEN])
{
	size_t len = strlen(username) + strlen(realm) + strlen(password) + 3;
	size_t out_len = 0;
	char *s = malloc(len);
	int n;

	if (!s)
		return -ENOMEM;
	n = snprintf(s, len, "%s:%s:%s", username, realm, password);
	if (n < 0 || (size_t)n >= len ||
	    !EVP_Q_digest(NULL, "MD5", NULL, s, n, key, &out_len) ||
	    out_len != STUN_LONG_TERM_KEY_LEN) {
		free(s);
		return -EIO;
	}
	free(s);
	return 0;
}
