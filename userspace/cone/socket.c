// SPDX-License-Identifier: GPL-2.0
/* cone's sockets: the local address towards a server, fresh UDP ports. */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cone.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int local_address_for(const struct sockaddr_storage *server,
		      struct sockaddr_storage *local)
{
	socklen_t len = sizeof(*local);
	char buf[SS_STRLEN];
	int fd, rc = 0;

	/* connect() on UDP sends nothing: it only asks for a route. */
	fd = socket(server->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)server, ss_len(server)) ||
	    getsockname(fd, (struct sockaddr *)local, &len))
		rc = fail("no route to %s: %s", ss_str(server, buf),
			  strerror(errno));
	close(fd);
	ss_set_port(local, 0);
	return rc;
}

int udp_socket(const struct sockaddr_storage *local,
	       struct sockaddr_storage *bound)
{
	socklen_t len = sizeof(*bound);
	char buf[SS_STRLEN];
	int fd;

	fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		fail("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (const struct sockaddr *)local, ss_len(local)) ||
	    getsockname(fd, (struct sockaddr *)bound, &len)) {
		fail("cannot bind %s: %s", ss_str(local, buf), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int resolve_server(const char *arg, struct sockaddr_storage *server)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char host[256];
	const char *colon = strrchr(arg, ':');
	uint64_t port = CONE_DEFAULT_PORT;
	size_t len;
	int err;

	/* Literal addresses, with or without a port, need no resolver. */
	if (ss_parse_endpoint(arg, CONE_DEFAULT_PORT, server))
		return 0;
	if (arg[0] == '[' || (colon && strchr(arg, ':') != colon))
		return usage_error("invalid server \"%s\"", arg);
	len = colon ? (size_t)(colon - arg) : strlen(arg);
	if (!len || len >= sizeof(host) ||
	    (colon && !parse_uint(colon + 1, 1, UINT16_MAX, &port)))
		return usage_error("invalid server \"%s\"", arg);
	memcpy(host, arg, len);
	host[len] = '\0';
	err = getaddrinfo(host, NULL, &hints, &res);
	if (err)
		return fail("%s: %s", host, gai_strerror(err));
	memset(server, 0, sizeof(*server));
	memcpy(server, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	ss_set_port(server, port);
	return 0;
}
