// SPDX-License-Identifier: GPL-2.0
/*
 * Which peers a TURN client may reach.  In order: --deny-peer closes,
 * --allow-peer opens, our own relay addresses are open (two clients of
 * one server reach each other relay to relay), and the ranges below and
 * the host's own addresses are closed; everything else is open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "args.h"
#include "coned.h"

static const char *const default_denied[] = {
	"0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12",
	"192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "224.0.0.0/4",
	"240.0.0.0/4", "::/128", "::1/128", "::ffff:0:0/96", "fc00::/7",
	"fe80::/10", "ff00::/8",
};

static const uint8_t *ss_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return (const uint8_t *)
			&((const struct sockaddr_in6 *)ss)->sin6_addr;
	return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
}

bool cidr_parse(const char *s, struct cidr *c)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max;
	uint64_t prefix;

	if (len >= sizeof(addr))
		return false;
	memcpy(addr, s, len);
	addr[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	if (!slash)
		prefix = max;
	else if (!parse_uint(slash + 1, 0, max, &prefix))
		return false;
	c->prefix = prefix;
	return true;
}

bool cidr_match(const struct cidr *c, const struct sockaddr_storage *ss)
{
	const uint8_t *a = ss_bytes(ss);
	unsigned int full = c->prefix / 8, rest = c->prefix % 8;
	uint8_t mask;

	if (ss->ss_family != c->family)
		return false;
	if (memcmp(a, c->addr, full))
		return false;
	if (!rest)
		return true;
	mask = 0xFF << (8 - rest);
	return (a[full] & mask) == (c->addr[full] & mask);
}

static bool in_list(const struct cidr *list, unsigned int n,
		    const struct sockaddr_storage *ss)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (cidr_match(&list[i], ss))
			return true;
	return false;
}

/* Written once by turn_peer_defaults(), before the workers start. */
static struct cidr denied[sizeof(default_denied) / sizeof(default_denied[0])];

void turn_peer_defaults(void)
{
	size_t k;

	for (k = 0; k < sizeof(denied) / sizeof(denied[0]); k++)
		if (!cidr_parse(default_denied[k], &denied[k]))
			abort();
}

int turn_peer_init(struct coned *srv)
{
	struct turn_server *t = srv->turn;
	struct ifaddrs *ifa, *i;
	unsigned int n = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && (i->ifa_addr->sa_family == AF_INET ||
				    i->ifa_addr->sa_family == AF_INET6))
			n++;
	t->locals = calloc(n + 1, sizeof(*t->locals));
	if (!t->locals) {
		freeifaddrs(ifa);
		return -ENOMEM;
	}
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		memcpy(&t->locals[t->n_locals++], i->ifa_addr,
		       i->ifa_addr->sa_family == AF_INET ?
		       sizeof(struct sockaddr_in) :
		       sizeof(struct sockaddr_in6));
	}
	freeifaddrs(ifa);
	return 0;
}

bool turn_is_relay_addr(const struct coned *srv,
			const struct sockaddr_storage *peer)
{
	const struct turn_config *cfg = &srv->cfg.turn;
	unsigned int i;

	for (i = 0; i < cfg->n_relays; i++)
		if (ss_same_addr(&cfg->relay[i], peer))
			return true;
	return false;
}

static bool is_local(const struct coned *srv,
		     const struct sockaddr_storage *peer)
{
	const struct turn_server *t = srv->turn;
	unsigned int i;

	if (ss_same_addr(&srv->cfg.addr[PRIMARY], peer) ||
	    (srv->cfg.has_alt && ss_same_addr(&srv->cfg.addr[ALTERNATE], peer)))
		return true;
	for (i = 0; i < t->n_locals; i++)
		if (ss_same_addr(&t->locals[i], peer))
			return true;
	return false;
}

bool turn_peer_allowed(const struct coned *srv,
		       const struct sockaddr_storage *peer)
{
	const struct turn_config *cfg = &srv->cfg.turn;

	if (in_list(cfg->deny, cfg->n_deny, peer))
		return false;
	if (in_list(cfg->allow, cfg->n_allow, peer))
		return true;
	if (turn_is_relay_addr(srv, peer))
		return true;
	if (in_list(denied, sizeof(denied) / sizeof(denied[0]), peer))
		return false;
	return !is_local(srv, peer);
}
