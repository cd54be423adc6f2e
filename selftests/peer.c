// SPDX-License-Identifier: GPL-2.0
/*
 * A UDP and TCP peer for the NAT selftests, small enough to start at once
 * in a TCG guest:
 *
 *   peer echo ADDR:PORT...          answer each datagram with the
 *                                       source address:port it came from
 *   peer ask LOCAL REMOTE [MS]      send from LOCAL, print the answer
 *   peer send LOCAL REMOTE [TEXT]   send one datagram from LOCAL
 *   peer stream LOCAL REMOTE N MS   send N datagrams, one every MS
 *   peer spray ADDR PORT N REMOTE   send one datagram from each of the N
 *                                       ports ADDR:PORT, ADDR:PORT+1, ...
 *   peer listen LOCAL [MS]          print "SOURCE TEXT" of the first
 *                                       datagram; exit 1 if none in MS
 *   peer icmp-error LOCAL REMOTE [MS]
 *                                       send a datagram and print the ICMP
 *                                       error it meets, from the socket's
 *                                       error queue: "icmp TYPE CODE from
 *                                       ADDR"; exit 1 if none in MS
 *   peer tcp-echo ADDR:PORT...      TCP: write the peer's address:port
 *   peer tcp-ask LOCAL REMOTE [MS]  TCP: connect from LOCAL, print it
 *   peer tcp-sink ADDR:PORT         TCP: accept and hold connections open
 *   peer tcp-hold LOCAL REMOTE MS   TCP: connect from LOCAL, hold the
 *                                       connection open MS, then close it;
 *                                       exit 1 if it did not connect
 *   peer tcp-try LOCAL REMOTE MS    TCP: connect from LOCAL and print
 *                                       "connected", "reset" (a RST),
 *                                       "icmp-TYPE-CODE" (an ICMP error,
 *                                       from the error queue), "timeout"
 *                                       or another error, and the
 *                                       milliseconds it took; exit 0 if
 *                                       connected
 *
 * LOCAL and REMOTE are IPv4 ADDR:PORT.  Exit status 1 on timeout, 2 on
 * usage or socket errors.
 */
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 16

static int usage(void)
{
	fprintf(stderr, "usage: peer echo ADDR:PORT... | ask LOCAL REMOTE [MS] |\n"
			"       send LOCAL REMOTE [TEXT] | stream LOCAL REMOTE N MS |\n"
			"       spray ADDR PORT N REMOTE |\n"
			"       listen LOCAL [MS] | icmp-error LOCAL REMOTE [MS] |\n"
			"       tcp-echo ADDR:PORT... | tcp-ask LOCAL REMOTE [MS] |\n"
			"       tcp-try LOCAL REMOTE MS | tcp-sink ADDR:PORT |\n"
			"       tcp-hold LOCAL REMOTE MS\n");
	return 2;
}

static int parse_endpoint(const char *s, struct sockaddr_in *sin)
{
	char buf[64], *colon;
	long port;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	port = strtol(colon + 1, NULL, 10);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	if (port < 0 || port > 65535 || inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		return -1;
	return 0;
}

static int bound_socket_type(const char *local, int type)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if (parse_endpoint(local, &sin)) {
		fprintf(stderr, "peer: bad endpoint %s\n", local);
		return -1;
	}
	fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "peer: bind %s: %s\n", local, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int bound_socket(const char *local)
{
	return bound_socket_type(local, SOCK_DGRAM);
}

static void format_endpoint(const struct sockaddr_in *sin, char *out, size_t len)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
	snprintf(out, len, "%s:%u", addr, ntohs(sin->sin_port));
}

static int send_to(int fd, const char *remote, const char *text)
{
	struct sockaddr_in sin;

	if (parse_endpoint(remote, &sin)) {
		fprintf(stderr, "peer: bad endpoint %s\n", remote);
		return -1;
	}
	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&sin,
		   sizeof(sin)) < 0) {
		fprintf(stderr, "peer: send to %s: %s\n", remote, strerror(errno));
		return -1;
	}
	return 0;
}

/* Wait for one datagram; 0 and its text and source, or 1 on timeout. */
static int receive(int fd, int ms, char *text, size_t len, struct sockaddr_in *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t fromlen = sizeof(*from);
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 1;
	n = recvfrom(fd, text, len - 1, 0, (struct sockaddr *)from, &fromlen);
	if (n < 0)
		return 1;
	text[n] = '\0';
	return 0;
}

