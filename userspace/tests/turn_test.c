// SPDX-License-Identifier: GPL-2.0
/*
 * coned's TURN relay (RFC 8656) against real sockets.  Each test makes
 * two network namespaces joined by a veth pair: coned in one (198.51.100.1
 * and 2001:db8::1, plus 198.51.100.3, a local address that is not a relay
 * address), the test's client (192.0.2.10, 2001:db8::10) and peers
 * (203.0.113.10, 203.0.113.11) in the other, so permissions, which are
 * per IP address, are tested with distinct addresses.  Lifetimes are
 * configured short so expiry is seen in seconds.  Needs root and ip(8).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sockaddr.h"
#include "stun.h"

#define SERVER		"198.51.100.1"
#define SERVER6		"2001:db8::1"
#define SERVER_OTHER	"198.51.100.3"
#define CLIENT		"192.0.2.10"
#define CLIENT6		"2001:db8::10"
#define PEER		"203.0.113.10"
#define PEER2		"203.0.113.11"
#define PEER6		"2001:db8::20"
#define REALM		"test"
#define TIMEOUT_MS	300
#define TRIES		5
#define START_MS	3000

static struct sockaddr_storage endpoint(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;

	if (!ss_parse_addr(addr, &ss))
		abort();
	ss_set_port(&ss, port);
	return ss;
}

static bool is_addr(const struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_storage want = endpoint(addr, 0);

	return ss_same_addr(ss, &want);
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* A socket bound to addr (any port); connected to `to` unless NULL. */
static int open_socket(const char *addr, int type,
		       const struct sockaddr_storage *to)
{
	struct sockaddr_storage ss = endpoint(addr, 0);
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	set_timeout(fd, TIMEOUT_MS);
	if (bind(fd, (struct sockaddr *)&ss, ss_len(&ss)) ||
	    (to && connect(fd, (const struct sockaddr *)to, ss_len(to)))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What start_coned() runs, from bin/: coned, or coned-asan. */
static const char *coned_binary = "coned";

static const char *coned_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		n = snprintf(exe, sizeof(exe), "tests/turn_test");
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../bin/%s", dirname(exe),
		 coned_binary);
	return path;
}

/* A TURN client: its socket and credentials. */
struct client {
	int fd;
	bool tcp;
	SSL *ssl;			/* TLS over tcp */
	char user[128], pass[128];
	char nonce[STUN_MAX_TEXT + 1];
	uint8_t key[STUN_LONG_TERM_KEY_LEN];
	bool sha256;
};

/* What a request carries besides credentials. */
struct attrs {
	bool no_transport;
	uint8_t transport;		/* 0: UDP */
	bool has_lifetime;
	uint32_t lifetime;
	struct sockaddr_storage peers[4];
	unsigned int n_peers;
	uint16_t channel;
	int even;			/* 0 none, 1 EVEN-PORT, 2 with R */
	bool has_token;
	uint8_t token[TURN_TOKEN_LEN];
	int family;			/* REQUESTED-ADDRESS-FAMILY; 0 none */
	int additional;			/* ADDITIONAL-ADDRESS-FAMILY; 0 none */
	bool dont_fragment;
	uint16_t extra_attr;
};

static int client_open_port(struct client *c, const char *addr, bool tcp,
			    const char *user, const char *pass, uint16_t port)
{
	struct sockaddr_storage srv = endpoint(strchr(addr, ':') ? SERVER6 :
					       SERVER, port);

	memset(c, 0, sizeof(*c));
	c->tcp = tcp;
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->pass, sizeof(c->pass), "%s", pass);
	c->fd = open_socket(addr, tcp ? SOCK_STREAM : SOCK_DGRAM, &srv);
	/* No retransmission on a stream: wait for all the tries at once. */
	if (tcp && c->fd >= 0)
		set_timeout(c->fd, TRIES * TIMEOUT_MS);
	return c->fd < 0 ? -1 : 0;
}

static int client_open(struct client *c, const char *addr, bool tcp,
		       const char *user, const char *pass)
{
	return client_open_port(c, addr, tcp, user, pass, 3478);
}

static ssize_t c_send(struct client *c, const void *buf, size_t len)
{
	if (c->ssl)
		return SSL_write(c->ssl, buf, len) == (int)len ? (ssize_t)len : -1;
	return send(c->fd, buf, len, 0);
}

/* Exactly len bytes from the stream (TLS or TCP); len or -1. */
static ssize_t c_read_all(struct client *c, uint8_t *buf, size_t len)
{
	size_t got = 0;
	int n;

	if (!c->ssl)
		return recv(c->fd, buf, len, MSG_WAITALL);
	while (got < len) {
		n = SSL_read(c->ssl, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += n;
	}
	return len;
}

/* Over TLS on the --tls-port: 0 or -1. */
static int client_tls(struct client *c)
{
	static SSL_CTX *ctx;

	if (!ctx)
		ctx = SSL_CTX_new(TLS_client_method());
	c->ssl = ctx ? SSL_new(ctx) : NULL;
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_connect(c->ssl) != 1)
		return -1;
	return 0;
}

/* One message or ChannelData frame from the server; its length or -1. */
static ssize_t client_recv(struct client *c, uint8_t *buf, size_t cap)
{
	ssize_t n;
	long frame;

	if (!c->tcp)
		return recv(c->fd, buf, cap, 0);
	n = c_read_all(c, buf, 4);
	if (n != 4)
		return -1;
	if ((buf[0] & 0xC0) == 0x40)
		frame = 4 + ((stun_get16(buf + 2) + 3) & ~3);
	else
		frame = STUN_HEADER_LEN + stun_get16(buf + 2);
	if ((size_t)frame > cap)
		return -1;
	n = c_read_all(c, buf + 4, frame - 4);
	return n == frame - 4 ? frame : -1;
}

static size_t build(struct client *c, uint16_t type, const struct attrs *o,
		    uint8_t *buf, size_t cap, uint8_t *tid)
{
	struct stun_builder b;
	unsigned int i;

	for (i = 0; i < STUN_TID_LEN; i++)
		tid[i] = random();
	stun_build_init(&b, buf, cap, type, tid, false);
	if (stun_method(type) == STUN_ALLOCATE && (!o || !o->no_transport))
		turn_add_transport(&b, o && o->transport ? o->transport :
				   TURN_TRANSPORT_UDP);
	if (o && o->has_lifetime)
		stun_add_u32(&b, STUN_ATTR_LIFETIME, o->lifetime);
	if (o && o->channel) {
		turn_add_channel(&b, o->channel);
	}
	for (i = 0; o && i < o->n_peers; i++)
		stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
				  (const struct sockaddr *)&o->peers[i]);
	if (o && o->even)
		turn_add_even_port(&b, o->even == 2);
	if (o && o->has_token)
		stun_add(&b, STUN_ATTR_RESERVATION_TOKEN, o->token,
			 TURN_TOKEN_LEN);
	if (o && o->family)
		turn_add_family(&b, STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
				o->family);
	if (o && o->additional)
		turn_add_family(&b, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
				o->additional);
	if (o && o->dont_fragment)
		stun_add(&b, STUN_ATTR_DONT_FRAGMENT, "", 0);
	if (o && o->extra_attr)
		stun_add_u32(&b, o->extra_attr, 0);
	if (c->nonce[0] && stun_class(type) == STUN_REQUEST) {
		stun_add_string(&b, STUN_ATTR_USERNAME, c->user);
		stun_add_string(&b, STUN_ATTR_REALM, REALM);
		stun_add_string(&b, STUN_ATTR_NONCE, c->nonce);
		if (c->sha256)
			stun_add_integrity_sha256(&b, c->key, sizeof(c->key));
		else
			stun_add_integrity(&b, c->key, sizeof(c->key));
	}
	stun_add_fingerprint(&b);
	return stun_build_end(&b);
}

/* The response, parsed into m (over resp); its error code, 0, or -1. */
struct answer {
	uint8_t buf[2048];
	struct stun_msg m;
	int code;
};

static int code_of(const struct stun_msg *m)
{
	struct stun_attr a;
	int code;

	if (stun_class(m->type) == STUN_SUCCESS)
		return 0;
	if (!stun_find(m, STUN_ATTR_ERROR_CODE, &a) ||
	    stun_get_error(&a, &code, NULL, 0))
		return -1;
	return code;
}

/* One transaction, retransmitted over UDP; the code or -1. */
static int transact_once(struct client *c, uint16_t method,
			 const struct attrs *o, struct answer *ans)
{
	uint8_t req[2048], tid[STUN_TID_LEN];
	size_t len = build(c, stun_type(method, STUN_REQUEST), o, req,
			   sizeof(req), tid);
	ssize_t n;
	int try;

	for (try = 0; try < TRIES; try++) {
		if (c_send(c, req, len) != (ssize_t)len)
			return -1;
		for (;;) {
			n = client_recv(c, ans->buf, sizeof(ans->buf));
			if (n < 0)
				break;
			if (n >= STUN_HEADER_LEN &&
			    !memcmp(ans->buf + 8, tid, STUN_TID_LEN) &&
			    !stun_parse(&ans->m, ans->buf, n, false))
				return ans->code = code_of(&ans->m);
		}
		if (c->tcp)
			return -1;
	}
	return -1;
}

/* Take REALM and NONCE from a 401/438 and make the key. */
static void take_nonce(struct client *c, const struct answer *ans)
{
	struct stun_attr a;

	if (stun_find(&ans->m, STUN_ATTR_NONCE, &a))
		stun_get_text(&a, c->nonce, sizeof(c->nonce));
	stun_long_term_key(c->user, REALM, c->pass, c->key);
}

