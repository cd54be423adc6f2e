// SPDX-License-Identifier: GPL-2.0
/*
 * Raw IP packets of any protocol, for the NAT selftests of protocols
 * without ports (GRE, ESP):
 *
 *   rawip send PROTO DST [LEN]      send one packet of IP protocol PROTO,
 *                                   LEN zero bytes (default 64: for GRE,
 *                                   a version 0 header and a payload)
 *   rawip recv PROTO MS             print the source address of the first
 *                                   packet of PROTO; exit 1 if none in MS
 *
 * Exit status 2 on usage or socket errors.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int usage(void)
{
	fprintf(stderr, "usage: rawip send PROTO DST [LEN] | recv PROTO MS\n");
	return 2;
}

static int raw_socket(const char *proto)
{
	int fd = socket(AF_INET, SOCK_RAW, atoi(proto));

	if (fd < 0)
		perror("rawip: socket");
	return fd;
}

static int do_send(const char *proto, const char *dst, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = raw_socket(proto);
	char text[1024] = "";

	if (fd < 0)
		return 2;
	if (inet_pton(AF_INET, dst, &sin.sin_addr) != 1)
		return usage();
	if (len > sizeof(text))
		return usage();
	if (sendto(fd, text, len, 0, (struct sockaddr *)&sin,
		   sizeof(sin)) < 0) {
		perror("rawip: sendto");
		return 2;
	}
	return 0;
}

static int do_recv(const char *proto, int ms)
{
	char buf[2048], addr[INET_ADDRSTRLEN];
	int fd = raw_socket(proto);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const struct iphdr *ip = (const struct iphdr *)buf;
	ssize_t n;

	if (fd < 0)
		return 2;
	if (poll(&pfd, 1, ms) != 1)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*ip)) {
		perror("rawip: recv");
		return 2;
	}
	/* A raw socket hands over the IP header with the payload. */
	inet_ntop(AF_INET, &ip->saddr, addr, sizeof(addr));
	printf("%s\n", addr);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 64);
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], atoi(argv[3]));
	return usage();
}
