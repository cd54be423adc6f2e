// SPDX-License-Identifier: GPL-2.0
/*
 * coned against real sockets: RFC 5780's CHANGE-REQUEST, RESPONSE-PORT,
 * PADDING and OTHER-ADDRESS, and the errors RFC 8489 and RFC 5780 give.
 * Each test runs coned in a network namespace of its own, on two
 * documentation addresses put on lo; the client sends from 127.0.0.1.
 * Needs root and ip(8); skipped without them.
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
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "sockaddr.h"
#include "stun.h"

#define PRIMARY		"198.51.100.1"
#define ALTERNATE	"198.51.100.2"
#define CLIENT		"127.0.0.1"
/* Per try; three tries, so a slow machine does not flake. */
#define TIMEOUT_MS	400
#define TRIES		3
/* How long coned may take to answer its first request. */
#define START_MS	3000
#define MAX_SERVERS	3

/* What a Binding request carries beyond its header. */
struct req_opts {
	bool change_set;
	uint32_t change;		/* CHANGE-REQUEST flags */
	uint16_t response_port;		/* RESPONSE-PORT; 0: none */
	size_t padding;			/* PADDING length; 0: none */
	uint16_t extra_attr;		/* another attribute's type; 0: none */
};

static struct sockaddr_storage endpoint(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (!ss_parse_addr(addr, &ss))
		abort();
	ss_set_port(&ss, port);
	return ss;
}

static void new_tid(uint8_t tid[STUN_TID_LEN])
{
	static uint32_t n;
	uint32_t pid = getpid();

	memset(tid, 0, STUN_TID_LEN);
	memcpy(tid, &pid, sizeof(pid));
	n++;
	memcpy(tid + 4, &n, sizeof(n));
}

static size_t build_request(uint8_t *buf, size_t cap,
			    uint8_t tid[STUN_TID_LEN],
			    const struct req_opts *o)
{
	static const uint8_t zero[4];
	struct stun_builder b;

	new_tid(tid);
	stun_build_init(&b, buf, cap, stun_type(STUN_BINDING, STUN_REQUEST),
			tid, false);
	if (o && o->change_set)
		stun_add_u32(&b, STUN_ATTR_CHANGE_REQUEST, o->change);
	if (o && o->response_port)
		stun_add_response_port(&b, o->response_port);
	if (o && o->padding)
		stun_add_padding(&b, o->padding);
	if (o && o->extra_attr)
		stun_add(&b, o->extra_attr, zero, sizeof(zero));
	stun_add_fingerprint(&b);
	return stun_build_end(&b);
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = ms % 1000 * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* A socket on CLIENT:port (0: any port) with a receive timeout; -1. */
static int client_socket(int type, uint16_t port)
{
	struct sockaddr_storage ss = endpoint(CLIENT, port);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	set_timeout(fd, TIMEOUT_MS);
	if (bind(fd, (struct sockaddr *)&ss, ss_len(&ss))) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct sockaddr_storage local_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ss;
}

/*
 * Send req from tx to `to` and wait on rx for the answer with its
 * transaction ID, retransmitting; the answer's length and source, or -1.
 */
static ssize_t exchange(int tx, int rx, const struct sockaddr_storage *to,
			const uint8_t *req, size_t len, uint8_t *resp,
			size_t cap, struct sockaddr_storage *from)
{
	socklen_t alen;
	ssize_t n;
	int try;

	for (try = 0; try < TRIES; try++) {
		if (sendto(tx, req, len, 0, (const struct sockaddr *)to,
			   ss_len(to)) != (ssize_t)len)
			return -1;
		for (;;) {
			alen = sizeof(*from);
			n = recvfrom(rx, resp, cap, 0,
				     (struct sockaddr *)from, &alen);
			if (n < 0)
				break;		/* timed out: send again */
			/* An answer to an earlier try or test: not ours. */
			if (n >= STUN_HEADER_LEN &&
			    !memcmp(resp + 8, req + 8, STUN_TID_LEN))
				return n;
		}
	}
	return -1;
}

/* The address attribute of type in m, as text, or "none". */
static const char *addr_attr(const struct stun_msg *m, uint16_t type,
			     char buf[SS_STRLEN])
{
	struct sockaddr_storage ss;
	struct stun_attr a;
	int err;

	if (!stun_find(m, type, &a))
		return "none";
	err = type == STUN_ATTR_XOR_MAPPED_ADDRESS ?
	      stun_get_xor_addr(m, &a, &ss) : stun_get_addr(&a, &ss);
	return err ? "malformed" : ss_str(&ss, buf);
}

/* The ERROR-CODE's number; 0 if there is none, -1 if malformed. */
static int error_code(const struct stun_msg *m)
{
	struct stun_attr a;
	int code;

	if (!stun_find(m, STUN_ATTR_ERROR_CODE, &a))
		return 0;
	return stun_get_error(&a, &code, NULL, 0) ? -1 : code;
}

static bool have(const char *prog)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* bin/coned beside this test's directory, tests/. */
static const char *coned_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return "bin/coned";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../bin/coned", dirname(exe));
	return path;
}

