// SPDX-License-Identifier: GPL-2.0
/*
 * TURN's long-term credentials (RFC 8489 section 9.2): --user and the
 * users file, or REST-style ephemeral ones from --auth-secret (username
 * "EXPIRY[:name]", password base64(HMAC-SHA1(secret, username))).
 * Nonces carry their own expiry and a MAC over it and the client's
 * address, so they need no table: an expired or forged one gets 438.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "args.h"
#include "report.h"
#include "coned.h"

#define NONCE_LEN	24	/* 8 hex digits of expiry, 16 of MAC */

int turn_auth_init(struct turn_shared *sh)
{
	if (RAND_bytes(sh->nonce_key, sizeof(sh->nonce_key)) != 1)
		return -EIO;
	return 0;
}

static void nonce_mac(const struct coned *srv, const char *expiry,
		      const struct sockaddr_storage *client, char out[17])
{
	uint8_t msg[8 + 16], mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	size_t n = 8;

	memcpy(msg, expiry, 8);
	if (client->ss_family == AF_INET6) {
		memcpy(msg + n, &((const struct sockaddr_in6 *)client)->sin6_addr, 16);
		n += 16;
	} else {
		memcpy(msg + n, &((const struct sockaddr_in *)client)->sin_addr, 4);
		n += 4;
	}
	HMAC(EVP_sha1(), srv->turn->shared->nonce_key,
	     sizeof(srv->turn->shared->nonce_key),
	     msg, n, mac, &len);
	for (i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", mac[i]);
}

/* A fresh nonce for client into out (NONCE_LEN + 1 bytes). */
void turn_make_nonce(const struct coned *srv,
		     const struct sockaddr_storage *client, char *out)
{
	uint32_t expiry = coned_now() + srv->cfg.turn.nonce_lifetime;

	snprintf(out, 9, "%08x", expiry);
	nonce_mac(srv, out, client, out + 8);
}

static bool nonce_valid(const struct coned *srv,
			const struct sockaddr_storage *client,
			const char *nonce)
{
	char mac[17];
	unsigned long expiry;
	char *end;

	if (strlen(nonce) != NONCE_LEN)
		return false;
	nonce_mac(srv, nonce, client, mac);
	if (CRYPTO_memcmp(mac, nonce + 8, 16))
		return false;
	{
		char digits[9];

		memcpy(digits, nonce, 8);
		digits[8] = '\0';
		expiry = strtoul(digits, &end, 16);
		if (*end)
			return false;
	}
	return coned_now() < expiry;
}

/* The password for username; false if there is none (or it expired). */
static bool find_password_locked(const struct turn_config *cfg,
				 const char *username, char *password,
				 size_t size)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	uint64_t expiry;
	char digits[21];
	size_t n;

	for (i = 0; i < cfg->n_users; i++) {
		if (!strcmp(cfg->users[i].name, username)) {
			snprintf(password, size, "%s", cfg->users[i].password);
			return true;
		}
	}
	if (!cfg->auth_secret)
		return false;
	n = strcspn(username, ":");
	if (!n || n >= sizeof(digits))
		return false;
	memcpy(digits, username, n);
	digits[n] = '\0';
	if (!parse_uint(digits, 0, UINT64_MAX, &expiry) ||
	    expiry <= (uint64_t)time(NULL))
		return false;
	if (!HMAC(EVP_sha1(), cfg->auth_secret, strlen(cfg->auth_secret),
		  (const uint8_t *)username, strlen(username), mac, &len) ||
	    size < 4 * ((len + 2) / 3) + 1)
		return false;
	EVP_EncodeBlock((uint8_t *)password, mac, len);
	return true;
}

/* The live credentials, which SIGHUP may replace, under the lock. */
static bool find_password(const struct coned *srv, const char *username,
			  char *password, size_t size)
{
	struct turn_shared *sh = srv->turn->shared;
	bool ok;

	pthread_mutex_lock(&sh->lock);
	ok = find_password_locked(sh->live, username, password, size);
	pthread_mutex_unlock(&sh->lock);
	return ok;
}

static void free_live(struct turn_config *live)
{
	unsigned int i;

	if (!live)
		return;
	for (i = 0; i < live->n_users; i++) {
		free(live->users[i].name);
		free(live->users[i].password);
	}
	free(live->users);
	free((char *)live->auth_secret);
	free(live);
}

void turn_auth_free(struct turn_shared *sh)
{
	free_live(sh->live);
	sh->live = NULL;
}

