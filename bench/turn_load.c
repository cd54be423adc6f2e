// SPDX-License-Identifier: GPL-2.0
/*
 * A TURN load generator: N allocations, each with a channel to a peer
 * socket of its own, traffic both ways (client -> ChannelData -> relay ->
 * peer, and peer -> relay -> ChannelData -> client) at an offered rate,
 * batched with sendmmsg/recvmmsg.  It reads the server's CPU time from
 * /proc/PID/stat over the measured window and prints one line:
 *
 *   payload P allocations N offered O pps relayed R pps lost L% server-cpu C s per-core K pps
 *
 * turn_load --server ADDR --client ADDR --peer ADDR --user NAME:PASS
 *           [--realm R] [--allocations N] [--payload BYTES] [--rate PPS]
 *           [--seconds S] [--server-pid PID] [--hold]
 *
 * --hold sets the allocations up (one peer socket for all) and exits,
 * leaving them to their lifetime: for measuring a server's memory.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "sockaddr.h"
#include "stun.h"

#define BATCH	32
#define MAX_ALLOCS	10000

struct session {
	int cfd, pfd;			/* client (to the server), peer */
	struct sockaddr_storage relayed;
};

static struct {
	struct sockaddr_storage server, client, peer;
	char user[128], pass[128], realm[128];
	unsigned int n, payload, seconds;
	unsigned long rate;
	int server_pid;
	bool hold;		/* set up the allocations, send nothing, exit */
	int shared_peer;	/* with hold: one peer socket for all */
} o = { .n = 16, .payload = 100, .seconds = 5, .rate = 50000 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int udp_bound(const struct sockaddr_storage *addr)
{
	struct sockaddr_storage ss = *addr;
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int size = 4 << 20;

	ss_set_port(&ss, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, ss_len(&ss)))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return fd;
}

/* One request with long-term credentials (nonce fetched on 401). */
static int transact(int fd, uint16_t method, char *nonce, uint8_t *key,
		    const struct sockaddr_storage *peer, uint16_t channel,
		    struct sockaddr_storage *relayed)
{
	uint8_t req[512], resp[1024], tid[STUN_TID_LEN];
	struct timeval tv = { .tv_sec = 1 };
	struct stun_builder b;
	struct stun_msg m;
	struct stun_attr a;
	int try, i, code;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (try = 0; try < 4; try++) {
		for (i = 0; i < STUN_TID_LEN; i++)
			tid[i] = random();
		stun_build_init(&b, req, sizeof(req),
				stun_type(method, STUN_REQUEST), tid, false);
		if (method == STUN_ALLOCATE)
			turn_add_transport(&b, TURN_TRANSPORT_UDP);
		if (channel)
			turn_add_channel(&b, channel);
		if (peer)
			stun_add_xor_addr(&b, STUN_ATTR_XOR_PEER_ADDRESS,
					  (const struct sockaddr *)peer);
		if (nonce[0]) {
			stun_add_string(&b, STUN_ATTR_USERNAME, o.user);
			stun_add_string(&b, STUN_ATTR_REALM, o.realm);
			stun_add_string(&b, STUN_ATTR_NONCE, nonce);
			stun_add_integrity(&b, key, STUN_LONG_TERM_KEY_LEN);
		}
		stun_add_fingerprint(&b);
		n = stun_build_end(&b);
		if (send(fd, req, n, 0) != n)
			return -1;
		n = recv(fd, resp, sizeof(resp), 0);
		if (n < 0 || stun_parse(&m, resp, n, false) ||
		    memcmp(resp + 8, tid, STUN_TID_LEN))
			continue;
		if (stun_class(m.type) == STUN_SUCCESS) {
			if (relayed &&
			    (!stun_find(&m, STUN_ATTR_XOR_RELAYED_ADDRESS, &a) ||
			     stun_get_xor_addr(&m, &a, relayed)))
				return -1;
			return 0;
		}
		if (!stun_find(&m, STUN_ATTR_ERROR_CODE, &a) ||
		    stun_get_error(&a, &code, NULL, 0))
			return -1;
		if (code != 401 && code != 438)
			return code;
		if (stun_find(&m, STUN_ATTR_REALM, &a))
			stun_get_text(&a, o.realm, sizeof(o.realm));
		if (stun_find(&m, STUN_ATTR_NONCE, &a))
			stun_get_text(&a, nonce, STUN_MAX_TEXT + 1);
		stun_long_term_key(o.user, o.realm, o.pass, key);
	}
	return -1;
}

static int setup(struct session *s, uint16_t channel)
{
	/* A nonce is the client address's, whatever the port: shared, so
	 * only the first allocation meets the 401 (which is rate-limited). */
	static char nonce[STUN_MAX_TEXT + 1];
	static uint8_t key[STUN_LONG_TERM_KEY_LEN];
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int rc;

	s->cfd = udp_bound(&o.client);
	if (o.hold && !o.shared_peer)
		o.shared_peer = udp_bound(&o.peer);
	s->pfd = o.hold ? o.shared_peer : udp_bound(&o.peer);
	if (s->cfd < 0 || s->pfd < 0 ||
	    connect(s->cfd, (struct sockaddr *)&o.server, ss_len(&o.server)) ||
	    getsockname(s->pfd, (struct sockaddr *)&peer, &len))
		return -1;
	rc = transact(s->cfd, STUN_ALLOCATE, nonce, key, NULL, 0, &s->relayed);
	if (rc)
		return rc;
	rc = transact(s->cfd, STUN_CHANNEL_BIND, nonce, key, &peer, channel,
		      NULL);
	if (rc || o.hold)
		return rc;
	if (connect(s->pfd, (struct sockaddr *)&s->relayed,
		    ss_len(&s->relayed)))
		return -1;
	return 0;
}

