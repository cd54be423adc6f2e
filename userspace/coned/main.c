// SPDX-License-Identifier: GPL-2.0
/*
 * coned: STUN server with RFC 5780 NAT behaviour discovery.
 *
 *   coned --address A [--alt-address B] [--port 3478] [--alt-port 3479]
 *         [--advertise A'] [--alt-advertise B'] [--software S]
 *         [--other-address rfc5780|coturn] [--verbose]
 */
#define _GNU_SOURCE	/* asprintf() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
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
		"             [ --mapped-address ] [ --rate-limit N ] [ --verbose ]\n"
		"       TURN: --turn [ --realm REALM ] [ --user NAME:PASSWORD ]...\n"
		"             [ --users-file FILE ] [ --auth-secret SECRET ]\n"
		"             [ --relay-address ADDR ]... [ --relay-ports LO-HI ]\n"
		"             [ --allow-peer CIDR ]... [ --deny-peer CIDR ]...\n"
		"             [ --user-quota N ] [ --max-allocations N ]\n"
		"             [ --bandwidth BYTES-PER-SECOND ] [ --allocation-lifetime S ]\n"
		"             [ --max-lifetime S ] [ --permission-lifetime S ]\n"
		"             [ --channel-lifetime S ] [ --channel-hold S ]\n"
		"             [ --nonce-lifetime S ]\n");
}

uint64_t coned_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

enum coned_option {
	OPT_ADDRESS = 256, OPT_ALT_ADDRESS, OPT_PORT, OPT_ALT_PORT,
	OPT_ADVERTISE, OPT_ALT_ADVERTISE, OPT_SOFTWARE, OPT_OTHER_ADDRESS,
	OPT_VERBOSE, OPT_TURN, OPT_REALM, OPT_USER, OPT_USERS_FILE,
	OPT_AUTH_SECRET, OPT_RELAY_ADDRESS, OPT_RELAY_PORTS, OPT_ALLOW_PEER,
	OPT_DENY_PEER, OPT_USER_QUOTA, OPT_MAX_ALLOCATIONS, OPT_BANDWIDTH,
	OPT_ALLOC_LIFETIME, OPT_MAX_LIFETIME, OPT_PERM_LIFETIME,
	OPT_CHANNEL_LIFETIME, OPT_CHANNEL_HOLD, OPT_NONCE_LIFETIME,
	OPT_TLS_PORT, OPT_CERT, OPT_KEY, OPT_WORKERS, OPT_METRICS, OPT_CONFIG,
	OPT_MAPPED_ADDRESS, OPT_RATE_LIMIT,
};