/* Does a plain Binding request to addr:port get a success answer? */
static bool answers(const char *addr, uint16_t port)
{
	struct sockaddr_storage to = endpoint(addr, port);
	uint8_t req[64], resp[512], tid[STUN_TID_LEN];
	size_t len = build_request(req, sizeof(req), tid, NULL);
	int fd = client_socket(SOCK_DGRAM, 0);
	ssize_t n = -1;

	if (fd < 0)
		return false;
	set_timeout(fd, 100);
	if (sendto(fd, req, len, 0, (struct sockaddr *)&to, ss_len(&to)) > 0)
		n = recv(fd, resp, sizeof(resp), 0);
	close(fd);
	return n >= STUN_HEADER_LEN && stun_get16(resp) ==
	       stun_type(STUN_BINDING, STUN_SUCCESS);
}

/*
 * Start coned with args (its --address and --port first) and wait until
 * it answers there; its pid, or -1 if it exited or never answered.
 */
static pid_t start_coned(const char *addr, const char *port,
			 const char *const more[])
{
	const char *argv[16] = { "coned", "--address", addr, "--port", port };
	unsigned int i, n = 5;
	pid_t pid;
	int fd, waited;

	for (i = 0; more[i] && n < 15; i++)
		argv[n++] = more[i];
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		/* Never outlive the test, whatever way it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(coned_path(), (char *const *)argv);
		_exit(127);
	}
	for (waited = 0; waited < START_MS; waited += 100) {
		if (answers(addr, atoi(port)))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

FIXTURE(coned) {
	pid_t pid[MAX_SERVERS];
	int udp;		/* the client's UDP socket */
	struct sockaddr_storage client;
	uint8_t resp[4096];
	struct stun_msg m;
	struct sockaddr_storage from;
};

FIXTURE_SETUP(coned)
{
	static const char *const args[] = {
		"--alt-address", ALTERNATE, "--alt-port", "3479", NULL
	};

	self->udp = -1;
	if (geteuid())
		SKIP(return, "needs root (a network namespace)");
	if (!have("ip"))
		SKIP(return, "needs ip(8) from iproute2");
	ASSERT_EQ(0, access(coned_path(), X_OK))
		TH_LOG("%s: %s; make -C userspace first", coned_path(),
		       strerror(errno));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up && "
			    "ip addr add " PRIMARY "/32 dev lo && "
			    "ip addr add " ALTERNATE "/32 dev lo"));
	self->pid[0] = start_coned(PRIMARY, "3478", args);
	ASSERT_LT(0, self->pid[0])
		TH_LOG("coned did not answer on " PRIMARY ":3478");
	self->udp = client_socket(SOCK_DGRAM, 0);
	ASSERT_LE(0, self->udp);
	self->client = local_of(self->udp);
}

FIXTURE_TEARDOWN(coned)
{
	unsigned int i;

	if (self->udp >= 0)
		close(self->udp);
	for (i = 0; i < MAX_SERVERS; i++) {
		if (self->pid[i] <= 0)
			continue;
		kill(self->pid[i], SIGTERM);
		waitpid(self->pid[i], NULL, 0);
	}
}

/*
 * Send a request with options o to addr:port over UDP; the answer is
 * received on rx (-1: the sending socket), parsed into self->m, its source
 * in self->from.  The test fails if no answer comes.
 */
#define ASK(addr, port, o, rx) do { \
	struct sockaddr_storage _to = endpoint(addr, port); \
	uint8_t _req[4096], _tid[STUN_TID_LEN]; \
	size_t _len = build_request(_req, sizeof(_req), _tid, o); \
	ssize_t _n; \
	ASSERT_NE(0U, _len); \
	_n = exchange(self->udp, (rx) < 0 ? self->udp : (rx), &_to, _req, \
		      _len, self->resp, sizeof(self->resp), &self->from); \
	ASSERT_LT(0, _n) TH_LOG("no answer from %s:%u", addr, port); \
	ASSERT_EQ(0, stun_parse(&self->m, self->resp, _n, false)); \
	ASSERT_EQ(STUN_BINDING, stun_method(self->m.type)); \
} while (0)

