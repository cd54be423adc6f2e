/* SPDX-License-Identifier: GPL-2.0 */
/* Socket addresses of either family: parse, print, compare. */
#ifndef CONENAT_SOCKADDR_H
#define CONENAT_SOCKADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest ss_str() output: "[v6]:port" and the NUL. */
#define SS_STRLEN	(46 + 8)

socklen_t ss_len(const struct sockaddr_storage *ss);
uint16_t ss_port(const struct sockaddr_storage *ss);
void ss_set_port(struct sockaddr_storage *ss, uint16_t port);
/* Same family, address and port? */
bool ss_equal(const struct sockaddr_storage *a,
	      const struct sockaddr_storage *b);
/* Same family and address (any port)? */
bool ss_same_addr(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b);

/* A literal IPv4 or IPv6 address, port 0; false if s is not one. */
bool ss_parse_addr(const char *s, struct sockaddr_storage *ss);
/*
 * "ADDR", "ADDR:PORT", "[V6ADDR]" or "[V6ADDR]:PORT" (PORT 1-65535);
 * default_port when none is given.  False if malformed.
 */
bool ss_parse_endpoint(const char *s, uint16_t default_port,
		       struct sockaddr_storage *ss);

/* "192.0.2.1:3478" or "[2001:db8::1]:3478" into buf of SS_STRLEN. */
char *ss_str(const struct sockaddr_storage *ss, char *buf);
/* The address alone, "192.0.2.1" or "2001:db8::1". */
char *ss_addr_str(const struct sockaddr_storage *ss, char *buf);

#endif /* CONENAT_SOCKADDR_H */
