/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON, as iproute2 does it: each call names
 * the JSON key and the text format, and prints whichever is selected.
 */
#ifndef CONENAT_PRINT_H
#define CONENAT_PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_init(bool json);
bool print_is_json(void);

/* A list of objects: "[...]" in JSON, nothing in text. */
void print_list_begin(void);
void print_list_end(void);

/* An object; key is NULL inside a list or at the top. */
void print_object_begin(const char *key);
void print_object_end(void);

/* An array value under key; text prints each element with its format. */
void print_array_begin(const char *key, const char *text);
void print_array_end(const char *text);

void print_string(const char *key, const char *fmt, const char *value);
void print_uint(const char *key, const char *fmt, uint64_t value);
void print_int(const char *key, const char *fmt, int64_t value);
void print_bool(const char *key, const char *fmt, bool value);

/* Text only: a literal string (newlines, separators). */
void print_text(const char *text);
/* Text only: formatted (words that JSON gives as a key's value instead). */
void print_textf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CONENAT_PRINT_H */