/* A transaction that fetches a nonce first if it has none (401). */
static int transact(struct client *c, uint16_t method, const struct attrs *o,
		    struct answer *ans)
{
	int code = transact_once(c, method, o, ans);

	if (code == STUN_ERR_UNAUTHORIZED && !c->nonce[0]) {
		take_nonce(c, ans);
		code = transact_once(c, method, o, ans);
	}
	return code;
}

static bool relayed_of(const struct answer *ans, struct sockaddr_storage *ss)
{
	struct stun_attr a;

	return stun_find(&ans->m, STUN_ATTR_XOR_RELAYED_ADDRESS, &a) &&
	       !stun_get_xor_addr(&ans->m, &a, ss);
}

/* Allocate on c; the relayed address into relayed; the code. */
static int allocate(struct client *c, const struct attrs *o,
		    struct sockaddr_storage *relayed)
{
	struct answer ans;
	int code = transact(c, STUN_ALLOCATE, o, &ans);

	if (!code && relayed && !relayed_of(&ans, relayed))
		return -1;
	return code;
}

static int permit(struct client *c, const char *peer)
{
	struct attrs o = { .n_peers = 1 };
	struct answer ans;

	o.peers[0] = endpoint(peer, 9);
	return transact(c, STUN_CREATE_PERMISSION, &o, &ans);
}

static int bind_channel(struct client *c, uint16_t channel,
			const struct sockaddr_storage *peer)
{
	struct attrs o = { .n_peers = 1, .channel = channel };
	struct answer ans;

	o.peers[0] = *peer;
	return transact(c, STUN_CHANNEL_BIND, &o, &ans);
}

static int refresh(struct client *c, uint32_t lifetime)
{
	struct attrs o = { .has_lifetime = true, .lifetime = lifetime };
	struct answer ans;

	return transact(c, STUN_REFRESH, &o, &ans);
}

static struct sockaddr_storage local_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ss;
}

/* A Send indication of data to peer. */
static void send_indication(struct client *c,
			    const struct sockaddr_storage *peer,
			    const void *data, size_t len, bool df)
{
	static uint8_t buf[4096];
	uint8_t tid[STUN_TID_LEN] = { 1 };
	struct stun_builder b;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_SEND, STUN_INDICATION), tid, false);
	stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
			  (const struct sockaddr *)peer);
	stun_add(&b, STUN_ATTR_DATA, data, len);
	if (df)
		stun_add(&b, STUN_ATTR_DONT_FRAGMENT, "", 0);
	len = stun_build_end(&b);
	c_send(c, buf, len);
}

static void send_channel_data(struct client *c, uint16_t channel,
			      const void *data, size_t len)
{
	uint8_t buf[2048] = { 0 };
	size_t padded = c->tcp ? (len + 3) & ~3u : len;

	stun_put16(buf, channel);
	stun_put16(buf + 2, len);
	memcpy(buf + 4, data, len);
	c_send(c, buf, 4 + padded);
}

/*
 * What the client gets from the relay next: payload into data, the
 * channel (0 for a Data indication) and for an indication the peer.
 * The payload length, or -1 if nothing came.
 */
static ssize_t client_data(struct client *c, uint8_t *data, size_t cap,
			   uint16_t *channel, struct sockaddr_storage *peer)
{
	uint8_t buf[4096];
	struct stun_msg m;
	struct stun_attr a;
	ssize_t n;

	for (;;) {
		n = client_recv(c, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if ((buf[0] & 0xC0) == 0x40) {
			size_t len = stun_get16(buf + 2);

			if (len > cap || len + 4 > (size_t)n)
				return -1;
			*channel = stun_get16(buf);
			memcpy(data, buf + 4, len);
			return len;
		}
		if (stun_parse(&m, buf, n, false) ||
		    m.type != stun_type(STUN_DATA, STUN_INDICATION))
			continue;	/* a late response */
		if (!stun_find(&m, STUN_ATTR_DATA, &a) || a.len > cap)
			return -1;
		memcpy(data, a.value, a.len);
		*channel = 0;
		n = a.len;
		if (!stun_find(&m, STUN_ATTR_XOR_PEER_ADDRESS, &a) ||
		    stun_get_xor_addr(&m, &a, peer))
			return -1;
		return n;
	}
}

/* Does a datagram from peer socket pfd to `to` reach the client? */
static bool reaches_client(struct client *c, int pfd,
			   const struct sockaddr_storage *to,
			   uint16_t *channel)
{
	static const char msg[] = "peer to client";
	struct sockaddr_storage from;
	uint8_t data[256];
	ssize_t n;

	sendto(pfd, msg, sizeof(msg), 0, (const struct sockaddr *)to,
	       ss_len(to));
	n = client_data(c, data, sizeof(data), channel, &from);
	return n == sizeof(msg) && !memcmp(data, msg, n);
}

/* Did the peer socket receive exactly data (from the relayed address)? */
static bool peer_got(int pfd, const void *data, size_t len,
		     const struct sockaddr_storage *relayed)
{
	static uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t alen = sizeof(from);
	ssize_t n = recvfrom(pfd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &alen);

	return n == (ssize_t)len && !memcmp(buf, data, len) &&
	       ss_equal(&from, relayed);
}

FIXTURE(turn) {
	pid_t pid;
	struct client c;
	int peer, peer2;
	struct sockaddr_storage relayed;
};

/* Run coned in a namespace of its own on the far end of the veth. */
static pid_t start_coned(const char *const more[])
{
	const char *argv[40] = {
		"coned", "--address", SERVER, "--turn", "--realm", REALM,
		"--user", "alice:secret", "--user", "bob:hunter2",
		/* Clients spread over workers: quotas, reservations shared. */
		"--workers", "4",
	};
	unsigned int i, n = 12;
	int go[2], ready[2], fd, waited;
	char cmd[128], byte;
	pid_t pid;

	for (i = 0; more && more[i] && n < 39; i++)
		argv[n++] = more[i];
	argv[n] = NULL;
	if (pipe(go) || pipe(ready))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET))
			_exit(126);
		write(ready[1], "r", 1);
		if (read(go[0], &byte, 1) != 1)
			_exit(126);
		if (system("ip link set lo up && ip link set vb up && "
			   "ip addr add " SERVER "/24 dev vb && "
			   "ip addr add " SERVER_OTHER "/24 dev vb && "
			   "ip addr add " SERVER6 "/64 dev vb nodad && "
			   "ip route add default dev vb && "
			   "ip -6 route add default dev vb"))
			_exit(126);
		fd = open("/dev/null", O_RDWR);
		if (!getenv("TURN_TEST_VERBOSE")) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(coned_path(), (char *const *)argv);
		_exit(127);
	}
	if (read(ready[0], &byte, 1) != 1)
		return -1;
	snprintf(cmd, sizeof(cmd), "ip link set vb netns %d", pid);
	if (system(cmd) || write(go[1], "g", 1) != 1)
		return -1;
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	/* Up when an Allocate without credentials gets its 401. */
	for (waited = 0; waited < START_MS; waited += TIMEOUT_MS) {
		struct client c;
		struct answer ans;
		int code;

		if (client_open(&c, CLIENT, false, "x", "x"))
			return -1;
		set_timeout(c.fd, 100);
		code = transact_once(&c, STUN_ALLOCATE, NULL, &ans);
		close(c.fd);
		if (code == STUN_ERR_UNAUTHORIZED)
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

FIXTURE_SETUP(turn)
{
	self->c.fd = self->peer = self->peer2 = -1;
	if (geteuid())
		SKIP(return, "needs root (network namespaces)");
	ASSERT_EQ(0, system("command -v ip >/dev/null"));
	ASSERT_EQ(0, access(coned_path(), X_OK))
		TH_LOG("%s: %s; make -C userspace first", coned_path(),
		       strerror(errno));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up && "
			    "ip link add va type veth peer name vb && "
			    "ip link set va up && "
			    "ip addr add " CLIENT "/24 dev va && "
			    "ip addr add " PEER "/24 dev va && "
			    "ip addr add " PEER2 "/24 dev va && "
			    "ip addr add " CLIENT6 "/64 dev va nodad && "
			    "ip addr add " PEER6 "/64 dev va nodad && "
			    "ip route add default dev va && "
			    "ip -6 route add default dev va"));
	self->peer = open_socket(PEER, SOCK_DGRAM, NULL);
	self->peer2 = open_socket(PEER2, SOCK_DGRAM, NULL);
	ASSERT_LE(0, self->peer);
	ASSERT_LE(0, self->peer2);
}

FIXTURE_TEARDOWN(turn)
{
	if (self->c.fd >= 0)
		close(self->c.fd);
	if (self->pid > 0) {
		kill(self->pid, SIGTERM);
		waitpid(self->pid, NULL, 0);
	}
}

/* coned with relay addresses of both families, and more options. */
#define START(...) START4("--relay-address", SERVER, \
			   "--relay-address", SERVER6, __VA_ARGS__)
/* Only the IPv4 relay address (--address). */
#define START4(...) do { \
	self->pid = start_coned((const char *const[]){ __VA_ARGS__, NULL }); \
	ASSERT_LT(0, self->pid) TH_LOG("coned did not start"); \
} while (0)

#define OPEN(addr, tcp, user, pass) \
	ASSERT_EQ(0, client_open(&self->c, addr, tcp, user, pass))