#define ASSERT_ADDR(want, type) do { \
	char _buf[SS_STRLEN]; \
	ASSERT_STREQ(want, addr_attr(&self->m, type, _buf)); \
} while (0)

#define ASSERT_FROM(want) do { \
	char _buf[SS_STRLEN]; \
	ASSERT_STREQ(want, ss_str(&self->from, _buf)); \
} while (0)

TEST_F(coned, binding)
{
	char client[SS_STRLEN];

	ASK(PRIMARY, 3478, NULL, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	ASSERT_FROM(PRIMARY ":3478");
	ASSERT_ADDR(ss_str(&self->client, client),
		    STUN_ATTR_XOR_MAPPED_ADDRESS);
	ASSERT_ADDR(PRIMARY ":3478", STUN_ATTR_RESPONSE_ORIGIN);
	ASSERT_ADDR(ALTERNATE ":3479", STUN_ATTR_OTHER_ADDRESS);
	ASSERT_NE(0U, self->m.fingerprint_at);
}

/* RFC 5780 section 6.1, table 1: the answer's source by the flags. */
TEST_F(coned, change_request)
{
	static const struct {
		uint32_t flags;
		const char *from;
	} cases[] = {
		{ STUN_CHANGE_IP | STUN_CHANGE_PORT, ALTERNATE ":3479" },
		{ STUN_CHANGE_PORT, PRIMARY ":3479" },
		{ STUN_CHANGE_IP, ALTERNATE ":3478" },
		{ 0, PRIMARY ":3478" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req_opts o = { .change_set = true,
				      .change = cases[i].flags };

		ASK(PRIMARY, 3478, &o, -1);
		ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
		ASSERT_FROM(cases[i].from);
		ASSERT_ADDR(cases[i].from, STUN_ATTR_RESPONSE_ORIGIN);
		/* OTHER-ADDRESS is of where the request arrived. */
		ASSERT_ADDR(ALTERNATE ":3479", STUN_ATTR_OTHER_ADDRESS);
	}
}

/* RFC 5780 7.4: the other address and the other port of the request's. */
TEST_F(coned, other_address_on_alternate)
{
	ASK(ALTERNATE, 3478, NULL, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	ASSERT_FROM(ALTERNATE ":3478");
	ASSERT_ADDR(ALTERNATE ":3478", STUN_ATTR_RESPONSE_ORIGIN);
	ASSERT_ADDR(PRIMARY ":3479", STUN_ATTR_OTHER_ADDRESS);

	ASK(ALTERNATE, 3479, NULL, -1);
	ASSERT_ADDR(PRIMARY ":3478", STUN_ATTR_OTHER_ADDRESS);
}

/* --other-address coturn: the alternate address names itself. */
TEST_F(coned, other_address_coturn)
{
	static const char *const args[] = {
		"--alt-address", ALTERNATE, "--alt-port", "3481",
		"--other-address", "coturn", NULL
	};

	self->pid[1] = start_coned(PRIMARY, "3480", args);
	ASSERT_LT(0, self->pid[1]);
	ASK(ALTERNATE, 3480, NULL, -1);
	ASSERT_ADDR(ALTERNATE ":3480", STUN_ATTR_RESPONSE_ORIGIN);
	ASSERT_ADDR(ALTERNATE ":3481", STUN_ATTR_OTHER_ADDRESS);
	/* The primary address answers as RFC 5780 says either way. */
	ASK(PRIMARY, 3480, NULL, -1);
	ASSERT_ADDR(ALTERNATE ":3481", STUN_ATTR_OTHER_ADDRESS);
}

/* RFC 5780 section 6: no second address, no OTHER-ADDRESS, and 420. */
TEST_F(coned, no_alternate)
{
	struct req_opts o = { .change_set = true, .change = STUN_CHANGE_PORT };
	uint16_t unknown[4];
	struct stun_attr a;

	self->pid[2] = start_coned(PRIMARY, "3490",
				   (const char *const[]){ NULL });
	ASSERT_LT(0, self->pid[2]);
	ASK(PRIMARY, 3490, NULL, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	ASSERT_ADDR("none", STUN_ATTR_OTHER_ADDRESS);
	ASK(PRIMARY, 3490, &o, -1);
	ASSERT_EQ(STUN_ERROR, stun_class(self->m.type));
	ASSERT_EQ(420, error_code(&self->m));
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_UNKNOWN_ATTRIBUTES, &a));
	ASSERT_EQ(1, stun_get_unknown(&a, unknown, 4));
	ASSERT_EQ(STUN_ATTR_CHANGE_REQUEST, unknown[0]);
	/* Even with no flag set: the attribute itself is unknown here. */
	o.change = 0;
	ASK(PRIMARY, 3490, &o, -1);
	ASSERT_EQ(STUN_ERROR, stun_class(self->m.type));
	ASSERT_EQ(420, error_code(&self->m));
}

TEST_F(coned, response_port)
{
	int rx = client_socket(SOCK_DGRAM, 40000);
	struct req_opts o = { .response_port = 40000 };
	char client[SS_STRLEN];

	ASSERT_LE(0, rx);
	ASK(PRIMARY, 3478, &o, rx);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	ASSERT_FROM(PRIMARY ":3478");
	/* The mapped address is still the request's source. */
	ASSERT_ADDR(ss_str(&self->client, client),
		    STUN_ATTR_XOR_MAPPED_ADDRESS);
	close(rx);
}

TEST_F(coned, padding)
{
	struct req_opts o = { .padding = 1200 };
	struct stun_attr a;

	ASK(PRIMARY, 3478, &o, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	/* coned pads its answer as much as the request was padded. */
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_PADDING, &a));
	ASSERT_EQ(1200, a.len);
	ASSERT_LE(STUN_HEADER_LEN + 4 + 1200U, self->m.len);
}

/*
 * PADDING beyond the path MTU: the answer is padded as far as its IPv4
 * datagram fits 1500 bytes (a UDP payload of 1472), SOFTWARE (of a length
 * not a multiple of 4) and FINGERPRINT included, and no further.
 */
TEST_F(coned, padding_capped)
{
	struct req_opts o = { .padding = 3000 };
	struct stun_attr a;

	ASK(PRIMARY, 3478, &o, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_PADDING, &a));
	ASSERT_EQ(1500U - 20 - 8, self->m.len);
	self->pid[1] = start_coned(PRIMARY, "3530",
				   (const char *const[]){ "--software", "coned x",
							  NULL });
	ASSERT_LT(0, self->pid[1]);
	ASK(PRIMARY, 3530, &o, -1);
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_SOFTWARE, &a));
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_PADDING, &a));
	ASSERT_EQ(0, a.len % 4);
	ASSERT_EQ(1500U - 20 - 8, self->m.len);
}