int turn_shared_reload(struct turn_shared *sh, const struct turn_config *cfg)
{
	struct turn_config *live = calloc(1, sizeof(*live)), *old;
	unsigned int i;

	if (!live)
		return -ENOMEM;
	live->users = calloc(cfg->n_users + 1, sizeof(*live->users));
	live->auth_secret = cfg->auth_secret ? strdup(cfg->auth_secret) : NULL;
	if (!live->users || (cfg->auth_secret && !live->auth_secret)) {
		free_live(live);
		return -ENOMEM;
	}
	for (i = 0; i < cfg->n_users; i++) {
		live->users[i].name = strdup(cfg->users[i].name);
		live->users[i].password = strdup(cfg->users[i].password);
		live->n_users++;
		if (!live->users[i].name || !live->users[i].password) {
			free_live(live);
			return -ENOMEM;
		}
	}
	live->user_quota = cfg->user_quota;
	live->max_allocations = cfg->max_allocations;
	live->bandwidth = cfg->bandwidth;
	pthread_mutex_lock(&sh->lock);
	old = sh->live;
	sh->live = live;
	__atomic_store_n(&sh->bandwidth, cfg->bandwidth, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sh->lock);
	free_live(old);
	return 0;
}

static bool get_text(const struct stun_msg *m, uint16_t type, char *s,
		     size_t size)
{
	struct stun_attr a;

	return stun_find(m, type, &a) && !stun_get_text(&a, s, size);
}

bool turn_authenticate(struct coned_request *req, struct turn_auth *a)
{
	const struct stun_msg *m = req->msg;
	struct turn_stats *st = &req->srv->turn->stats;
	char realm[STUN_MAX_TEXT + 1], nonce[STUN_MAX_TEXT + 1];
	char password[STUN_MAX_TEXT + 1];
	bool ok;

	memset(a, 0, sizeof(*a));
	if (!m->integrity_at && !m->integrity_sha256_at) {
		/* The 401 answers anyone: rate-limited per source on UDP. */
		if (req->conn || coned_rate_ok(req->srv, &req->peer))
			turn_send_error(req, STUN_ERR_UNAUTHORIZED, NULL);
		return false;
	}
	if (!get_text(m, STUN_ATTR_USERNAME, a->name, sizeof(a->name)) ||
	    !get_text(m, STUN_ATTR_REALM, realm, sizeof(realm)) ||
	    !get_text(m, STUN_ATTR_NONCE, nonce, sizeof(nonce))) {
		turn_send_error(req, STUN_ERR_BAD_REQUEST, NULL);
		return false;
	}
	if (!nonce_valid(req->srv, &req->peer, nonce)) {
		STAT_ADD(st->stale_nonces, 1);
		turn_send_error(req, STUN_ERR_STALE_NONCE, NULL);
		return false;
	}
	if (strcmp(realm, req->srv->cfg.turn.realm) ||
	    !find_password(req->srv, a->name, password, sizeof(password)) ||
	    stun_long_term_key(a->name, realm, password, a->key)) {
		STAT_ADD(st->auth_failures, 1);
		coned_debug(req->srv, "%s: unknown or expired user \"%s\"",
			    coned_addr_str(&req->peer), a->name);
		turn_send_error(req, STUN_ERR_UNAUTHORIZED, NULL);
		return false;
	}
	a->sha256 = m->integrity_sha256_at;
	ok = a->sha256 ? stun_check_integrity_sha256(m, a->key, sizeof(a->key)) :
			 stun_check_integrity(m, a->key, sizeof(a->key));
	if (!ok) {
		STAT_ADD(st->auth_failures, 1);
		coned_debug(req->srv, "%s: wrong MESSAGE-INTEGRITY for \"%s\"",
			    coned_addr_str(&req->peer), a->name);
		turn_send_error(req, STUN_ERR_UNAUTHORIZED, NULL);
		return false;
	}
	a->username = a->name;
	return true;
}

static int add_user(struct turn_config *cfg, const char *line)
{
	const char *colon = strchr(line, ':');
	struct turn_user *u;

	if (!colon || colon == line || !colon[1] ||
	    colon - line > STUN_MAX_TEXT || strlen(colon + 1) > STUN_MAX_TEXT)
		return -EINVAL;
	u = realloc(cfg->users, (cfg->n_users + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	cfg->users = u;
	u += cfg->n_users;
	u->name = strndup(line, colon - line);
	u->password = strdup(colon + 1);
	if (!u->name || !u->password)
		return -ENOMEM;
	cfg->n_users++;
	return 0;
}

int turn_add_user(struct turn_config *cfg, const char *spec)
{
	int rc = add_user(cfg, spec);

	if (!rc)
		cfg->n_cli_users = cfg->n_users;
	return rc;
}

int turn_read_users(struct turn_config *cfg, const char *path)
{
	char line[2 * STUN_MAX_TEXT + 4];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return fail("--users-file %s: %s", path, strerror(errno));
	while (cfg->n_users > cfg->n_cli_users) {
		cfg->n_users--;
		free(cfg->users[cfg->n_users].name);
		free(cfg->users[cfg->n_users].password);
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		if (add_user(cfg, line)) {
			fclose(f);
			return fail("--users-file %s:%u: not NAME:PASSWORD",
				    path, lineno);
		}
	}
	fclose(f);
	return 0;
}