/* Allocate, permission, both directions by Send/Data and by channel. */
static void relay_both_ways(struct __test_metadata *_metadata,
			    FIXTURE_DATA(turn) *self, bool tcp)
{
	static const char up[] = "client to peer";
	struct sockaddr_storage peer = local_of(self->peer);
	struct sockaddr_storage from;
	uint8_t data[256];
	uint16_t channel;
	ssize_t n;

	START("--verbose");
	OPEN(CLIENT, tcp, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, &(struct attrs){ 0 }, &self->relayed));
	ASSERT_TRUE(is_addr(&self->relayed, SERVER));
	ASSERT_EQ(0, permit(&self->c, PEER));
	/* Send indication up, Data indication down. */
	send_indication(&self->c, &peer, up, sizeof(up), false);
	ASSERT_TRUE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0, channel);
	/* PEER2 has no permission: dropped both ways (PEER's control above). */
	ASSERT_FALSE(reaches_client(&self->c, self->peer2, &self->relayed,
				    &channel));
	from = local_of(self->peer2);
	send_indication(&self->c, &from, up, sizeof(up), false);
	ASSERT_FALSE(peer_got(self->peer2, up, sizeof(up), &self->relayed));
	/* A channel of RFC 5766's wider range, odd length (TCP pads). */
	ASSERT_EQ(0, bind_channel(&self->c, 0x7FFF, &peer));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0x7FFF, channel);
	send_channel_data(&self->c, 0x7FFF, up, 5);
	ASSERT_TRUE(peer_got(self->peer, up, 5, &self->relayed));
	send_channel_data(&self->c, 0x7FFF, up, sizeof(up));
	ASSERT_TRUE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	/* An unbound channel number goes nowhere. */
	send_channel_data(&self->c, 0x4001, up, sizeof(up));
	ASSERT_FALSE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	/* The peer's next datagram still comes down the channel. */
	n = reaches_client(&self->c, self->peer, &self->relayed, &channel);
	ASSERT_TRUE(n);
	(void)data;
}

TEST_F(turn, relay_udp)
{
	relay_both_ways(_metadata, self, false);
}

TEST_F(turn, relay_tcp)
{
	relay_both_ways(_metadata, self, true);
}

/* Lifetimes: permission 1 s, channel 1 s (its permission 3 s), allocation 2 s. */
TEST_F(turn, lifetimes_expire)
{
	struct sockaddr_storage peer = local_of(self->peer);
	uint16_t channel;

	START("--permission-lifetime", "1", "--channel-lifetime", "1",
	      "--allocation-lifetime", "3", "--max-lifetime", "3");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	usleep(1300 * 1000);
	ASSERT_FALSE(reaches_client(&self->c, self->peer, &self->relayed,
				    &channel)) TH_LOG("permission outlived 1 s");
	ASSERT_EQ(0, refresh(&self->c, 3));
	/* A channel; its binding ends at 1 s, then its permission. */
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0x4000, channel);
	usleep(1300 * 1000);
	ASSERT_FALSE(reaches_client(&self->c, self->peer, &self->relayed,
				    &channel)) TH_LOG("channel outlived 1 s");
	/* The allocation (3 s, about 1.6 s gone) still refreshes... */
	ASSERT_EQ(0, refresh(&self->c, 3));
	usleep(3300 * 1000);
	/* ...and 3 s after its refresh, it is gone. */
	ASSERT_EQ(STUN_ERR_ALLOCATION_MISMATCH, refresh(&self->c, 3));
}

/* Refresh with LIFETIME 0 ends the allocation at once. */
TEST_F(turn, refresh_zero)
{
	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, refresh(&self->c, 600));
	ASSERT_EQ(0, refresh(&self->c, 0));
	ASSERT_EQ(STUN_ERR_ALLOCATION_MISMATCH, refresh(&self->c, 600));
	/* And the 5-tuple may allocate again. */
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
}

/* LIFETIME is bounded: 600 default, 3600 at most. */
TEST_F(turn, lifetime_bounds)
{
	struct attrs o = { .has_lifetime = true, .lifetime = 100000 };
	struct answer ans;
	struct stun_attr a;
	uint32_t v;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, transact(&self->c, STUN_ALLOCATE, &o, &ans));
	ASSERT_TRUE(stun_find(&ans.m, STUN_ATTR_LIFETIME, &a));
	ASSERT_EQ(0, stun_get_u32(&a, &v));
	ASSERT_EQ(3600U, v);
	o.lifetime = 10;
	ASSERT_EQ(0, transact(&self->c, STUN_REFRESH, &o, &ans));
	ASSERT_TRUE(stun_find(&ans.m, STUN_ATTR_LIFETIME, &a));
	ASSERT_EQ(0, stun_get_u32(&a, &v));
	ASSERT_EQ(600U, v);
}

/* A nonce expires: 438 with a new NONCE, which then works. */
TEST_F(turn, stale_nonce)
{
	char old[STUN_MAX_TEXT + 1];
	struct answer ans;

	START("--nonce-lifetime", "1");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, refresh(&self->c, 600));
	strcpy(old, self->c.nonce);
	usleep(2100 * 1000);
	ASSERT_EQ(STUN_ERR_STALE_NONCE,
		  transact_once(&self->c, STUN_REFRESH, NULL, &ans));
	take_nonce(&self->c, &ans);
	ASSERT_STRNE(old, self->c.nonce);
	ASSERT_EQ(0, transact_once(&self->c, STUN_REFRESH, NULL, &ans));
	/* A forged nonce is stale too. */
	self->c.nonce[9] ^= 1;
	ASSERT_EQ(STUN_ERR_STALE_NONCE,
		  transact_once(&self->c, STUN_REFRESH, NULL, &ans));
}

/* Wrong password, unknown user, MESSAGE-INTEGRITY-SHA256, 441. */
TEST_F(turn, credentials)
{
	struct client other;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "wrong");
	ASSERT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&self->c, NULL, NULL));
	close(self->c.fd);
	OPEN(CLIENT, false, "mallory", "secret");
	ASSERT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&self->c, NULL, NULL));
	close(self->c.fd);
	OPEN(CLIENT, false, "alice", "secret");
	self->c.sha256 = true;
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	/* bob on alice's 5-tuple: 441. */
	other = self->c;
	strcpy(other.user, "bob");
	strcpy(other.pass, "hunter2");
	stun_long_term_key(other.user, REALM, other.pass, other.key);
	ASSERT_EQ(STUN_ERR_WRONG_CREDENTIALS, refresh(&other, 600));
	ASSERT_EQ(0, refresh(&self->c, 600));
}

static void rest_password(const char *user, char *out)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len;

	HMAC(EVP_sha1(), "s3cret", 6, (const uint8_t *)user, strlen(user),
	     mac, &len);
	EVP_EncodeBlock((uint8_t *)out, mac, len);
}

/* REST credentials: "EXPIRY:name" works until EXPIRY, then 401. */
TEST_F(turn, rest_credentials)
{
	char user[64], pass[64];

	START("--auth-secret", "s3cret");
	snprintf(user, sizeof(user), "%lld:carol", (long long)time(NULL) + 60);
	rest_password(user, pass);
	OPEN(CLIENT, false, user, pass);
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	close(self->c.fd);
	snprintf(user, sizeof(user), "%lld:carol", (long long)time(NULL) - 1);
	rest_password(user, pass);
	OPEN(CLIENT, false, user, pass);
	ASSERT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&self->c, NULL, NULL));
	close(self->c.fd);
	/* A wrong password for a valid expiry. */
	snprintf(user, sizeof(user), "%lld", (long long)time(NULL) + 60);
	OPEN(CLIENT, false, user, "bm90IGl0");
	ASSERT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&self->c, NULL, NULL));
}

/* 403 for every default-denied range, on CreatePermission and ChannelBind. */
TEST_F(turn, denied_peers)
{
	static const char *const v4[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "10.1.2.3", "172.16.0.1",
		"172.31.255.254", "192.168.1.1", "100.64.0.1", "169.254.1.1",
		"224.0.0.1", "239.1.1.1", "240.0.0.1", "255.255.255.255",
		SERVER_OTHER,
	};
	static const char *const v6[] = {
		"::", "::1", "::ffff:192.0.2.1", "fc00::1", "fd12::1",
		"fe80::1", "ff02::1",
	};
	struct sockaddr_storage peer;
	struct client c6;
	unsigned int i;

	START("--deny-peer", PEER2, "--allow-peer", "10.9.0.0/16");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		peer = endpoint(v4[i], 9);
		EXPECT_EQ(STUN_ERR_FORBIDDEN, permit(&self->c, v4[i]))
			TH_LOG("CreatePermission %s", v4[i]);
		EXPECT_EQ(STUN_ERR_FORBIDDEN,
			  bind_channel(&self->c, 0x4000 + i, &peer))
			TH_LOG("ChannelBind %s", v4[i]);
	}
	/* --deny-peer closes more, --allow-peer opens a range. */
	EXPECT_EQ(STUN_ERR_FORBIDDEN, permit(&self->c, PEER2));
	EXPECT_EQ(0, permit(&self->c, "10.9.8.7"));
	EXPECT_EQ(STUN_ERR_FORBIDDEN, permit(&self->c, "10.10.8.7"));
	/* Positive controls: a public peer, our own relay address. */
	EXPECT_EQ(0, permit(&self->c, PEER));
	EXPECT_EQ(0, permit(&self->c, SERVER));
	/* One family per allocation: 443. */
	EXPECT_EQ(STUN_ERR_PEER_ADDRESS_FAMILY, permit(&self->c, PEER6));

	/* An IPv6 relay for a client that reaches us over IPv4. */
	ASSERT_EQ(0, client_open(&c6, CLIENT, false, "alice", "secret"));
	ASSERT_EQ(0, allocate(&c6, &(struct attrs){ .family = AF_INET6 },
			      &peer));
	ASSERT_TRUE(is_addr(&peer, SERVER6));
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		peer = endpoint(v6[i], 9);
		EXPECT_EQ(STUN_ERR_FORBIDDEN, permit(&c6, v6[i]))
			TH_LOG("CreatePermission %s", v6[i]);
		EXPECT_EQ(STUN_ERR_FORBIDDEN, bind_channel(&c6, 0x4000 + i, &peer))
			TH_LOG("ChannelBind %s", v6[i]);
	}
	EXPECT_EQ(0, permit(&c6, PEER6));
	close(c6.fd);
}