/* RFC 5780 6.1: PADDING with RESPONSE-PORT gets 400, to the source. */
TEST_F(coned, padding_with_response_port)
{
	struct req_opts o = { .padding = 100, .response_port = 40001 };

	ASK(PRIMARY, 3478, &o, -1);
	ASSERT_EQ(STUN_ERROR, stun_class(self->m.type));
	ASSERT_EQ(400, error_code(&self->m));
	ASSERT_FROM(PRIMARY ":3478");
}

/* RFC 8489 7.3.1: unknown comprehension-required attributes get 420. */
TEST_F(coned, unknown_attribute)
{
	struct req_opts o = { .extra_attr = 0x7FF0 };
	uint16_t unknown[4];
	struct stun_attr a;

	ASK(PRIMARY, 3478, &o, -1);
	ASSERT_EQ(STUN_ERROR, stun_class(self->m.type));
	ASSERT_EQ(420, error_code(&self->m));
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_UNKNOWN_ATTRIBUTES, &a));
	ASSERT_EQ(1, stun_get_unknown(&a, unknown, 4));
	ASSERT_EQ(0x7FF0, unknown[0]);

	/* A comprehension-optional one is ignored. */
	o.extra_attr = 0xFFF0;
	ASK(PRIMARY, 3478, &o, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
}

/* One request on a TCP connection and its answer, framed by its length. */
static ssize_t tcp_exchange(int fd, const uint8_t *req, size_t len,
			    uint8_t *resp, size_t cap)
{
	size_t got = 0;
	long frame = 0;
	ssize_t n;

	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	/* TCP retransmits by itself: just a longer wait. */
	set_timeout(fd, TIMEOUT_MS * TRIES);
	while (!frame || got < (size_t)frame) {
		n = recv(fd, resp + got, cap - got, 0);
		if (n <= 0)
			return -1;
		got += n;
		frame = stun_frame_len(resp, got);
		if (frame < 0 || (size_t)frame > cap)
			return -1;
	}
	return frame;
}

