/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line words: prefix matching and bounds-checked number parsing. */
#ifndef CONENAT_ARGS_H
#define CONENAT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

/* Is arg a non-empty prefix of word (iproute2's matches())? */
bool matches(const char *arg, const char *word);

/* A decimal number in [min, max], nothing else; false if not. */
bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* CONENAT_ARGS_H */