/* --user-quota and --max-allocations: 486. */
TEST_F(turn, quotas)
{
	struct client c[5];
	unsigned int i;

	START("--user-quota", "2", "--max-allocations", "3");
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, client_open(&c[i], CLIENT, false,
					 i < 3 ? "alice" : "bob",
					 i < 3 ? "secret" : "hunter2"));
	EXPECT_EQ(0, allocate(&c[0], NULL, NULL));
	EXPECT_EQ(0, allocate(&c[1], NULL, NULL));
	EXPECT_EQ(STUN_ERR_ALLOCATION_QUOTA, allocate(&c[2], NULL, NULL));
	EXPECT_EQ(0, allocate(&c[3], NULL, NULL));
	EXPECT_EQ(STUN_ERR_ALLOCATION_QUOTA, allocate(&c[4], NULL, NULL));
	/* One ends: alice may allocate again. */
	EXPECT_EQ(0, refresh(&c[0], 0));
	EXPECT_EQ(0, allocate(&c[2], NULL, NULL));
	for (i = 0; i < 5; i++)
		close(c[i].fd);
}

/* --relay-ports: 508 when the range is used up. */
TEST_F(turn, relay_ports)
{
	struct sockaddr_storage r[2];
	struct client c[3];
	unsigned int i;

	START("--relay-ports", "50000-50001");
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, client_open(&c[i], CLIENT, false, "alice",
					 "secret"));
	EXPECT_EQ(0, allocate(&c[0], NULL, &r[0]));
	EXPECT_EQ(0, allocate(&c[1], NULL, &r[1]));
	EXPECT_EQ(STUN_ERR_INSUFFICIENT_CAPACITY, allocate(&c[2], NULL, NULL));
	EXPECT_EQ(50000 + 50001, ss_port(&r[0]) + ss_port(&r[1]));
	for (i = 0; i < 3; i++)
		close(c[i].fd);
}

/* EVEN-PORT with R and RESERVATION-TOKEN, as coturn's client does. */
TEST_F(turn, even_port_reservation)
{
	struct attrs o = { .even = 2 };
	struct sockaddr_storage r2;
	struct answer ans;
	struct stun_attr a;
	struct client c2;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, transact(&self->c, STUN_ALLOCATE, &o, &ans));
	ASSERT_TRUE(relayed_of(&ans, &self->relayed));
	ASSERT_EQ(0, ss_port(&self->relayed) % 2);
	ASSERT_TRUE(stun_find(&ans.m, STUN_ATTR_RESERVATION_TOKEN, &a));
	ASSERT_EQ(0, turn_get_token(&a, o.token));
	ASSERT_EQ(0, client_open(&c2, CLIENT, false, "alice", "secret"));
	/* EVEN-PORT and RESERVATION-TOKEN together: 400. */
	o.has_token = true;
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, allocate(&c2, &o, NULL));
	o.even = 0;
	EXPECT_EQ(0, allocate(&c2, &o, &r2));
	EXPECT_EQ(ss_port(&self->relayed) + 1, ss_port(&r2));
	close(c2.fd);
	/* Used once: a third Allocate with it gets 508. */
	ASSERT_EQ(0, client_open(&c2, CLIENT, false, "alice", "secret"));
	EXPECT_EQ(STUN_ERR_INSUFFICIENT_CAPACITY, allocate(&c2, &o, NULL));
	close(c2.fd);
}

/* Allocate errors: 400, 442, 440, 437, 420; a retransmission is answered. */
TEST_F(turn, allocate_errors)
{
	uint8_t req[512], tid[STUN_TID_LEN], first[64];
	struct answer ans;
	size_t len;
	ssize_t n;

	START4("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	EXPECT_EQ(STUN_ERR_BAD_REQUEST,
		  allocate(&self->c, &(struct attrs){ .no_transport = true },
			   NULL));
	EXPECT_EQ(STUN_ERR_UNSUPPORTED_TRANSPORT,
		  allocate(&self->c, &(struct attrs){ .transport = 6 }, NULL));
	EXPECT_EQ(STUN_ERR_UNKNOWN_ATTRIBUTE,
		  allocate(&self->c, &(struct attrs){ .extra_attr = 0x0031 },
			   NULL));
	/* Retransmission: the same transaction gets the same address. */
	len = build(&self->c, stun_type(STUN_ALLOCATE, STUN_REQUEST),
		    &(struct attrs){ 0 }, req, sizeof(req), tid);
	ASSERT_EQ((ssize_t)len, send(self->c.fd, req, len, 0));
	n = client_recv(&self->c, ans.buf, sizeof(ans.buf));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, stun_parse(&ans.m, ans.buf, n, false));
	ASSERT_EQ(0, code_of(&ans.m));
	memcpy(first, ans.buf, sizeof(first));
	ASSERT_EQ((ssize_t)len, send(self->c.fd, req, len, 0));
	n = client_recv(&self->c, ans.buf, sizeof(ans.buf));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, stun_parse(&ans.m, ans.buf, n, false));
	ASSERT_EQ(0, code_of(&ans.m));
	ASSERT_TRUE(relayed_of(&ans, &self->relayed));
	/* A new Allocate on the same 5-tuple: 437. */
	EXPECT_EQ(STUN_ERR_ALLOCATION_MISMATCH, allocate(&self->c, NULL, NULL));
	/* No IPv6 relay address here: 440. */
	close(self->c.fd);
	OPEN(CLIENT, false, "alice", "secret");
	EXPECT_EQ(STUN_ERR_ADDRESS_FAMILY,
		  allocate(&self->c, &(struct attrs){ .family = AF_INET6 },
			   NULL));
	/* Requests on no allocation: 437. */
	EXPECT_EQ(STUN_ERR_ALLOCATION_MISMATCH, permit(&self->c, PEER));
	/* ChannelBind outside 0x4000-0x7FFF: 400. */
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST,
		  bind_channel(&self->c, 0x3FFF, &self->relayed));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST,
		  bind_channel(&self->c, 0x8000, &self->relayed));
	/* Refresh asking for the other family: 443; its own: fine. */
	EXPECT_EQ(STUN_ERR_PEER_ADDRESS_FAMILY,
		  transact(&self->c, STUN_REFRESH,
			   &(struct attrs){ .family = AF_INET6 }, &ans));
	EXPECT_EQ(0, transact(&self->c, STUN_REFRESH,
			      &(struct attrs){ .family = AF_INET }, &ans));
}

/*
 * A relayed send that fails (EMSGSIZE: DONT-FRAGMENT over the veth's
 * MTU) is dropped and the allocation lives on; without DONT-FRAGMENT the
 * same datagram goes, fragmented.
 */
TEST_F(turn, failed_send_keeps_allocation)
{
	struct sockaddr_storage peer = local_of(self->peer);
	static uint8_t big[1600];

	memset(big, 'x', sizeof(big));
	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	send_indication(&self->c, &peer, big, sizeof(big), true);
	ASSERT_FALSE(peer_got(self->peer, big, sizeof(big), &self->relayed));
	ASSERT_EQ(0, refresh(&self->c, 600));
	send_indication(&self->c, &peer, big, sizeof(big), false);
	ASSERT_TRUE(peer_got(self->peer, big, sizeof(big), &self->relayed));
}

/* Two clients of one server, relay to relay (turnutils_uclient -y). */
TEST_F(turn, relay_to_relay)
{
	static const char msg[] = "relay to relay";
	struct sockaddr_storage r2, from;
	uint8_t data[64];
	uint16_t channel;
	struct client c2;
	ssize_t n;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, client_open(&c2, CLIENT, false, "bob", "hunter2"));
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, allocate(&c2, NULL, &r2));
	ASSERT_EQ(0, permit(&self->c, SERVER));
	ASSERT_EQ(0, permit(&c2, SERVER));
	send_indication(&self->c, &r2, msg, sizeof(msg), false);
	n = client_data(&c2, data, sizeof(data), &channel, &from);
	ASSERT_EQ((ssize_t)sizeof(msg), n);
	ASSERT_TRUE(ss_equal(&from, &self->relayed));
	/* Not to a port of ours that is no allocation (3478, say). */
	from = endpoint(SERVER, 3478);
	send_indication(&self->c, &from, msg, sizeof(msg), false);
	send_indication(&self->c, &r2, msg, sizeof(msg), false);
	n = client_data(&c2, data, sizeof(data), &channel, &from);
	ASSERT_EQ((ssize_t)sizeof(msg), n);
	close(c2.fd);
}

/* --users-file: its users authenticate, comments and blank lines skipped. */
TEST_F(turn, users_file)
{
	char path[] = "/tmp/turn_test_usersXXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "# users\n\ndave:pa:ss\nerin:x\n";

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
	START("--users-file", path);
	OPEN(CLIENT, false, "dave", "pa:ss");
	EXPECT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	close(self->c.fd);
	OPEN(CLIENT, false, "erin", "y");
	EXPECT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&self->c, NULL, NULL));
	unlink(path);
}

/* A channel number is bound to one peer, a peer to one number. */
TEST_F(turn, channel_conflicts)
{
	struct sockaddr_storage p1 = local_of(self->peer);
	struct sockaddr_storage p2 = local_of(self->peer2);

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &p1));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, bind_channel(&self->c, 0x4000, &p2));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, bind_channel(&self->c, 0x4001, &p1));
	/* Refreshing the same binding is fine. */
	EXPECT_EQ(0, bind_channel(&self->c, 0x4000, &p1));
	EXPECT_EQ(0, bind_channel(&self->c, 0x4001, &p2));
}

