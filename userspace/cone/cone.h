/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cone: NAT traversal from the client side.  Subcommands share the STUN
 * transaction engine (transaction.c); probe discovers the NAT's RFC 4787
 * behaviour with RFC 5780's tests.
 */
#ifndef CONE_H
#define CONE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "report.h"
#include "sockaddr.h"
#include "stun.h"

#define CONE_DEFAULT_PORT	3478
/* Retransmission (RFC 8489 6.2.1, shortened for an interactive tool). */
#define CONE_RTO_MS		500
#define CONE_TRIES		4
#define CONE_MAX_RESPONSE	1500


/*
 * One STUN request and its answer: sent from send_fd to `to`, retransmitted
 * until a message with its transaction ID arrives on recv_fd (the same
 * socket, except for hairpinning and lifetime tests).
 */
struct transaction {
	int send_fd, recv_fd;
	struct sockaddr_storage to;
	uint8_t req[256];
	size_t req_len;
	/* Filled in by transact(). */
	bool answered;
	uint8_t resp[CONE_MAX_RESPONSE];
	struct stun_msg msg;
	struct sockaddr_storage from;
	unsigned int sent;
	uint64_t next_ms;
};

/*
 * A Binding request to `to`, with CHANGE-REQUEST flags (if change) and
 * RESPONSE-PORT (if response_port); a fresh transaction ID.
 */
int transaction_init(struct transaction *t, int send_fd, int recv_fd,
		     const struct sockaddr_storage *to, uint32_t change,
		     uint16_t response_port);
/* Run all n at once, each to its answer or its last retransmission. */
void transact(struct transaction *t, unsigned int n);
/* The answer's (XOR-)MAPPED-ADDRESS; -ENOENT if none, -EPROTO if error. */
int transaction_mapped(const struct transaction *t,
		       struct sockaddr_storage *mapped);

/* socket.c */

/* The local address the kernel would use to reach server (port 0). */
int local_address_for(const struct sockaddr_storage *server,
		      struct sockaddr_storage *local);
/* A UDP socket bound to local (port 0: a fresh one); -1 after reporting. */
int udp_socket(const struct sockaddr_storage *local,
	       struct sockaddr_storage *bound);
/* SERVER[:PORT] by name or literal; 0 or the exit code after reporting. */
int resolve_server(const char *arg, struct sockaddr_storage *server);
uint64_t now_ms(void);

/* probe.c, lifetime.c, report.c */

enum behaviour { EI, AD, APD, UNKNOWN };

struct probe_result {
	struct sockaddr_storage server, other, local, mapped;
	bool nat;
	enum behaviour mapping, filtering;
	bool port_preserved, hairpinning;
	bool lifetime_measured, lifetime_open_ended;
	unsigned int lifetime_min, lifetime_max;	/* seconds */
};

int do_probe(int argc, char **argv);
/* Measure how long an idle mapping lives, up to max_sec; 0 or exit code. */
int measure_lifetime(const struct sockaddr_storage *server,
		     const struct sockaddr_storage *local,
		     unsigned int max_sec, struct probe_result *r);
void print_probe(const struct probe_result *r);

#endif /* CONE_H */
