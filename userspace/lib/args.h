/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line words: prefix matching, bounds-checked number parsing and
 * the values conectl's options take.
 */
#ifndef CONENAT_ARGS_H
#define CONENAT_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* Is arg a non-empty prefix of word (iproute2's matches())? */
bool matches(const char *arg, const char *word);

/* A decimal number in [min, max], nothing else; false if not. */
bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A NAT instance name: 1 to CONENAT_NAME_LEN - 1 of [A-Za-z0-9_-]. */
bool valid_nat_name(const char *s);

/* A device name the kernel would accept: 1 to IFNAMSIZ - 1 characters. */
bool valid_ifname(const char *s);

/*
 * "ADDR[,ADDR...]", each a dotted quad, at most max of them.  Returns how
 * many were stored in addrs, or 0 if s is malformed or lists too many.
 */
unsigned int parse_addrs(const char *s, struct in_addr *addrs,
			 unsigned int max);

/* "LO-HI" with 1 <= LO <= HI <= 65535. */
bool parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);

/* "on" or "off". */
bool parse_on_off(const char *s, bool *on);

/* Behaviour names: eim, adm, apdm and eif, adf, apdf (exact words). */
bool parse_mapping(const char *s, uint8_t *mapping);
bool parse_filtering(const char *s, uint8_t *filtering);
const char *mapping_name(uint8_t mapping);
const char *filtering_name(uint8_t filtering);

#endif /* CONENAT_ARGS_H */