/*
 * RFC 8656 section 12: an expired channel (--channel-lifetime 1) holds
 * its number and peer (--channel-hold 2): it relays nothing, the peer's
 * datagrams come as Data indications, neither may be bound to another,
 * the same pair may; once the hold is over, both are free.
 */
TEST_F(turn, channel_hold)
{
	static const char up[] = "client to peer";
	struct sockaddr_storage p1 = local_of(self->peer);
	struct sockaddr_storage p2 = local_of(self->peer2);
	uint16_t channel;

	START("--channel-lifetime", "1", "--channel-hold", "2");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &p1));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0x4000, channel);
	usleep(1300 * 1000);
	/* Expired: the permission (300 s) still relays, not the channel. */
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0, channel);
	send_channel_data(&self->c, 0x4000, up, sizeof(up));
	ASSERT_FALSE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, bind_channel(&self->c, 0x4000, &p2));
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, bind_channel(&self->c, 0x4001, &p1));
	/* The same pair binds again and relays both ways. */
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &p1));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0x4000, channel);
	send_channel_data(&self->c, 0x4000, up, sizeof(up));
	ASSERT_TRUE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	/* 1 s of binding and 2 s of hold later, both are free. */
	usleep(3300 * 1000);
	EXPECT_EQ(0, bind_channel(&self->c, 0x4000, &p2));
	EXPECT_EQ(0, bind_channel(&self->c, 0x4001, &p1));
	ASSERT_TRUE(reaches_client(&self->c, self->peer2, &self->relayed,
				   &channel));
	ASSERT_EQ(0x4000, channel);
}

/* --bandwidth: a second's worth passes, the rest of a burst is dropped. */
TEST_F(turn, bandwidth)
{
	struct sockaddr_storage peer = local_of(self->peer);
	static uint8_t chunk[1000];
	unsigned int i, got = 0;

	START("--bandwidth", "5000");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	for (i = 0; i < 20; i++)
		send_indication(&self->c, &peer, chunk, sizeof(chunk), false);
	while (peer_got(self->peer, chunk, sizeof(chunk), &self->relayed))
		got++;
	/* 5 from the full bucket, one more per 200 ms of a slow machine. */
	EXPECT_LE(5U, got);
	EXPECT_GE(7U, got);
	/* A second later the bucket is full again. */
	usleep(1000 * 1000);
	send_indication(&self->c, &peer, chunk, sizeof(chunk), false);
	EXPECT_TRUE(peer_got(self->peer, chunk, sizeof(chunk),
			     &self->relayed));
}

/* GET /metrics from --metrics; the body into buf. */
static bool scrape(char *buf, size_t cap)
{
	struct sockaddr_storage to = endpoint(SERVER, 9641);
	static const char get[] = "GET /metrics HTTP/1.0\r\n\r\n";
	int fd = open_socket(CLIENT, SOCK_STREAM, &to);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return false;
	set_timeout(fd, 1000);
	send(fd, get, sizeof(get) - 1, 0);
	while (len + 1 < cap && (n = recv(fd, buf + len, cap - 1 - len, 0)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
	return strstr(buf, "HTTP/1.0 200 OK\r\n") == buf;
}

/* The value of the sample named exactly name (with labels); -1 if none. */
static long long sample(const char *text, const char *name)
{
	const char *p = text;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return atoll(p + len + 1);
		p += len;
	}
	return -1;
}

/* Every line of the exposition is a comment or "name[{labels}] value". */
static bool well_formed(const char *text)
{
	const char *body = strstr(text, "\r\n\r\n"), *line, *end;

	if (!body)
		return false;
	for (line = body + 4; *line; line = end + 1) {
		const char *sp;

		end = strchr(line, '\n');
		if (!end)
			return false;
		if (*line == '#')
			continue;
		sp = memchr(line, ' ', end - line);
		if (!sp || sp == line || strncmp(line, "coned_", 6) ||
		    strspn(sp + 1, "0123456789") != (size_t)(end - sp - 1))
			return false;
	}
	return true;
}

/* --metrics: scraped before and after an allocation relays a datagram. */
TEST_F(turn, metrics)
{
	static char text[65536];
	struct sockaddr_storage peer = local_of(self->peer);
	static const char up[] = "counted";
	int i;

	START("--metrics", SERVER ":9641");
	ASSERT_TRUE(scrape(text, sizeof(text)));
	ASSERT_TRUE(well_formed(text));
	EXPECT_EQ(0, sample(text, "coned_turn_allocations"));
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	EXPECT_EQ(STUN_ERR_FORBIDDEN, permit(&self->c, "10.0.0.1"));
	send_indication(&self->c, &peer, up, sizeof(up), false);
	ASSERT_TRUE(peer_got(self->peer, up, sizeof(up), &self->relayed));
	/* The worker counts a datagram once sendmmsg returns: maybe later. */
	for (i = 0; i < 10; i++) {
		ASSERT_TRUE(scrape(text, sizeof(text)));
		if (sample(text, "coned_turn_packets_total{direction=\"to_peer\"}"))
			break;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(well_formed(text));
	EXPECT_EQ(1, sample(text, "coned_turn_allocations"));
	EXPECT_EQ(1, sample(text, "coned_turn_permissions"));
	EXPECT_EQ(1, sample(text, "coned_turn_allocations_total"));
	EXPECT_EQ(1, sample(text, "coned_turn_packets_total{direction=\"to_peer\"}"));
	EXPECT_EQ((long long)sizeof(up),
		  sample(text, "coned_turn_bytes_total{direction=\"to_peer\"}"));
	EXPECT_EQ(1, sample(text, "coned_turn_refusals_total{reason=\"peer\"}"));
	EXPECT_EQ(0, sample(text, "coned_turn_auth_failures_total"));
	EXPECT_EQ(0, refresh(&self->c, 0));
	ASSERT_TRUE(scrape(text, sizeof(text)));
	EXPECT_EQ(0, sample(text, "coned_turn_allocations"));
	EXPECT_EQ(0, sample(text, "coned_turn_permissions"));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * SIGHUP re-reads the users file and the config file's limits; a live
 * allocation keeps relaying across it.
 */
TEST_F(turn, sighup_reload)
{
	char users[] = "/tmp/turn_test_hupXXXXXX", conf[] = "/tmp/turn_test_confXXXXXX";
	struct sockaddr_storage peer = local_of(self->peer);
	static const char msg[] = "still relayed";
	struct client c2, c3;
	char text[256];
	int fd;

	fd = mkstemp(users);
	ASSERT_LE(0, fd);
	close(fd);
	fd = mkstemp(conf);
	ASSERT_LE(0, fd);
	close(fd);
	write_file(users, "dave:one\n");
	snprintf(text, sizeof(text), "# coned\nusers-file %s\nuser-quota=1\n",
		 users);
	write_file(conf, text);
	START("--config", conf);
	OPEN(CLIENT, false, "dave", "one");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	ASSERT_EQ(0, client_open(&c2, CLIENT, false, "dave", "one"));
	EXPECT_EQ(STUN_ERR_ALLOCATION_QUOTA, allocate(&c2, NULL, NULL));
	ASSERT_EQ(0, client_open(&c3, CLIENT, false, "frank", "two"));
	EXPECT_EQ(STUN_ERR_UNAUTHORIZED, allocate(&c3, NULL, NULL));
	close(c3.fd);

	write_file(users, "dave:one\nfrank:two\n");
	snprintf(text, sizeof(text), "users-file %s\nuser-quota 2\n", users);
	write_file(conf, text);
	ASSERT_EQ(0, kill(self->pid, SIGHUP));
	usleep(300 * 1000);
	/* The new limit and the new user; the old allocation relays on. */
	EXPECT_EQ(0, allocate(&c2, NULL, NULL));
	ASSERT_EQ(0, client_open(&c3, CLIENT, false, "frank", "two"));
	EXPECT_EQ(0, allocate(&c3, NULL, NULL));
	send_indication(&self->c, &peer, msg, sizeof(msg), false);
	EXPECT_TRUE(peer_got(self->peer, msg, sizeof(msg), &self->relayed));
	EXPECT_EQ(0, refresh(&self->c, 600));
	EXPECT_EQ(0, waitpid(self->pid, NULL, WNOHANG)) TH_LOG("coned exited on SIGHUP");
	/* A broken config file is refused and the old one stays. */
	write_file(conf, "user-quota many\n");
	ASSERT_EQ(0, kill(self->pid, SIGHUP));
	usleep(300 * 1000);
	EXPECT_EQ(0, refresh(&c3, 600));
	close(c2.fd);
	close(c3.fd);
	unlink(users);
	unlink(conf);
}

/* The SHA-256 of the certificate the server at --tls-port shows. */
static bool server_cert_digest(uint8_t md[32])
{
	struct client c;
	unsigned int len = 0;
	X509 *x;
	bool ok;

	if (client_open_port(&c, CLIENT, true, "x", "x", 5349) ||
	    client_tls(&c)) {
		if (c.fd >= 0)
			close(c.fd);
		return false;
	}
	x = SSL_get1_peer_certificate(c.ssl);
	ok = x && X509_digest(x, EVP_sha256(), md, &len) && len == 32;
	X509_free(x);
	SSL_free(c.ssl);
	close(c.fd);
	return ok;
}

static int make_cert(const char *cert, const char *key, const char *cn)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
		 "-days 2 -subj /CN=%s >/dev/null 2>&1", key, cert, cn);
	return system(cmd);
}

/*
 * TLS on --tls-port: an allocation relays both ways; SIGHUP with a new
 * certificate: new connections see it, the old allocation relays on.
 */
TEST_F(turn, tls)
{
	static const char msg[] = "over tls";
	struct sockaddr_storage peer = local_of(self->peer);
	char cert[] = "/tmp/turn_test_certXXXXXX", key[] = "/tmp/turn_test_keyXXXXXX";
	uint8_t before[32], after[32], data[64];
	uint16_t channel;
	int fd;

	fd = mkstemp(cert);
	ASSERT_LE(0, fd);
	close(fd);
	fd = mkstemp(key);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, make_cert(cert, key, "one.test"));
	START("--tls-port", "5349", "--cert", cert, "--key", key);
	ASSERT_EQ(0, client_open_port(&self->c, CLIENT, true, "alice",
				      "secret", 5349));
	ASSERT_EQ(0, client_tls(&self->c));
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	send_channel_data(&self->c, 0x4000, msg, 5);
	ASSERT_TRUE(peer_got(self->peer, msg, 5, &self->relayed));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0x4000, channel);
	ASSERT_TRUE(server_cert_digest(before));

	ASSERT_EQ(0, make_cert(cert, key, "two.test"));
	ASSERT_EQ(0, kill(self->pid, SIGHUP));
	usleep(300 * 1000);
	ASSERT_TRUE(server_cert_digest(after));
	EXPECT_NE(0, memcmp(before, after, 32)) TH_LOG("same certificate after SIGHUP");
	/* The allocation made before the reload relays on. */
	send_channel_data(&self->c, 0x4000, msg, sizeof(msg));
	EXPECT_TRUE(peer_got(self->peer, msg, sizeof(msg), &self->relayed));
	EXPECT_EQ(0, refresh(&self->c, 600));
	(void)data;
	SSL_free(self->c.ssl);
	unlink(cert);
	unlink(key);
}

