// SPDX-License-Identifier: GPL-2.0
/*
 * TURN and STUN over TLS (--tls-port, --cert, --key) with OpenSSL.  One
 * SSL_CTX for all workers, replaced whole on SIGHUP: a connection holds a
 * reference on the context it began with, so reloading drops nothing.
 * The pointer is read under a mutex, on accept only.
 */
#include <errno.h>
#include <pthread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "coned.h"

static SSL_CTX *current;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void log_ssl_error(const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	coned_log("%s: %s", what, buf);
	ERR_clear_error();
}

int coned_tls_load(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method()), *old;

	if (!ctx) {
		log_ssl_error("TLS");
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_ssl_error(cert);
		SSL_CTX_free(ctx);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_ssl_error(key);
		SSL_CTX_free(ctx);
		return -1;
	}
	pthread_mutex_lock(&lock);
	old = current;
	current = ctx;
	pthread_mutex_unlock(&lock);
	/* Connections made with the old one keep their references. */
	SSL_CTX_free(old);
	return 0;
}

SSL *coned_tls_new(int fd)
{
	SSL *ssl;

	pthread_mutex_lock(&lock);
	ssl = current ? SSL_new(current) : NULL;
	pthread_mutex_unlock(&lock);
	if (ssl && SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		ssl = NULL;
	}
	return ssl;
}

/* An SSL call's result as send()/recv() would give it (EAGAIN...). */
static ssize_t result(SSL *ssl, int n, bool *want_write)
{
	if (n > 0)
		return n;
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_WRITE:
		if (want_write)
			*want_write = true;
		/* fall through */
	case SSL_ERROR_WANT_READ:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		ERR_clear_error();
		errno = EPROTO;
		return -1;
	}
}

/*
 * SSL_get_error() reads the thread's error queue: it must be empty before
 * each call, or a stale error (another connection's) reads as this one's.
 */
int coned_tls_handshake(SSL *ssl, bool *want_write)
{
	int n;

	ERR_clear_error();
	n = SSL_accept(ssl);

	if (n == 1)
		return 1;
	return result(ssl, n, want_write) < 0 && errno == EAGAIN ? 0 : -1;
}

ssize_t coned_tls_read(SSL *ssl, void *buf, size_t len)
{
	ERR_clear_error();
	return result(ssl, SSL_read(ssl, buf, len), NULL);
}

ssize_t coned_tls_write(SSL *ssl, const void *buf, size_t len)
{
	ERR_clear_error();
	return result(ssl, SSL_write(ssl, buf, len), NULL);
}

void coned_tls_free(SSL *ssl)
{
	if (ssl) {
		ERR_clear_error();
		SSL_shutdown(ssl);
		SSL_free(ssl);
		ERR_clear_error();
	}
}