static unsigned long long server_cpu_ticks(void)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	FILE *f;

	if (!o.server_pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", o.server_pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	p = strrchr(buf, ')');
	/* Fields 14 and 15 (utime, stime) follow the name's ")". */
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		       &ut, &st);
	return ut + st;
}

/* Send a batch of k datagrams on fd (buf, len each); how many went. */
static int send_batch(int fd, const uint8_t *buf, size_t len, int k)
{
	struct mmsghdr m[BATCH];
	struct iovec iov = { (void *)buf, len };
	int i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < k; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	i = sendmmsg(fd, m, k, MSG_DONTWAIT);
	return i < 0 ? 0 : i;
}

static unsigned long drain(int fd)
{
	static uint8_t bufs[BATCH][2048];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	unsigned long total = 0;
	int i, n;

	for (;;) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return total;
		total += n;
	}
}

static int parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "peer", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "realm", required_argument, NULL, 'r' },
		{ "allocations", required_argument, NULL, 'n' },
		{ "payload", required_argument, NULL, 'l' },
		{ "rate", required_argument, NULL, 'R' },
		{ "seconds", required_argument, NULL, 't' },
		{ "server-pid", required_argument, NULL, 'P' },
		{ "hold", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	char *colon;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!ss_parse_endpoint(optarg, 3478, &o.server))
				return fprintf(stderr, "turn_load: bad --server\n"), 2;
			break;
		case 'c':
		case 'p':
			if (!ss_parse_addr(optarg, c == 'c' ? &o.client : &o.peer))
				return fprintf(stderr, "turn_load: bad address %s\n", optarg), 2;
			break;
		case 'u':
			colon = strchr(optarg, ':');
			if (!colon)
				return fprintf(stderr, "turn_load: --user NAME:PASS\n"), 2;
			snprintf(o.user, sizeof(o.user), "%.*s",
				 (int)(colon - optarg), optarg);
			snprintf(o.pass, sizeof(o.pass), "%s", colon + 1);
			break;
		case 'r':
			snprintf(o.realm, sizeof(o.realm), "%s", optarg);
			break;
		case 'n':
			o.n = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			o.payload = strtoul(optarg, NULL, 10);
			break;
		case 'R':
			o.rate = strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.seconds = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			o.server_pid = atoi(optarg);
			break;
		case 'H':
			o.hold = true;
			break;
		default:
			return fprintf(stderr, "turn_load: unknown option\n"), 2;
		}
	}
	if (!o.server.ss_family || !o.client.ss_family || !o.peer.ss_family ||
	    !o.user[0] || !o.n || o.n > MAX_ALLOCS || !o.payload ||
	    o.payload > 1400)
		return fprintf(stderr, "turn_load: --server, --client, --peer, --user needed; 1-%d allocations, payload 1-1400\n",
			       MAX_ALLOCS), 2;
	return 0;
}

int main(int argc, char **argv)
{
	static struct session s[MAX_ALLOCS];
	static uint8_t cd[4 + 1500], raw[1500];
	unsigned long sent = 0, got = 0, due;
	unsigned long long t0, t1;
	double start, elapsed, cpu;
	unsigned int i;
	int rc, k;

	if (parse(argc, argv))
		return 2;
	srandom(getpid());
	for (i = 0; i < o.n; i++) {
		rc = setup(&s[i], 0x4000);
		if (rc) {
			fprintf(stderr, "turn_load: allocation %u failed (%d)\n", i, rc);
			return 1;
		}
	}
	if (o.hold) {
		printf("allocations %u held\n", o.n);
		return 0;
	}
	memset(cd, 'x', sizeof(cd));
	stun_put16(cd, 0x4000);
	stun_put16(cd + 2, o.payload);
	memset(raw, 'y', sizeof(raw));
	t0 = server_cpu_ticks();
	start = now();
	/* Round robin over sessions; each step a batch each way. */
	for (i = 0;; i = (i + 1) % o.n) {
		elapsed = now() - start;
		if (elapsed >= o.seconds)
			break;
		due = o.rate ? (unsigned long)(elapsed * o.rate) : sent + 2 * BATCH;
		if (sent < due) {
			k = BATCH / 2;
			sent += send_batch(s[i].cfd, cd, 4 + o.payload, k);
			sent += send_batch(s[i].pfd, raw, o.payload, k);
		}
		got += drain(s[i].cfd) + drain(s[i].pfd);
	}
	/* Late arrivals within 200 ms still count. */
	usleep(200 * 1000);
	for (i = 0; i < o.n; i++)
		got += drain(s[i].cfd) + drain(s[i].pfd);
	t1 = server_cpu_ticks();
	cpu = (double)(t1 - t0) / sysconf(_SC_CLK_TCK);
	printf("payload %u allocations %u offered %.0f pps relayed %.0f pps lost %.2f%% server-cpu %.2f s per-core %.0f pps\n",
	       o.payload, o.n, sent / (double)o.seconds, got / (double)o.seconds,
	       sent ? 100.0 * (sent - got) / sent : 0.0, cpu,
	       cpu > 0 ? got / cpu : 0.0);
	return 0;
}
