// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "args.h"
#include "sockaddr.h"

socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

uint16_t ss_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void ss_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

bool ss_same_addr(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return !memcmp(&a6->sin6_addr, &b6->sin6_addr, 16);
	return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

bool ss_equal(const struct sockaddr_storage *a,
	      const struct sockaddr_storage *b)
{
	return ss_same_addr(a, b) && ss_port(a) == ss_port(b);
}

bool ss_parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

bool ss_parse_endpoint(const char *s, uint16_t default_port,
		       struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN];
	const char *port = NULL, *end;
	uint64_t p = default_port;
	size_t len;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return false;
		if (end[1] == ':')
			port = end + 2;
		s++;
	} else {
		end = strchr(s, ':');
		/* Two colons or more: an IPv6 address without a port. */
		if (end && strchr(end + 1, ':'))
			end = NULL;
		if (end)
			port = end + 1;
		else
			end = s + strlen(s);
	}
	len = end - s;
	if (!len || len >= sizeof(addr))
		return false;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (port && !parse_uint(port, 1, UINT16_MAX, &p))
		return false;
	if (!ss_parse_addr(addr, ss) || !p)
		return false;
	ss_set_port(ss, p);
	return true;
}

char *ss_addr_str(const struct sockaddr_storage *ss, char *buf)
{
	const void *ip = &((const struct sockaddr_in *)ss)->sin_addr;

	if (ss->ss_family == AF_INET6)
		ip = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!inet_ntop(ss->ss_family, ip, buf, SS_STRLEN))
		snprintf(buf, SS_STRLEN, "?");
	return buf;
}

char *ss_str(const struct sockaddr_storage *ss, char *buf)
{
	char ip[SS_STRLEN];

	ss_addr_str(ss, ip);
	snprintf(buf, SS_STRLEN, ss->ss_family == AF_INET6 ? "[%s]:%u" :
			"%s:%u", ip, ss_port(ss));
	return buf;
}