/*
 * A flood of malformed datagrams, bogus ChannelData and unauthenticated
 * Allocates from another source while a client relays: nothing lost.
 */
TEST_F(turn, flood_while_relaying)
{
	struct sockaddr_storage peer = local_of(self->peer);
	struct sockaddr_storage srv = endpoint(SERVER, 3478);
	uint8_t junk[200], req[256], tid[STUN_TID_LEN];
	unsigned int i, j, got = 0;
	struct client flood;
	size_t len;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	flood.fd = open_socket(PEER2, SOCK_DGRAM, &srv);
	ASSERT_LE(0, flood.fd);
	flood.nonce[0] = '\0';
	flood.tcp = false;
	flood.ssl = NULL;
	for (i = 0; i < 200; i++) {
		for (j = 0; j < 20; j++) {
			unsigned int k;

			for (k = 0; k < sizeof(junk); k++)
				junk[k] = random();
			if (j % 4 == 0)
				junk[0] = 0x40 | (junk[0] & 0x3F);	/* ChannelData-like */
			else if (j % 4 == 1)
				junk[0] &= 0x3F;			/* STUN-like */
			send(flood.fd, junk, 4 + random() % (sizeof(junk) - 4), 0);
		}
		len = build(&flood, stun_type(STUN_ALLOCATE, STUN_REQUEST), NULL,
			    req, sizeof(req), tid);
		send(flood.fd, req, len, 0);
		send_channel_data(&self->c, 0x4000, &i, sizeof(i));
		if (peer_got(self->peer, &i, sizeof(i), &self->relayed))
			got++;
	}
	EXPECT_EQ(200U, got);
	/* The server still answers the client. */
	EXPECT_EQ(0, refresh(&self->c, 600));
	close(flood.fd);
}

/*
 * A burst: GRO_SEGMENTS datagrams, all GRO_SIZE bytes but the last; two
 * of them (80 datagrams) more than fill coned's 64 slots for segments.
 */
#define GRO_SEGMENTS	40
#define GRO_SIZE	100
#define GRO_LAST	77

static size_t gro_segment(unsigned int k, uint8_t *out)
{
	size_t len = k % GRO_SEGMENTS == GRO_SEGMENTS - 1 ? GRO_LAST : GRO_SIZE;
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = k * 31 + i;
	return len;
}

/* len bytes of buf from fd to `to` (NULL: connected) as UDP_SEGMENT size. */
static ssize_t send_gso(int fd, const struct sockaddr_storage *to,
			const void *buf, size_t len, uint16_t size)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = (void *)to, .msg_namelen = to ? ss_len(to) : 0,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	return sendmsg(fd, &mh, 0);
}

/* Burst number `burst` from fd to `to` in one sendmsg with UDP_SEGMENT. */
static ssize_t send_burst(int fd, const struct sockaddr_storage *to,
			  unsigned int burst)
{
	static uint8_t buf[GRO_SEGMENTS * GRO_SIZE];
	size_t len = 0;
	unsigned int k;

	for (k = 0; k < GRO_SEGMENTS; k++)
		len += gro_segment(burst * GRO_SEGMENTS + k, buf + len);
	return send_gso(fd, to, buf, len, GRO_SIZE);
}

/*
 * Two bursts from peer socket pfd, sent while coned is stopped so that
 * one recvmmsg takes both, arrive at the client as 2 * GRO_SEGMENTS
 * datagrams, each with its own contents, on channel (0: as Data
 * indications from pfd), and nothing more.
 */
static void bursts_arrive(struct __test_metadata *_metadata,
			  FIXTURE_DATA(turn) *self, int pfd, uint16_t channel)
{
	struct sockaddr_storage from, want = local_of(pfd);
	uint8_t data[4096], expect[GRO_SIZE];
	uint16_t got_channel;
	unsigned int k;
	size_t len;
	ssize_t n;

	ASSERT_EQ(0, kill(self->pid, SIGSTOP));
	for (k = 0; k < 2; k++)
		ASSERT_EQ(GRO_SIZE * (GRO_SEGMENTS - 1) + GRO_LAST,
			  send_burst(pfd, &self->relayed, k));
	ASSERT_EQ(0, kill(self->pid, SIGCONT));
	for (k = 0; k < 2 * GRO_SEGMENTS; k++) {
		len = gro_segment(k, expect);
		n = client_data(&self->c, data, sizeof(data), &got_channel,
				&from);
		ASSERT_EQ((ssize_t)len, n) TH_LOG("datagram %u", k);
		ASSERT_EQ(0, memcmp(data, expect, len)) TH_LOG("datagram %u", k);
		ASSERT_EQ(channel, got_channel);
		if (!channel)
			ASSERT_TRUE(ss_equal(&from, &want));
	}
	ASSERT_EQ(-1, client_data(&self->c, data, sizeof(data), &got_channel,
				  &from));
}


/*
 * UDP_GRO on the relay socket: a peer's burst sent with UDP_SEGMENT comes
 * to the relay socket coalesced (the metric counts it), and to the client
 * as the datagrams it was, by channel and by Data indication.
 */
static void gro_bursts(struct __test_metadata *_metadata,
		       FIXTURE_DATA(turn) *self, bool tcp)
{
	struct sockaddr_storage peer = local_of(self->peer);
	static char text[65536];

	START("--metrics", SERVER ":9641");
	OPEN(CLIENT, tcp, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	ASSERT_EQ(0, permit(&self->c, PEER2));
	bursts_arrive(_metadata, self, self->peer, 0x4000);
	bursts_arrive(_metadata, self, self->peer2, 0);
	ASSERT_TRUE(scrape(text, sizeof(text)));
	EXPECT_LT(0, sample(text, "coned_turn_coalesced_total"));
}

TEST_F(turn, gro_udp)
{
	gro_bursts(_metadata, self, false);
}

TEST_F(turn, gro_tcp)
{
	gro_bursts(_metadata, self, true);
}

/*
 * The client's burst number `burst` of ChannelData on channel, or of
 * Send indications to peer (channel 0), in one UDP_SEGMENT sendmsg: all
 * frames of one size but the last, shorter.  Its length, or -1.
 */
static ssize_t send_client_burst(struct client *c, unsigned int burst,
				 uint16_t channel,
				 const struct sockaddr_storage *peer)
{
	static uint8_t buf[GRO_SEGMENTS * 256];
	uint8_t data[GRO_SIZE], tid[STUN_TID_LEN] = { 3 };
	struct stun_builder b;
	size_t len = 0, n, size = 0;
	unsigned int k;

	for (k = 0; k < GRO_SEGMENTS; k++) {
		n = gro_segment(burst * GRO_SEGMENTS + k, data);
		if (channel) {
			stun_put16(buf + len, channel);
			stun_put16(buf + len + 2, n);
			memcpy(buf + len + 4, data, n);
			n += 4;
		} else {
			stun_build_init(&b, buf + len, sizeof(buf) - len,
					stun_type(STUN_SEND, STUN_INDICATION),
					tid, false);
			stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
					  (const struct sockaddr *)peer);
			stun_add(&b, STUN_ATTR_DATA, data, n);
			n = stun_build_end(&b);
		}
		if (!size)
			size = n;
		len += n;
	}
	return send_gso(c->fd, NULL, buf, len, size) == (ssize_t)len ? (ssize_t)len : -1;
}

/*
 * Two client bursts, sent while coned is stopped so that one recvmmsg
 * takes both, reach the peer as 2 * GRO_SEGMENTS datagrams with their
 * contents from the relayed address, and nothing more.
 */