static int do_echo(int argc, char **argv)
{
	struct pollfd p[MAX_SOCKS];
	struct sockaddr_in from;
	char text[512], src[64];
	int i, n = 0;

	for (i = 0; i < argc && n < MAX_SOCKS; i++, n++) {
		p[n].fd = bound_socket(argv[i]);
		p[n].events = POLLIN;
		if (p[n].fd < 0)
			return 2;
	}
	for (;;) {
		if (poll(p, n, -1) < 0)
			return 2;
		for (i = 0; i < n; i++) {
			if (!(p[i].revents & POLLIN) ||
			    receive(p[i].fd, 0, text, sizeof(text), &from))
				continue;
			format_endpoint(&from, src, sizeof(src));
			sendto(p[i].fd, src, strlen(src), 0,
			       (struct sockaddr *)&from, sizeof(from));
		}
	}
}

static int do_ask(int argc, char **argv)
{
	int fd, ms = argc > 2 ? atoi(argv[2]) : 2000, tries;
	struct sockaddr_in from;
	char text[512];

	if (argc < 2)
		return usage();
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 2;
	/* Three tries: one lost datagram must not fail a test. */
	for (tries = 0; tries < 3; tries++) {
		if (send_to(fd, argv[1], "ask"))
			return 2;
		if (!receive(fd, ms / 3 + 1, text, sizeof(text), &from)) {
			printf("%s\n", text);
			return 0;
		}
	}
	return 1;
}

static int do_send(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return usage();
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 2;
	return send_to(fd, argv[1], argc > 2 ? argv[2] : "hello") ? 2 : 0;
}

/* One process for the whole stream: its pace holds in a loaded guest. */
static int do_stream(int argc, char **argv)
{
	int fd, i, n, ms;

	if (argc < 4)
		return usage();
	n = atoi(argv[2]);
	ms = atoi(argv[3]);
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 2;
	for (i = 0; i < n; i++) {
		if (send_to(fd, argv[1], "stream"))
			return 2;
		usleep(ms * 1000);
	}
	return 0;
}

/* Many flows at once, without a process each: thousands of mappings. */
static int do_spray(int argc, char **argv)
{
	char local[64];
	int i, n, port, fd;

	if (argc < 4)
		return usage();
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	if (port < 1 || n < 1 || port + n - 1 > 65535)
		return usage();
	for (i = 0; i < n; i++) {
		snprintf(local, sizeof(local), "%s:%d", argv[0], port + i);
		fd = bound_socket(local);
		if (fd < 0 || send_to(fd, argv[3], "spray"))
			return 2;
		close(fd);
	}
	return 0;
}

static int do_listen(int argc, char **argv)
{
	int fd, ms = argc > 1 ? atoi(argv[1]) : 2000;
	struct sockaddr_in from;
	char text[512], src[64];

	if (argc < 1)
		return usage();
	fd = bound_socket(argv[0]);
	if (fd < 0)
		return 2;
	if (receive(fd, ms, text, sizeof(text), &from))
		return 1;
	format_endpoint(&from, src, sizeof(src));
	printf("%s %s\n", src, text);
	return 0;
}

/*
 * The ICMP error queued on fd with IP_RECVERR: 0 with its type, code and
 * sender, or -1 if the queue holds none.  errno text is no proof: Linux
 * gives "No route to host" for several codes, ECONNREFUSED for a RST too.
 */
static int icmp_queued(int fd, int *type, int *code, char *from, size_t len)
{
	char data[64], control[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct sock_extended_err *ee;
	struct sockaddr_in *off;
	struct cmsghdr *cm;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IP || cm->cmsg_type != IP_RECVERR)
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP)
			continue;
		*type = ee->ee_type;
		*code = ee->ee_code;
		off = (struct sockaddr_in *)SO_EE_OFFENDER(ee);
		if (off->sin_family == AF_INET)
			inet_ntop(AF_INET, &off->sin_addr, from, len);
		else
			snprintf(from, len, "?");
		return 0;
	}
	return -1;
}

