// SPDX-License-Identifier: GPL-2.0
/*
 * coned: STUN server with RFC 5780 NAT behaviour discovery.
 *
 *   coned --address A [--alt-address B] [--port 3478] [--alt-port 3479]
 *         [--advertise A'] [--alt-advertise B'] [--software S]
 *         [--other-address rfc5780|coturn] [--verbose]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "args.h"
#include "coned.h"
#include "report.h"
#include "version.h"

#define DEFAULT_PORT		3478
#define DEFAULT_ALT_PORT	3479

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: coned --address ADDR [ --alt-address ADDR ] [ --port PORT ]\n"
		"             [ --alt-port PORT ] [ --advertise ADDR ] [ --alt-advertise ADDR ]\n"
		"             [ --software TEXT ] [ --other-address { rfc5780 | coturn } ]\n"
		"             [ --verbose ]\n");
}

uint64_t coned_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

enum option {
	OPT_ADDRESS, OPT_ALT_ADDRESS, OPT_PORT, OPT_ALT_PORT, OPT_ADVERTISE,
	OPT_ALT_ADVERTISE, OPT_SOFTWARE, OPT_OTHER_ADDRESS, OPT_VERBOSE,
	OPT_HELP, OPT_COUNT
};

static const struct {
	const char *name;
	bool takes_value;
} options[OPT_COUNT] = {
	[OPT_ADDRESS] = { "address", true },
	[OPT_ALT_ADDRESS] = { "alt-address", true },
	[OPT_PORT] = { "port", true },
	[OPT_ALT_PORT] = { "alt-port", true },
	[OPT_ADVERTISE] = { "advertise", true },
	[OPT_ALT_ADVERTISE] = { "alt-advertise", true },
	[OPT_SOFTWARE] = { "software", true },
	[OPT_OTHER_ADDRESS] = { "other-address", true },
	[OPT_VERBOSE] = { "verbose", false },
	[OPT_HELP] = { "help", false },
};

/* The option a word names: exact, or the one it is a prefix of; -1. */
static int find_option(const char *word)
{
	int i, found = -1;

	for (i = 0; i < OPT_COUNT; i++) {
		if (!strcmp(word, options[i].name))
			return i;
		if (matches(word, options[i].name)) {
			if (found >= 0)
				return -2;	/* ambiguous */
			found = i;
		}
	}
	return found;
}

static int set_address(const char *value, struct sockaddr_storage *ss)
{
	if (!ss_parse_addr(value, ss))
		return usage_error("invalid address \"%s\"", value);
	return 0;
}

static int parse_option(struct coned_config *cfg, int opt, const char *value)
{
	uint64_t port;

	switch (opt) {
	case OPT_ADDRESS:
		return set_address(value, &cfg->addr[PRIMARY]);
	case OPT_ALT_ADDRESS:
		cfg->has_alt = true;
		return set_address(value, &cfg->addr[ALTERNATE]);
	case OPT_ADVERTISE:
		cfg->has_advertise[PRIMARY] = true;
		return set_address(value, &cfg->advertise[PRIMARY]);
	case OPT_ALT_ADVERTISE:
		cfg->has_advertise[ALTERNATE] = true;
		return set_address(value, &cfg->advertise[ALTERNATE]);
	case OPT_PORT:
	case OPT_ALT_PORT:
		if (!parse_uint(value, 1, UINT16_MAX, &port))
			return usage_error("invalid port \"%s\"", value);
		cfg->port[opt == OPT_ALT_PORT] = port;
		return 0;
	case OPT_SOFTWARE:
		if (strlen(value) > STUN_MAX_TEXT)
			return usage_error("--software: longer than 763 bytes");
		cfg->software = *value ? value : NULL;
		return 0;
	case OPT_OTHER_ADDRESS:
		if (!strcmp(value, "coturn"))
			cfg->coturn_other_address = true;
		else if (strcmp(value, "rfc5780"))
			return usage_error("--other-address: \"%s\" is neither rfc5780 nor coturn",
					   value);
		return 0;
	case OPT_VERBOSE:
		cfg->verbose = true;
		return 0;
	}
	return 0;
}