static void client_bursts_arrive(struct __test_metadata *_metadata,
				 FIXTURE_DATA(turn) *self, uint16_t channel)
{
	struct sockaddr_storage peer = local_of(self->peer);
	uint8_t expect[GRO_SIZE];
	unsigned int k;

	ASSERT_EQ(0, kill(self->pid, SIGSTOP));
	for (k = 0; k < 2; k++)
		ASSERT_LT(0, send_client_burst(&self->c, k, channel, &peer));
	ASSERT_EQ(0, kill(self->pid, SIGCONT));
	for (k = 0; k < 2 * GRO_SEGMENTS; k++)
		ASSERT_TRUE(peer_got(self->peer, expect, gro_segment(k, expect),
				     &self->relayed)) TH_LOG("datagram %u", k);
	ASSERT_FALSE(peer_got(self->peer, expect, gro_segment(0, expect),
			      &self->relayed));
}

/*
 * UDP_GRO on the listening socket: a client's bursts of ChannelData and
 * of Send indications come coalesced (the metric counts them) and are
 * relayed as the datagrams they were.
 */
TEST_F(turn, gro_client)
{
	struct sockaddr_storage peer = local_of(self->peer);
	static char text[65536];

	START("--metrics", SERVER ":9641");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	client_bursts_arrive(_metadata, self, 0x4000);
	client_bursts_arrive(_metadata, self, 0);
	ASSERT_TRUE(scrape(text, sizeof(text)));
	EXPECT_LT(0, sample(text, "coned_turn_client_coalesced_total"));
}

/*
 * The next Data indication with an ICMP attribute (skipping any other
 * message): its type, code, error data and XOR-PEER-ADDRESS; 0 or -1.
 */
static int client_icmp(struct client *c, uint8_t *type, uint8_t *code,
		       uint32_t *data, struct sockaddr_storage *peer)
{
	uint8_t buf[4096];
	struct stun_msg m;
	struct stun_attr a;
	ssize_t n;

	for (;;) {
		n = client_recv(c, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (stun_parse(&m, buf, n, false) ||
		    m.type != stun_type(STUN_DATA, STUN_INDICATION) ||
		    !stun_find(&m, STUN_ATTR_ICMP, &a))
			continue;
		if (a.len != 8 || stun_find(&m, STUN_ATTR_DATA, &a))
			return -1;
		stun_find(&m, STUN_ATTR_ICMP, &a);
		*type = a.value[2];
		*code = a.value[3];
		*data = stun_get32(a.value + 4);
		if (!stun_find(&m, STUN_ATTR_XOR_PEER_ADDRESS, &a) ||
		    stun_get_xor_addr(&m, &a, peer))
			return -1;
		return 0;
	}
}

/* A Binding request, its answer left for client_icmp() to skip. */
static void send_binding(struct client *c)
{
	uint8_t buf[64], tid[STUN_TID_LEN] = { 2 };
	struct stun_builder b;

	stun_build_init(&b, buf, sizeof(buf),
			stun_type(STUN_BINDING, STUN_REQUEST), tid, false);
	c_send(c, buf, stun_build_end(&b));
}

/*
 * RFC 8656 section 11.5: a datagram to a peer's closed port brings the
 * peer's ICMP port unreachable, which reaches the client as a Data
 * indication with ICMP (no DATA) and the peer's address; the relay goes
 * on relaying (the socket's pending error costs no datagram).
 */
static void icmp_relayed(struct __test_metadata *_metadata,
			 FIXTURE_DATA(turn) *self, bool tcp)
{
	static const char up[] = "client to peer";
	struct sockaddr_storage closed4 = endpoint(PEER, 9);
	struct sockaddr_storage closed6 = endpoint(PEER6, 9);
	struct sockaddr_storage peer = local_of(self->peer), from;
	struct sockaddr_storage relayed6;
	uint8_t type, code;
	uint32_t data;
	struct client c6;
	int df;

	/* The peers' namespace answers every datagram, not one a second. */
	write_file("/proc/sys/net/ipv4/icmp_ratelimit", "0\n");
	write_file("/proc/sys/net/ipv6/icmp/ratelimit", "0\n");
	START("--verbose");
	OPEN(CLIENT, tcp, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	send_indication(&self->c, &closed4, up, sizeof(up), false);
	ASSERT_EQ(0, client_icmp(&self->c, &type, &code, &data, &from));
	EXPECT_EQ(3, type);
	EXPECT_EQ(3, code);
	EXPECT_EQ(0U, data);
	EXPECT_TRUE(ss_equal(&from, &closed4));
	/*
	 * By channel too.  The error comes back while coned still sends:
	 * coned, stopped, reads the ChannelData and what follows at once,
	 * and sends the ChannelData first (a request flushes the queue, a
	 * DONT-FRAGMENT Send indication goes alone).  The pending error must
	 * not cost the next datagram, queued (sendmmsg) or sent alone.
	 */
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &closed4));
	for (df = 0; df < 2; df++) {
		ASSERT_EQ(0, kill(self->pid, SIGSTOP));
		send_channel_data(&self->c, 0x4000, up, sizeof(up));
		if (!df)
			send_binding(&self->c);
		send_indication(&self->c, &peer, up, sizeof(up), df);
		ASSERT_EQ(0, kill(self->pid, SIGCONT));
		ASSERT_TRUE(peer_got(self->peer, up, sizeof(up),
				     &self->relayed)) TH_LOG("df %d", df);
		ASSERT_EQ(0, client_icmp(&self->c, &type, &code, &data,
					 &from));
		EXPECT_EQ(3, type);
		EXPECT_TRUE(ss_equal(&from, &closed4));
	}

	/* ICMPv6 destination unreachable, port unreachable: 1, 4. */
	ASSERT_EQ(0, client_open(&c6, CLIENT, tcp, "alice", "secret"));
	ASSERT_EQ(0, allocate(&c6, &(struct attrs){ .family = AF_INET6 },
			      &relayed6));
	ASSERT_EQ(0, permit(&c6, PEER6));
	send_indication(&c6, &closed6, up, sizeof(up), false);
	ASSERT_EQ(0, client_icmp(&c6, &type, &code, &data, &from));
	EXPECT_EQ(1, type);
	EXPECT_EQ(4, code);
	EXPECT_TRUE(ss_equal(&from, &closed6));
	close(c6.fd);
}

TEST_F(turn, icmp_udp)
{
	icmp_relayed(_metadata, self, false);
}

TEST_F(turn, icmp_tcp)
{
	icmp_relayed(_metadata, self, true);
}

/*
 * The test's namespace as a router to FAR_NET on a veth pair (vc, vd)
 * with an MTU of FAR_MTU, where nothing answers ARP: a datagram over the
 * MTU with DF brings "fragmentation needed" at once, any other "host
 * unreachable" once ARP gives up, FAR_ARP_MS later.  coned's namespace
 * reaches FAR_NET through proxy ARP on va.
 */
#define FAR_NET		"198.18.0.0/24"
#define FAR_PEER	"198.18.0.99"
#define FAR_PEER2	"198.18.0.98"
#define FAR_MTU		1280
#define FAR_ARP_MS	3000

static void make_router(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, system("ip link add vc mtu 1280 type veth "
			    "peer name vd mtu 1280 && "
			    "ip link set vc up && ip link set vd up && "
			    "ip addr add 198.18.0.1/24 dev vc"));
	write_file("/proc/sys/net/ipv4/ip_forward", "1\n");
	write_file("/proc/sys/net/ipv4/conf/va/proxy_arp", "1\n");
	write_file("/proc/sys/net/ipv4/neigh/va/proxy_delay", "0\n");
	write_file("/proc/sys/net/ipv4/neigh/vc/mcast_solicit", "3\n");
	write_file("/proc/sys/net/ipv4/neigh/vc/retrans_time_ms", "1000\n");
	write_file("/proc/sys/net/ipv4/icmp_ratelimit", "0\n");
}

/*
 * RFC 8656 section 18.13: a router's ICMP "fragmentation needed" (3, 4)
 * for a DONT-FRAGMENT allocation's datagram reaches the client with the
 * next-hop MTU as the ICMP attribute's error data.  The control: the same
 * datagram reaches a peer over the 1500-byte link.
 */
TEST_F(turn, icmp_fragmentation_needed)
{
	static uint8_t big[1400];
	struct sockaddr_storage far = endpoint(FAR_PEER, 9), from;
	struct sockaddr_storage peer = local_of(self->peer);
	uint8_t type, code;
	uint32_t data;

	make_router(_metadata);
	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, &(struct attrs){ .dont_fragment = true },
			      &self->relayed));
	ASSERT_EQ(0, permit(&self->c, PEER));
	ASSERT_EQ(0, permit(&self->c, FAR_PEER));
	memset(big, 0x5A, sizeof(big));
	send_indication(&self->c, &peer, big, sizeof(big), false);
	ASSERT_TRUE(peer_got(self->peer, big, sizeof(big), &self->relayed));
	send_indication(&self->c, &far, big, sizeof(big), false);
	ASSERT_EQ(0, client_icmp(&self->c, &type, &code, &data, &from));
	EXPECT_EQ(3, type);
	EXPECT_EQ(4, code);
	EXPECT_EQ((uint32_t)FAR_MTU, data);
	EXPECT_TRUE(ss_equal(&from, &far));
}

/*
 * An ICMP error about a peer whose permission has expired is dropped.
 * Two far peers, each sent a datagram at once; their "host unreachable"
 * comes FAR_ARP_MS later, after FAR_PEER's 2 s permission has expired
 * while FAR_PEER2's was refreshed: only FAR_PEER2's reaches the client.
 */