static int recv_errors(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

static int do_icmp_error(int argc, char **argv)
{
	int fd, ms = argc > 2 ? atoi(argv[2]) : 2000, type, code;
	char from[INET_ADDRSTRLEN];
	struct sockaddr_in sin;
	struct pollfd p;

	if (argc < 2 || parse_endpoint(argv[1], &sin))
		return usage();
	fd = bound_socket(argv[0]);
	if (fd < 0 || recv_errors(fd) ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return 2;
	if (send(fd, "closed?", 7, 0) < 0)
		return 2;
	p.fd = fd;
	p.events = 0;	/* POLLERR: the error queue has an entry */
	if (poll(&p, 1, ms) <= 0 ||
	    icmp_queued(fd, &type, &code, from, sizeof(from)))
		return 1;
	printf("icmp %d %d from %s\n", type, code, from);
	return 0;
}

static int do_tcp_echo(int argc, char **argv)
{
	struct pollfd p[MAX_SOCKS];
	struct sockaddr_in from;
	socklen_t len;
	char src[64];
	int i, n = 0, c;

	for (i = 0; i < argc && n < MAX_SOCKS; i++, n++) {
		p[n].fd = bound_socket_type(argv[i], SOCK_STREAM);
		p[n].events = POLLIN;
		if (p[n].fd < 0 || listen(p[n].fd, 16))
			return 2;
	}
	for (;;) {
		if (poll(p, n, -1) < 0)
			return 2;
		for (i = 0; i < n; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			len = sizeof(from);
			c = accept(p[i].fd, (struct sockaddr *)&from, &len);
			if (c < 0)
				continue;
			format_endpoint(&from, src, sizeof(src));
			if (write(c, src, strlen(src)) < 0)
				perror("peer: write");
			close(c);
		}
	}
}

static int do_tcp_ask(int argc, char **argv)
{
	int fd, ms = argc > 2 ? atoi(argv[2]) : 3000;
	struct sockaddr_in sin;
	struct pollfd p;
	char text[64];
	ssize_t n;

	if (argc < 2 || parse_endpoint(argv[1], &sin))
		return usage();
	fd = bound_socket_type(argv[0], SOCK_STREAM);
	if (fd < 0)
		return 2;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		return 2;
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, ms) <= 0)
		return 1;
	n = read(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return 1;
	text[n] = '\0';
	printf("%s\n", text);
	return 0;
}

static int do_tcp_sink(int argc, char **argv)
{
	int fd, held = 0;

	if (argc < 1)
		return usage();
	fd = bound_socket_type(argv[0], SOCK_STREAM);
	if (fd < 0 || listen(fd, 16))
		return 2;
	for (;;) {
		/* Each accepted connection stays open until the peer exits. */
		if (accept(fd, NULL, NULL) >= 0 && ++held > 1000)
			return 2;
	}
}

static int do_tcp_hold(int argc, char **argv)
{
	struct sockaddr_in sin;
	int fd;

	if (argc < 3 || parse_endpoint(argv[1], &sin))
		return usage();
	fd = bound_socket_type(argv[0], SOCK_STREAM);
	if (fd < 0)
		return 2;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return 1;
	printf("connected\n");
	usleep(atoi(argv[2]) * 1000);
	close(fd);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How a connection attempt ends, and when: the SYN's fate at a NAT. */
static int do_tcp_try(int argc, char **argv)
{
	char from[INET_ADDRSTRLEN], icmp[32];
	int fd, err = 0, ms, type, code;
	socklen_t len = sizeof(err);
	struct sockaddr_in sin;
	const char *result;
	struct pollfd p;
	long start;

	if (argc < 3 || parse_endpoint(argv[1], &sin))
		return usage();
	ms = atoi(argv[2]);
	fd = bound_socket_type(argv[0], SOCK_STREAM);
	if (fd < 0 || recv_errors(fd))
		return 2;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	start = now_ms();
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		return 2;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, ms) <= 0) {
		result = "timeout";
	} else if (!icmp_queued(fd, &type, &code, from, sizeof(from))) {
		snprintf(icmp, sizeof(icmp), "icmp-%d-%d", type, code);
		result = icmp;
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		result = err == ECONNREFUSED ? "reset" : strerror(err);
	} else {
		result = "connected";
	}
	printf("%s %ld\n", result, now_ms() - start);
	return strcmp(result, "connected") ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "echo"))
		return do_echo(argc - 2, argv + 2);
	if (!strcmp(argv[1], "ask"))
		return do_ask(argc - 2, argv + 2);
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stream"))
		return do_stream(argc - 2, argv + 2);
	if (!strcmp(argv[1], "icmp-error"))
		return do_icmp_error(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcp-echo"))
		return do_tcp_echo(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcp-ask"))
		return do_tcp_ask(argc - 2, argv + 2);
	if (!strcmp(argv[1], "spray"))
		return do_spray(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcp-try"))
		return do_tcp_try(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcp-sink"))
		return do_tcp_sink(argc - 2, argv + 2);
	if (!strcmp(argv[1], "tcp-hold"))
		return do_tcp_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "listen"))
		return do_listen(argc - 2, argv + 2);
	return usage();
}