/* The settings that only make sense together; 0 or a usage error. */
static int check_config(const struct coned_config *cfg)
{
	const struct sockaddr_storage *a = cfg->addr;

	if (!a[PRIMARY].ss_family)
		return usage_error("--address is required");
	if (cfg->has_alt && a[ALTERNATE].ss_family != a[PRIMARY].ss_family)
		return usage_error("--alt-address: not the family of --address");
	if (cfg->has_alt && ss_same_addr(&a[PRIMARY], &a[ALTERNATE]))
		return usage_error("--alt-address: the same as --address");
	if (cfg->port[PRIMARY] == cfg->port[ALTERNATE])
		return usage_error("--alt-port: the same as --port");
	if (cfg->has_advertise[ALTERNATE] && !cfg->has_alt)
		return usage_error("--alt-advertise: needs --alt-address");
	return 0;
}

static int parse_args(int argc, char **argv, struct coned_config *cfg)
{
	bool help = false;
	int i, opt, rc;

	cfg->port[PRIMARY] = DEFAULT_PORT;
	cfg->port[ALTERNATE] = DEFAULT_ALT_PORT;
	cfg->software = "conenat coned " CONENAT_VERSION;
	for (i = 1; i < argc; i++) {
		const char *word = argv[i], *value = NULL, *eq;
		char name[32];
		size_t len;

		if (word[0] != '-')
			return usage_error("unexpected argument \"%s\"", word);
		word += 1 + (word[1] == '-');
		eq = strchr(word, '=');
		len = eq ? (size_t)(eq - word) : strlen(word);
		if (len >= sizeof(name))
			return usage_error("unknown option \"%s\"", argv[i]);
		memcpy(name, word, len);
		name[len] = '\0';
		opt = find_option(name);
		if (opt == -2)
			return usage_error("ambiguous option \"%s\"", argv[i]);
		if (opt < 0)
			return usage_error("unknown option \"%s\"", argv[i]);
		if (opt == OPT_HELP) {
			help = true;
			continue;
		}
		if (options[opt].takes_value) {
			value = eq ? eq + 1 : argv[++i];
			if (!value)
				return usage_error("option \"%s\" needs a value",
						   argv[i - 1]);
		} else if (eq) {
			return usage_error("option \"%s\" takes no value",
					   argv[i]);
		}
		rc = parse_option(cfg, opt, value);
		if (rc)
			return rc;
	}
	if (help) {
		usage(stdout);
		exit(0);
	}
	return check_config(cfg);
}

static void signal_ready(struct coned *srv, struct coned_watch *w,
			 uint32_t ev)
{
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		coned_log("%s, exiting", strsignal(si.ssi_signo));
		srv->stopping = true;
	}
}

static int open_signals(struct coned *srv)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	srv->signals.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	srv->signals.ready = signal_ready;
	if (srv->signals.fd < 0 || coned_watch_add(srv, &srv->signals)) {
		coned_log("signalfd: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static void log_serving(const struct coned *srv)
{
	const struct coned_endpoint (*ep)[2] = srv->ep;

	if (srv->cfg.has_alt)
		coned_log("serving STUN with RFC 5780 on %s %s %s %s (udp, tcp)",
			  coned_addr_str(&ep[0][0].local),
			  coned_addr_str(&ep[0][1].local),
			  coned_addr_str(&ep[1][0].local),
			  coned_addr_str(&ep[1][1].local));
	else
		coned_log("serving STUN on %s (udp, tcp); no --alt-address: "
			  "no RFC 5780", coned_addr_str(&ep[0][0].local));
}

static void run(struct coned *srv)
{
	struct epoll_event events[64];
	uint64_t last_expire = coned_now(), now;
	int n, i;

	while (!srv->stopping) {
		n = epoll_wait(srv->epfd, events, 64, 1000);
		if (n < 0 && errno != EINTR) {
			coned_log("epoll_wait: %s", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			struct coned_watch *w = events[i].data.ptr;

			w->ready(srv, w, events[i].events);
		}
		now = coned_now();
		if (now != last_expire) {
			coned_tcp_expire(srv, now);
			last_expire = now;
		}
	}
}

int main(int argc, char **argv)
{
	static struct coned srv;
	int rc;

	report_prog = "coned";
	rc = parse_args(argc, argv, &srv.cfg);
	if (rc)
		return rc;
	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epfd < 0) {
		coned_log("epoll: %s", strerror(errno));
		return 1;
	}
	rc = open_signals(&srv) || coned_open_sockets(&srv);
	if (!rc) {
		log_serving(&srv);
		run(&srv);
	}
	coned_tcp_close_all(&srv);
	coned_close_sockets(&srv);
	close(srv.epfd);
	return rc;
}