TEST_F(turn, icmp_without_permission_dropped)
{
	static const char up[] = "client to peer";
	struct sockaddr_storage far = endpoint(FAR_PEER, 9);
	struct sockaddr_storage far2 = endpoint(FAR_PEER2, 9), from;
	char text[SS_STRLEN];
	uint8_t type, code;
	uint32_t data;
	int i;

	make_router(_metadata);
	START("--permission-lifetime", "2");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, NULL, &self->relayed));
	ASSERT_EQ(0, permit(&self->c, FAR_PEER));
	ASSERT_EQ(0, permit(&self->c, FAR_PEER2));
	send_indication(&self->c, &far, up, sizeof(up), false);
	send_indication(&self->c, &far2, up, sizeof(up), false);
	for (i = 0; i < 2; i++) {
		usleep(900 * 1000);
		ASSERT_EQ(0, permit(&self->c, FAR_PEER2));
	}
	set_timeout(self->c.fd, FAR_ARP_MS);
	ASSERT_EQ(0, client_icmp(&self->c, &type, &code, &data, &from));
	EXPECT_EQ(3, type);
	EXPECT_EQ(1, code);
	EXPECT_TRUE(ss_equal(&from, &far2));
	set_timeout(self->c.fd, 1000);
	EXPECT_EQ(-1, client_icmp(&self->c, &type, &code, &data, &from))
		TH_LOG("an ICMP error about %s", ss_str(&from, text));
}

/* Each XOR-RELAYED-ADDRESS of an answer, in order; how many (at most 2). */
static unsigned int relayed_all(const struct answer *ans,
				struct sockaddr_storage ss[2])
{
	struct stun_attr a;
	unsigned int n = 0;
	size_t pos = 0;

	while (n < 2 && stun_attr_next(&ans->m, &pos, &a))
		if (a.type == STUN_ATTR_XOR_RELAYED_ADDRESS &&
		    !stun_get_xor_addr(&ans->m, &a, &ss[n]))
			n++;
	return n;
}

/* ADDRESS-ERROR-CODE's family and code; 0 when there is none. */
static int address_error(const struct answer *ans, int *family)
{
	struct stun_attr a;
	int code;

	if (!stun_find(&ans->m, STUN_ATTR_ADDRESS_ERROR_CODE, &a))
		return 0;
	return turn_get_address_error(&a, family, &code) ? -1 : code;
}

/* A UDP socket at addr, for a peer. */
static int peer_socket(struct __test_metadata *_metadata, const char *addr)
{
	int fd = open_socket(addr, SOCK_DGRAM, NULL);

	ASSERT_LE(0, fd);
	return fd;
}

/*
 * Both ways between the client and peer socket pfd through relayed:
 * a Send indication up and a Data indication down, then channel up and
 * down.
 */
static void relay_via(struct __test_metadata *_metadata,
		      FIXTURE_DATA(turn) *self, int pfd,
		      const struct sockaddr_storage *relayed, uint16_t channel)
{
	static const char up[] = "client to peer";
	struct sockaddr_storage peer = local_of(pfd);
	uint16_t got;

	send_indication(&self->c, &peer, up, sizeof(up), false);
	ASSERT_TRUE(peer_got(pfd, up, sizeof(up), relayed));
	ASSERT_TRUE(reaches_client(&self->c, pfd, relayed, &got));
	ASSERT_EQ(0, got);
	ASSERT_EQ(0, bind_channel(&self->c, channel, &peer));
	send_channel_data(&self->c, channel, up, sizeof(up));
	ASSERT_TRUE(peer_got(pfd, up, sizeof(up), relayed));
	ASSERT_TRUE(reaches_client(&self->c, pfd, relayed, &got));
	ASSERT_EQ(channel, got);
}

/*
 * RFC 8656 7.2: ADDITIONAL-ADDRESS-FAMILY IPv6 gets an IPv4 and an IPv6
 * relayed address in one Allocate; permissions, channels and Refresh
 * work on both, and LIFETIME 0 ends both.
 */
TEST_F(turn, dual_allocation)
{
	struct attrs o = { .additional = AF_INET6 };
	struct sockaddr_storage relayed[2];
	int peer6 = peer_socket(_metadata, PEER6), family;
	struct answer ans;
	uint16_t channel;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, transact(&self->c, STUN_ALLOCATE, &o, &ans));
	ASSERT_EQ(2U, relayed_all(&ans, relayed));
	ASSERT_TRUE(is_addr(&relayed[0], SERVER));
	ASSERT_TRUE(is_addr(&relayed[1], SERVER6));
	ASSERT_EQ(0, address_error(&ans, &family));
	/* One CreatePermission for a peer of each family. */
	o = (struct attrs){ .n_peers = 2 };
	o.peers[0] = endpoint(PEER, 9);
	o.peers[1] = endpoint(PEER6, 9);
	ASSERT_EQ(0, transact(&self->c, STUN_CREATE_PERMISSION, &o, &ans));
	relay_via(_metadata, self, self->peer, &relayed[0], 0x4000);
	relay_via(_metadata, self, peer6, &relayed[1], 0x4001);
	/* PEER2 has no permission (PEER's and PEER6's the controls). */
	ASSERT_FALSE(reaches_client(&self->c, self->peer2, &relayed[0],
				    &channel));
	/* Refresh naming either family is the allocation's. */
	EXPECT_EQ(0, transact(&self->c, STUN_REFRESH,
			      &(struct attrs){ .family = AF_INET6 }, &ans));
	EXPECT_EQ(0, transact(&self->c, STUN_REFRESH,
			      &(struct attrs){ .family = AF_INET }, &ans));
	ASSERT_TRUE(reaches_client(&self->c, peer6, &relayed[1], &channel));
	ASSERT_EQ(0, refresh(&self->c, 0));
	EXPECT_FALSE(reaches_client(&self->c, peer6, &relayed[1], &channel));
	EXPECT_FALSE(reaches_client(&self->c, self->peer, &relayed[0],
				    &channel));
	close(peer6);
}

/* The errors RFC 8656 7.2 names for ADDITIONAL-ADDRESS-FAMILY. */
TEST_F(turn, dual_allocation_errors)
{
	struct sockaddr_storage relayed[2];
	struct attrs o = { 0 };
	struct answer ans;
	int family;

	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	/* With REQUESTED-ADDRESS-FAMILY: 400. */
	o.additional = AF_INET6;
	o.family = AF_INET;
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, allocate(&self->c, &o, NULL));
	/* IPv4 as the additional family: 400. */
	o = (struct attrs){ .additional = AF_INET };
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, allocate(&self->c, &o, NULL));
	/* With a RESERVATION-TOKEN: 400. */
	o = (struct attrs){ .additional = AF_INET6, .has_token = true };
	EXPECT_EQ(STUN_ERR_BAD_REQUEST, allocate(&self->c, &o, NULL));
	/* The control: the same 5-tuple, the valid request. */
	o = (struct attrs){ .additional = AF_INET6 };
	ASSERT_EQ(0, transact(&self->c, STUN_ALLOCATE, &o, &ans));
	EXPECT_EQ(2U, relayed_all(&ans, relayed));
	EXPECT_EQ(0, address_error(&ans, &family));
}

/*
 * With no IPv6 relay address a dual Allocate gets its IPv4 address and
 * ADDRESS-ERROR-CODE 440 for IPv6; the allocation is IPv4 only (443).
 */
TEST_F(turn, dual_allocation_one_family)
{
	struct attrs o = { .additional = AF_INET6 };
	struct sockaddr_storage relayed[2];
	struct answer ans;
	int family = 0;

	START4("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, transact(&self->c, STUN_ALLOCATE, &o, &ans));
	ASSERT_EQ(1U, relayed_all(&ans, relayed));
	ASSERT_TRUE(is_addr(&relayed[0], SERVER));
	EXPECT_EQ(STUN_ERR_ADDRESS_FAMILY, address_error(&ans, &family));
	EXPECT_EQ(AF_INET6, family);
	EXPECT_EQ(STUN_ERR_PEER_ADDRESS_FAMILY, permit(&self->c, PEER6));
	EXPECT_EQ(0, permit(&self->c, PEER));
	self->relayed = relayed[0];
	relay_via(_metadata, self, self->peer, &relayed[0], 0x4000);
}

/*
 * Everything a worker and the shared state hold is freed when coned
 * stops: coned-asan (LeakSanitizer) exits 0 after SIGTERM with UDP, TCP
 * and dual allocations, permissions, a channel and a reservation live on
 * its four workers, and 1 if anything leaked (TURN_TEST_VERBOSE=1 shows
 * the report).
 */
TEST_F(turn, exit_frees_everything)
{
	struct sockaddr_storage peer = local_of(self->peer);
	struct client tcp, dual;
	uint16_t channel;
	int status;

	coned_binary = "coned-asan";
	setenv("ASAN_OPTIONS", "detect_leaks=1", 1);
	START("--verbose");
	OPEN(CLIENT, false, "alice", "secret");
	ASSERT_EQ(0, allocate(&self->c, &(struct attrs){ .even = 2 },
			      &self->relayed));
	ASSERT_EQ(0, bind_channel(&self->c, 0x4000, &peer));
	ASSERT_TRUE(reaches_client(&self->c, self->peer, &self->relayed,
				   &channel));
	ASSERT_EQ(0, client_open(&tcp, CLIENT, true, "bob", "hunter2"));
	ASSERT_EQ(0, allocate(&tcp, NULL, NULL));
	ASSERT_EQ(0, permit(&tcp, PEER2));
	ASSERT_EQ(0, client_open(&dual, CLIENT, false, "alice", "secret"));
	ASSERT_EQ(0, allocate(&dual, &(struct attrs){ .additional = AF_INET6 },
			      NULL));
	ASSERT_EQ(0, kill(self->pid, SIGTERM));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(tcp.fd);
	close(dual.fd);
}

TEST_HARNESS_MAIN