/* RFC 5780: CHANGE-REQUEST and RESPONSE-PORT have no meaning over TCP. */
TEST_F(coned, tcp)
{
	static const struct req_opts change = {
		.change_set = true, .change = STUN_CHANGE_IP | STUN_CHANGE_PORT
	}, response_port = { .response_port = 40002 };
	const struct req_opts *refused[] = { &change, &response_port };
	struct sockaddr_storage to = endpoint(PRIMARY, 3478);
	uint8_t req[256], tid[STUN_TID_LEN];
	char client[SS_STRLEN];
	unsigned int i;
	size_t len;
	ssize_t n;
	int fd;

	fd = client_socket(SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&to, ss_len(&to)));

	len = build_request(req, sizeof(req), tid, NULL);
	n = tcp_exchange(fd, req, len, self->resp, sizeof(self->resp));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, stun_parse(&self->m, self->resp, n, false));
	ASSERT_EQ(0, memcmp(stun_tid(&self->m), tid, STUN_TID_LEN));
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
	self->client = local_of(fd);
	ASSERT_ADDR(ss_str(&self->client, client),
		    STUN_ATTR_XOR_MAPPED_ADDRESS);
	ASSERT_ADDR(PRIMARY ":3478", STUN_ATTR_RESPONSE_ORIGIN);

	/* Refused with 400 on the same connection, which stays open. */
	for (i = 0; i < 2; i++) {
		len = build_request(req, sizeof(req), tid, refused[i]);
		n = tcp_exchange(fd, req, len, self->resp, sizeof(self->resp));
		ASSERT_LT(0, n);
		ASSERT_EQ(0, stun_parse(&self->m, self->resp, n, false));
		ASSERT_EQ(0, memcmp(stun_tid(&self->m), tid, STUN_TID_LEN));
		ASSERT_EQ(STUN_ERROR, stun_class(self->m.type));
		ASSERT_EQ(400, error_code(&self->m));
	}
	close(fd);
}

/* RFC 8489 6.3: a malformed message is dropped, without an answer. */
TEST_F(coned, malformed_dropped)
{
	struct sockaddr_storage to = endpoint(PRIMARY, 3478);
	uint8_t req[256], tid[STUN_TID_LEN], buf[64];
	struct req_opts o = { .padding = 40 };
	size_t len = build_request(req, sizeof(req), tid, &o);
	const struct {
		size_t len;
		const char *what;
	} bad[] = {
		{ len - 8, "truncated: shorter than its header says" },
		{ STUN_HEADER_LEN - 1, "a header cut short" },
		{ len, "FINGERPRINT wrong" },
		{ len, "not STUN at all" },
	};
	unsigned int i;
	ssize_t n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = build_request(req, sizeof(req), tid, &o);
		if (i == 2)
			req[len - 1] ^= 1;
		if (i == 3)
			memset(req, 0xff, len);
		ASSERT_EQ((ssize_t)bad[i].len,
			  sendto(self->udp, req, bad[i].len, 0,
				 (struct sockaddr *)&to, ss_len(&to)));
		n = recv(self->udp, buf, sizeof(buf), 0);
		ASSERT_EQ(-1, n) TH_LOG("%s: answered", bad[i].what);
	}
	/* And coned still serves. */
	ASK(PRIMARY, 3478, NULL, -1);
	ASSERT_EQ(STUN_SUCCESS, stun_class(self->m.type));
}

/*
 * RFC 3489 has no attribute padding: ERROR-CODE's length is a multiple of
 * 4 (the reason padded with spaces) and UNKNOWN-ATTRIBUTES' too (an odd
 * list made even by repeating an entry).
 */