static const struct option long_options[] = {
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "alt-address", required_argument, NULL, OPT_ALT_ADDRESS },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "alt-port", required_argument, NULL, OPT_ALT_PORT },
	{ "advertise", required_argument, NULL, OPT_ADVERTISE },
	{ "alt-advertise", required_argument, NULL, OPT_ALT_ADVERTISE },
	{ "software", required_argument, NULL, OPT_SOFTWARE },
	{ "other-address", required_argument, NULL, OPT_OTHER_ADDRESS },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "mapped-address", no_argument, NULL, OPT_MAPPED_ADDRESS },
	{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ "help", no_argument, NULL, 'h' },
	{ "turn", no_argument, NULL, OPT_TURN },
	{ "realm", required_argument, NULL, OPT_REALM },
	{ "user", required_argument, NULL, OPT_USER },
	{ "users-file", required_argument, NULL, OPT_USERS_FILE },
	{ "auth-secret", required_argument, NULL, OPT_AUTH_SECRET },
	{ "relay-address", required_argument, NULL, OPT_RELAY_ADDRESS },
	{ "relay-ports", required_argument, NULL, OPT_RELAY_PORTS },
	{ "allow-peer", required_argument, NULL, OPT_ALLOW_PEER },
	{ "deny-peer", required_argument, NULL, OPT_DENY_PEER },
	{ "user-quota", required_argument, NULL, OPT_USER_QUOTA },
	{ "max-allocations", required_argument, NULL, OPT_MAX_ALLOCATIONS },
	{ "bandwidth", required_argument, NULL, OPT_BANDWIDTH },
	{ "allocation-lifetime", required_argument, NULL, OPT_ALLOC_LIFETIME },
	{ "max-lifetime", required_argument, NULL, OPT_MAX_LIFETIME },
	{ "permission-lifetime", required_argument, NULL, OPT_PERM_LIFETIME },
	{ "channel-lifetime", required_argument, NULL, OPT_CHANNEL_LIFETIME },
	{ "channel-hold", required_argument, NULL, OPT_CHANNEL_HOLD },
	{ "nonce-lifetime", required_argument, NULL, OPT_NONCE_LIFETIME },
	{ "tls-port", required_argument, NULL, OPT_TLS_PORT },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(int opt)
{
	const struct option *o;

	for (o = long_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int set_address(const char *value, struct sockaddr_storage *ss)
{
	if (!ss_parse_addr(value, ss))
		return usage_error("invalid address \"%s\"", value);
	return 0;
}

static int set_uint(int opt, const char *value, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	if (!parse_uint(value, min, max, out))
		return usage_error("--%s: \"%s\" is not a number from %llu to %llu",
				   option_name(opt), value,
				   (unsigned long long)min,
				   (unsigned long long)max);
	return 0;
}

static int set_seconds(int opt, const char *value, unsigned int *out)
{
	uint64_t v;
	int rc = set_uint(opt, value, 1, 86400 * 7, &v);

	if (!rc)
		*out = v;
	return rc;
}

static int add_cidr(int opt, const char *value, struct cidr *list,
		    unsigned int *n)
{
	if (*n >= TURN_MAX_CIDRS)
		return usage_error("--%s: more than %d ranges", option_name(opt),
				   TURN_MAX_CIDRS);
	if (!cidr_parse(value, &list[*n]))
		return usage_error("--%s: \"%s\" is not ADDRESS[/PREFIX]",
				   option_name(opt), value);
	(*n)++;
	return 0;
}

static int parse_turn_option(struct coned_config *cfg, int opt,
			     const char *value)
{
	struct turn_config *t = &cfg->turn;
	uint64_t v;
	int rc;

	switch (opt) {
	case OPT_TURN:
		t->enabled = true;
		return 0;
	case OPT_REALM:
		if (!*value || strlen(value) > STUN_MAX_TEXT)
			return usage_error("--realm: empty or longer than 763 bytes");
		t->realm = value;
		return 0;
	case OPT_USER:
		rc = turn_add_user(t, value);
		if (rc == -EINVAL)
			return usage_error("--user: \"%s\" is not NAME:PASSWORD",
					   value);
		return rc ? fail("--user: out of memory") : 0;
	case OPT_USERS_FILE:
		t->users_file = value;
		return 0;
	case OPT_AUTH_SECRET:
		if (!*value)
			return usage_error("--auth-secret: empty");
		t->auth_secret = value;
		return 0;
	case OPT_RELAY_ADDRESS:
		if (t->n_relays >= TURN_MAX_RELAYS)
			return usage_error("--relay-address: more than %d",
					   TURN_MAX_RELAYS);
		return set_address(value, &t->relay[t->n_relays++]);
	case OPT_RELAY_PORTS:
		if (!parse_port_range(value, &t->port_lo, &t->port_hi) ||
		    t->port_lo < 1024)
			return usage_error("--relay-ports: \"%s\" is not LO-HI with 1024 <= LO <= HI <= 65535",
					   value);
		return 0;
	case OPT_ALLOW_PEER:
		return add_cidr(opt, value, t->allow, &t->n_allow);
	case OPT_DENY_PEER:
		return add_cidr(opt, value, t->deny, &t->n_deny);
	case OPT_USER_QUOTA:
	case OPT_MAX_ALLOCATIONS:
		rc = set_uint(opt, value, 1, 10000000, &v);
		if (!rc)
			*(opt == OPT_USER_QUOTA ? &t->user_quota :
						  &t->max_allocations) = v;
		return rc;
	case OPT_BANDWIDTH:
		return set_uint(opt, value, 1, UINT32_MAX * 1000ULL,
				&t->bandwidth);
	case OPT_ALLOC_LIFETIME:
		return set_seconds(opt, value, &t->alloc_default);
	case OPT_MAX_LIFETIME:
		return set_seconds(opt, value, &t->alloc_max);
	case OPT_PERM_LIFETIME:
		return set_seconds(opt, value, &t->perm_lifetime);
	case OPT_CHANNEL_LIFETIME:
		return set_seconds(opt, value, &t->channel_lifetime);
	case OPT_CHANNEL_HOLD:
		return set_seconds(opt, value, &t->channel_hold);
	case OPT_NONCE_LIFETIME:
		return set_seconds(opt, value, &t->nonce_lifetime);
	}
	return usage_error("--%s: not implemented yet (see Documentation/turn.md)",
			   option_name(opt));
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
		/* RFC 8489 14.14: fewer than 128 characters (UTF-8). */
		if (strlen(value) > STUN_MAX_TEXT || utf8_chars(value) > 127)
			return usage_error("--software: longer than 127 characters");
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
	case OPT_MAPPED_ADDRESS:
		cfg->mapped_address = true;
		return 0;
	case OPT_RATE_LIMIT:
		if (!parse_uint(value, 0, 1000000, &port))
			return usage_error("--rate-limit: \"%s\" is not 0 to 1000000", value);
		cfg->rate_limit = port;
		cfg->rate_limit_set = true;
		return 0;
	case OPT_TLS_PORT:
		if (!parse_uint(value, 1, UINT16_MAX, &port))
			return usage_error("--tls-port: invalid port \"%s\"", value);
		cfg->tls_port = port;
		return 0;
	case OPT_CERT:
		cfg->cert = value;
		return 0;
	case OPT_KEY:
		cfg->key = value;
		return 0;
	case OPT_METRICS:
		if (!ss_parse_endpoint(value, 0, &cfg->metrics) ||
		    !ss_port(&cfg->metrics))
			return usage_error("--metrics: \"%s\" is not ADDR:PORT", value);
		return 0;
	case OPT_WORKERS:
		if (!parse_uint(value, 1, CONED_MAX_WORKERS, &port))
			return usage_error("--workers: \"%s\" is not 1 to %d", value,
					   CONED_MAX_WORKERS);
		cfg->workers = port;
		return 0;
	}
	return parse_turn_option(cfg, opt, value);
}

/* The TURN settings that only make sense together; 0 or a usage error. */
static int check_turn_config(struct coned_config *cfg)
{
	struct turn_config *t = &cfg->turn;
	unsigned int i, j;

	if (!t->enabled) {
		if (t->n_users || t->users_file || t->auth_secret || t->n_relays ||
		    t->realm)
			return usage_error("TURN options need --turn");
		return 0;
	}
	if (!t->n_users && !t->users_file && !t->auth_secret)
		return usage_error("--turn: no credentials (--user, --users-file or --auth-secret)");
	if (!t->realm)
		t->realm = "coned";
	if (!t->n_relays)
		t->relay[t->n_relays++] = cfg->addr[PRIMARY];
	for (i = 0; i < t->n_relays; i++)
		for (j = 0; j < i; j++)
			if (t->relay[i].ss_family == t->relay[j].ss_family)
				return usage_error("--relay-address: one address per family");
	if (!t->port_lo) {
		t->port_lo = TURN_PORT_LO;
		t->port_hi = TURN_PORT_HI;
	}
	if (!t->alloc_default)
		t->alloc_default = TURN_ALLOC_DEFAULT;
	if (!t->alloc_max)
		t->alloc_max = t->alloc_default > TURN_ALLOC_MAX ?
			       t->alloc_default : TURN_ALLOC_MAX;
	if (t->alloc_max < t->alloc_default)
		return usage_error("--max-lifetime: shorter than --allocation-lifetime");
	if (!t->perm_lifetime)
		t->perm_lifetime = TURN_PERM_LIFETIME;
	if (!t->channel_lifetime)
		t->channel_lifetime = TURN_CHANNEL_LIFETIME;
	if (!t->channel_hold)
		t->channel_hold = TURN_CHANNEL_HOLD;
	if (!t->nonce_lifetime)
		t->nonce_lifetime = TURN_NONCE_LIFETIME;
	if (t->users_file && turn_read_users(t, t->users_file))
		return 1;
	return 0;
}

static bool is_wildcard(const struct sockaddr_storage *ss)
{
	struct sockaddr_storage any;

	ss_parse_addr(ss->ss_family == AF_INET6 ? "::" : "0.0.0.0", &any);
	return ss_same_addr(ss, &any);
}

/* The settings that only make sense together; 0 or a usage error. */
static int check_config(struct coned_config *cfg)
{
	const struct sockaddr_storage *a = cfg->addr;

	if (!a[PRIMARY].ss_family)
		return usage_error("--address is required");
	/* Answers must leave from the address asked: no wildcard. */
	if (is_wildcard(&a[PRIMARY]) ||
	    (cfg->has_alt && is_wildcard(&a[ALTERNATE])))
		return usage_error("--address: a wildcard address (0.0.0.0, ::) cannot say where answers come from; give one of the host's addresses");
	if (cfg->has_alt && a[ALTERNATE].ss_family != a[PRIMARY].ss_family)
		return usage_error("--alt-address: not the family of --address");
	if (cfg->has_alt && ss_same_addr(&a[PRIMARY], &a[ALTERNATE]))
		return usage_error("--alt-address: the same as --address");
	if (cfg->port[PRIMARY] == cfg->port[ALTERNATE])
		return usage_error("--alt-port: the same as --port");
	if (cfg->has_advertise[ALTERNATE] && !cfg->has_alt)
		return usage_error("--alt-advertise: needs --alt-address");
	if (!cfg->tls_port != !cfg->cert || !cfg->tls_port != !cfg->key)
		return usage_error("--tls-port, --cert and --key go together");
	if (cfg->tls_port && cfg->tls_port == cfg->port[PRIMARY])
		return usage_error("--tls-port: the same as --port");
	if (!cfg->rate_limit_set)
		cfg->rate_limit = CONED_RATE_DEFAULT;
	if (!cfg->workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		cfg->workers = n < 1 ? 1 : n > CONED_MAX_WORKERS ?
			       CONED_MAX_WORKERS : n;
	}
	return check_turn_config(cfg);
}

/* One getopt_long pass over argv into cfg; 0 or an exit code. */
static int getopt_pass(int argc, char **argv, struct coned_config *cfg,
		       bool *help, const char *where)
{
	int opt, rc;

	opterr = 0;
	optind = 0;	/* glibc: start afresh, each pass */
	while ((opt = getopt_long(argc, argv, "+:h", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			*help = true;
			continue;
		case ':':
			return usage_error("%soption \"%s\" needs a value", where,
					   argv[optind - 1]);
		case '?':
			return usage_error("%sunknown or ambiguous option \"%s\"",
					   where, argv[optind - 1]);
		case OPT_CONFIG:
			if (*where)
				return usage_error("%s--config inside a config file",
						   where);
			continue;	/* read before this pass */
		}
		rc = parse_option(cfg, opt, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error("%sunexpected argument \"%s\"", where,
				   argv[optind]);
	return 0;
}

/*
 * --config FILE: the same options, one a line, "name value", "name=value"
 * or "name" alone; blank lines and # comments skipped.  The words live
 * as long as the process (the configuration points into them).
 */
static int read_config(const char *path, struct coned_config *cfg,
		       bool *help)
{
	char line[1024], *p, *end, *val, **argv = NULL;
	unsigned int lineno = 0;
	int argc = 1, rc;
	char where[600];
	FILE *f = fopen(path, "r");

	if (!f)
		return fail("--config %s: %s", path, strerror(errno));
	argv = calloc(1, sizeof(*argv));
	if (!argv) {
		fclose(f);
		return fail("out of memory");
	}
	argv[0] = "coned";
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
				   end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*p || *p == '#')
			continue;
		val = p + strcspn(p, " \t=");
		if (*val) {
			*val++ = '\0';
			while (*val == ' ' || *val == '\t' || *val == '=')
				val++;
		}
		argv = realloc(argv, (argc + 3) * sizeof(*argv));
		if (!argv || asprintf(&argv[argc], "--%s", p) < 0) {
			fclose(f);
			return fail("out of memory");
		}
		argc++;
		if (*val && !(argv[argc++] = strdup(val))) {
			fclose(f);
			return fail("out of memory");
		}
		argv[argc] = NULL;
	}
	fclose(f);
	snprintf(where, sizeof(where), "%s: ", path);
	rc = getopt_pass(argc, argv, cfg, help, where);
	return rc;
}

/* The --config FILE of the command line, if any (exact spelling). */
static const char *config_path(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
	}
	return NULL;
}

/* The config file first, then the command line (which adds or wins). */
static int parse_args(int argc, char **argv, struct coned_config *cfg)
{
	const char *config = config_path(argc, argv);
	bool help = false;
	int rc;

	cfg->port[PRIMARY] = DEFAULT_PORT;
	cfg->port[ALTERNATE] = DEFAULT_ALT_PORT;
	cfg->software = "conenat coned " CONENAT_VERSION;
	if (config) {
		rc = read_config(config, cfg, &help);
		if (rc)
			return rc;
	}
	rc = getopt_pass(argc, argv, cfg, &help, "");
	if (rc)
		return rc;
	if (help) {
		usage(stdout);
		exit(0);
	}
	return check_config(cfg);
}

/*
 * SIGHUP: parse the command line and config file again; install the new
 * users, secret and limits (allocations stay).  What needs a restart
 * (addresses, ports, workers, lifetimes) keeps its old value.
 */
static void reload(int argc, char **argv, struct turn_shared *sh)
{
	static struct coned_config fresh;
	unsigned int i;
	int rc;

	memset(&fresh, 0, sizeof(fresh));
	if (parse_args(argc, argv, &fresh)) {
		coned_log("SIGHUP: configuration not reloaded (see above)");
		return;
	}
	/* Certificates: a new context for new connections. */
	if (fresh.tls_port) {
		if (coned_tls_load(fresh.cert, fresh.key))
			coned_log("SIGHUP: certificate not reloaded, the old one stays");
		else
			coned_log("SIGHUP: certificate %s reloaded", fresh.cert);
	}
	rc = sh ? turn_shared_reload(sh, &fresh.turn) : -EINVAL;
	for (i = 0; i < fresh.turn.n_users; i++) {
		free(fresh.turn.users[i].name);
		free(fresh.turn.users[i].password);
	}
	free(fresh.turn.users);
	if (rc) {
		coned_log("SIGHUP: nothing reloaded%s",
			  sh ? " (out of memory)" : " without --turn");
		return;
	}
	coned_log("SIGHUP: reloaded %u users%s, user quota %u, max allocations %u, bandwidth %llu",
		  fresh.turn.n_users,
		  fresh.turn.auth_secret ? " and the REST secret" : "",
		  fresh.turn.user_quota, fresh.turn.max_allocations,
		  (unsigned long long)fresh.turn.bandwidth);
}

/* The shared stop: an eventfd every worker's epoll watches, never read. */
static void stop_ready(struct coned *srv, struct coned_watch *w, uint32_t ev)
{
	srv->stopping = true;
}

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	/* Before any worker starts, so that all inherit the mask. */
	return pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* The TURN state all workers share; NULL without --turn or on failure. */
static struct turn_shared *turn_shared_open(const struct coned_config *cfg)
{
	const struct turn_config *t = &cfg->turn;
	struct turn_shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	pthread_mutex_init(&sh->lock, NULL);
	sh->port_live[0] = calloc(65536, 1);
	sh->port_live[1] = calloc(65536, 1);
	if (!sh->port_live[0] || !sh->port_live[1] || turn_auth_init(sh) ||
	    turn_shared_reload(sh, t))
		return NULL;
	turn_peer_defaults();
	srandom(time(NULL) ^ getpid());
	coned_log("TURN on: realm \"%s\", %u users%s, relay %s%s%s, ports %u-%u, %u workers",
		  t->realm, t->n_users, t->auth_secret ? " and REST secret" : "",
		  coned_addr_str(&t->relay[0]), t->n_relays > 1 ? " " : "",
		  t->n_relays > 1 ? coned_addr_str(&t->relay[1]) : "",
		  t->port_lo, t->port_hi, cfg->workers);
	return sh;
}

/* One worker's TURN state, with --turn; 0 or an exit code. */
static int turn_open(struct coned *srv, struct turn_shared *sh)
{
	struct turn_server *ts;

	if (!srv->cfg.turn.enabled)
		return 0;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return fail("out of memory");
	srv->turn = ts;
	ts->shared = sh;
	ts->rx = turn_relay_rx_new();
	if (!ts->rx)
		return fail("out of memory");
	if (turn_peer_init(srv))
		return fail("cannot set up TURN: %s", strerror(errno));
	ts->next_port = random();
	return 0;
}

/* A stopped worker's TURN state: its allocations, then what held them. */
static void turn_close(struct coned *srv)
{
	struct turn_server *ts = srv->turn;

	if (!ts)
		return;
	turn_shutdown(srv);
	free(ts->timers.v);
	free(ts->locals);
	free(ts->rx);
	free(ts);
	srv->turn = NULL;
}

/* What the workers shared, once all of them are closed. */
static void turn_shared_close(struct turn_shared *sh)
{
	turn_reservations_free(sh);
	turn_auth_free(sh);
	free(sh->port_live[0]);
	free(sh->port_live[1]);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
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

/* The event loop; 0 when a signal ends it, 1 on a fatal error. */
static int run(struct coned *srv)
{
	struct epoll_event events[64];
	uint64_t last_expire = coned_now(), now;
	int n, i, wait = 1000;

	while (!srv->stopping) {
		n = epoll_wait(srv->epfd, events, 64, wait);
		if (n < 0 && errno != EINTR) {
			/* Nonzero, so that systemd's Restart=on-failure acts. */
			coned_log("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct coned_watch *w = events[i].data.ptr;

			w->ready(srv, w, events[i].events);
		}
		wait = 1000;
		if (srv->turn) {
			int next = timer_run(srv, &srv->turn->timers,
					     coned_now_ms());

			if (next >= 0 && next < wait)
				wait = next;
		}
		now = coned_now();
		if (now != last_expire) {
			coned_tcp_expire(srv, now);
			last_expire = now;
		}
	}
	return 0;
}

/* A worker: its own epoll, sockets (SO_REUSEPORT) and allocations. */
static int worker_open(struct coned *srv, const struct coned_config *cfg,
		       struct turn_shared *sh, int stop_fd)
{
	srv->cfg = *cfg;
	if (cfg->rate_limit &&
	    !(srv->rates = calloc(CONED_RATE_BUCKETS, sizeof(*srv->rates))))
		return fail("out of memory");
	srv->rx = coned_rx_new();
	if (!srv->rx)
		return fail("out of memory");
	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0)
		return fail("epoll: %s", strerror(errno));
	srv->stop.fd = stop_fd;
	srv->stop.ready = stop_ready;
	if (coned_watch_add(srv, &srv->stop))
		return fail("epoll: %s", strerror(errno));
	return coned_open_sockets(srv) || turn_open(srv, sh);
}

static void worker_close(struct coned *srv)
{
	coned_tcp_close_all(srv);
	turn_close(srv);
	coned_close_sockets(srv);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->reserve_fd >= 0)
		close(srv->reserve_fd);
	free(srv->rates);
	free(srv->rx);
}

static void *worker_main(void *arg)
{
	struct coned *srv = arg;
	uint64_t one = 1;

	srv->rc = run(srv);
	/* A worker that fails stops them all, and coned exits 1. */
	if (srv->rc && write(srv->stop.fd, &one, sizeof(one)) < 0)
		coned_log("eventfd: %s", strerror(errno));
	return NULL;
}

int main(int argc, char **argv)
{
	static struct coned_config cfg;
	struct turn_shared *sh = NULL;
	struct pollfd pfd[3];
	struct signalfd_siginfo si;
	struct coned *workers;
	unsigned int i, started = 0;
	uint64_t one = 1;
	int rc, stop_fd, sig_fd, metrics_fd = -1;
	sigset_t set;

	report_prog = "coned";
	rc = parse_args(argc, argv, &cfg);
	if (rc)
		return rc;
	if (block_signals(&set))
		return fail("signals: %s", strerror(errno));
	/* OpenSSL writes to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	workers = calloc(cfg.workers, sizeof(*workers));
	if (sig_fd < 0 || stop_fd < 0 || !workers)
		return fail("cannot start: %s", strerror(errno));
	if (cfg.turn.enabled) {
		sh = turn_shared_open(&cfg);
		if (!sh)
			return fail("cannot set up TURN: %s", strerror(errno));
	}
	if (cfg.metrics.ss_family) {
		metrics_fd = coned_metrics_open(&cfg.metrics);
		if (metrics_fd < 0)
			return fail("--metrics %s: %s", coned_addr_str(&cfg.metrics),
				    strerror(errno));
	}
	if (cfg.tls_port && coned_tls_load(cfg.cert, cfg.key))
		return fail("--cert %s, --key %s: cannot be used (see above)",
			    cfg.cert, cfg.key);
	for (i = 0; i < cfg.workers; i++)
		workers[i].epfd = workers[i].reserve_fd = -1;
	if (cfg.workers > 1)
		rc = coned_check_ports(&cfg);
	for (i = 0; i < cfg.workers && !rc; i++)
		rc = worker_open(&workers[i], &cfg, sh, stop_fd);
	if (!rc) {
		log_serving(&workers[0]);
		for (; started < cfg.workers; started++)
			if (pthread_create(&workers[started].thread, NULL,
					   worker_main, &workers[started]))
				break;
		if (started < cfg.workers)
			rc = fail("cannot start a worker thread");
	}
	if (!rc) {
		pfd[0] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = metrics_fd, .events = POLLIN };
		for (;;) {
			if (poll(pfd, 3, -1) < 0 && errno != EINTR)
				break;
			if (pfd[2].revents & POLLIN)
				coned_metrics_serve(metrics_fd, workers,
						    cfg.workers);
			if (pfd[0].revents & POLLIN) {
				if (read(sig_fd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(argc, argv, sh);
					continue;
				}
				coned_log("%s, exiting", strsignal(si.ssi_signo));
				break;
			}
			if (pfd[1].revents & POLLIN)
				break;
		}
	}
	if (write(stop_fd, &one, sizeof(one)) < 0)
		rc = 1;
	for (i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		rc |= workers[i].rc;
	}
	for (i = 0; i < cfg.workers; i++)
		worker_close(&workers[i]);
	free(workers);
	if (sh)
		turn_shared_close(sh);
	return rc;
}