TEST_F(coned, legacy_error_padding)
{
	struct sockaddr_storage to = endpoint(PRIMARY, 3478);
	uint8_t req[64], tid[STUN_LEGACY_TID_LEN] = { 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t zero[4];
	struct stun_builder b;
	uint16_t unknown[4];
	struct stun_attr a;
	size_t len;
	ssize_t n;

	stun_build_init(&b, req, sizeof(req),
			stun_type(STUN_BINDING, STUN_REQUEST), tid, true);
	stun_add(&b, 0x7FF0, zero, sizeof(zero));
	len = stun_build_end(&b);
	ASSERT_NE(0U, len);
	n = exchange(self->udp, self->udp, &to, req, len, self->resp,
		     sizeof(self->resp), &self->from);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, stun_parse(&self->m, self->resp, n, true));
	ASSERT_TRUE(self->m.legacy);
	ASSERT_EQ(420, error_code(&self->m));
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_ERROR_CODE, &a));
	EXPECT_EQ(0, a.len % 4);
	ASSERT_TRUE(stun_find(&self->m, STUN_ATTR_UNKNOWN_ATTRIBUTES, &a));
	EXPECT_EQ(0, a.len % 4);
	ASSERT_EQ(2, stun_get_unknown(&a, unknown, 4));
	EXPECT_EQ(0x7FF0, unknown[0]);
	EXPECT_EQ(0x7FF0, unknown[1]);
}

/* MAPPED-ADDRESS only with --mapped-address (XOR-MAPPED-ADDRESS always). */
TEST_F(coned, mapped_address)
{
	char client[SS_STRLEN];

	ASK(PRIMARY, 3478, NULL, -1);
	ASSERT_ADDR("none", STUN_ATTR_MAPPED_ADDRESS);
	self->pid[1] = start_coned(PRIMARY, "3500",
				   (const char *const[]){ "--mapped-address", NULL });
	ASSERT_LT(0, self->pid[1]);
	ASK(PRIMARY, 3500, NULL, -1);
	ASSERT_ADDR(ss_str(&self->client, client), STUN_ATTR_MAPPED_ADDRESS);
	ASSERT_ADDR(ss_str(&self->client, client),
		    STUN_ATTR_XOR_MAPPED_ADDRESS);
}

/* At most 16 TCP connections from one address (per worker). */
TEST_F(coned, tcp_per_source)
{
	struct sockaddr_storage to = endpoint(PRIMARY, 3510);
	unsigned int i, open_ = 0, closed = 0;
	uint8_t req[64], resp[512], tid[STUN_TID_LEN];
	int fd[20];
	size_t len;

	self->pid[1] = start_coned(PRIMARY, "3510",
				   (const char *const[]){ "--alt-port", "3511",
							  "--workers", "1", NULL });
	ASSERT_LT(0, self->pid[1]);
	for (i = 0; i < 20; i++) {
		fd[i] = client_socket(SOCK_STREAM, 0);
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, connect(fd[i], (struct sockaddr *)&to, ss_len(&to)));
		usleep(20 * 1000);	/* accepted in this order */
	}
	for (i = 0; i < 20; i++) {
		len = build_request(req, sizeof(req), tid, NULL);
		if (tcp_exchange(fd[i], req, len, resp, sizeof(resp)) > 0)
			open_++;
		else
			closed++;
		close(fd[i]);
	}
	EXPECT_EQ(16U, open_);
	EXPECT_EQ(4U, closed);
}

/* Send n Binding requests at once to port; how many answers come. */
static unsigned int burst_answers(int fd, uint16_t port, unsigned int n)
{
	struct sockaddr_storage to = endpoint(PRIMARY, port);
	uint8_t req[64], resp[512], tid[STUN_TID_LEN];
	unsigned int i, got = 0;
	size_t len;

	for (i = 0; i < n; i++) {
		len = build_request(req, sizeof(req), tid, NULL);
		sendto(fd, req, len, 0, (struct sockaddr *)&to, ss_len(&to));
	}
	while (recv(fd, resp, sizeof(resp), 0) > 0)
		got++;
	return got;
}

/* --rate-limit 10: a burst of 20 answered, then 10 a second. */
TEST_F(coned, rate_limit)
{
	unsigned int got;

	self->pid[1] = start_coned(PRIMARY, "3520",
				   (const char *const[]){ "--alt-port", "3521",
							  "--rate-limit", "10",
							  "--workers", "1", NULL });
	ASSERT_LT(0, self->pid[1]);
	/* start_coned's probes spent a few; let the bucket fill. */
	usleep(2100 * 1000);
	got = burst_answers(self->udp, 3520, 60);
	EXPECT_LE(20U, got);
	EXPECT_GE(23U, got);
	usleep(1000 * 1000);
	got = burst_answers(self->udp, 3520, 60);
	EXPECT_LE(9U, got);
	EXPECT_GE(16U, got);	/* 1 s and the first burst's 300 ms wait */
	/* The default limit (100) lets the same burst through whole. */
	EXPECT_EQ(60U, burst_answers(self->udp, 3478, 60));
}

TEST_HARNESS_MAIN
