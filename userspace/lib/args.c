// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <linux/conenat.h>

#include "args.h"

bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool valid_nat_name(const char *s)
{
	size_t len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return len && len < CONENAT_NAME_LEN && !s[len];
}

/* As the kernel's dev_valid_name(): a name no device could have is refused. */
bool valid_ifname(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

unsigned int parse_addrs(const char *s, struct in_addr *addrs,
			 unsigned int max)
{
	char one[INET_ADDRSTRLEN];
	unsigned int n = 0;
	size_t len;

	for (;;) {
		len = strcspn(s, ",");
		if (n == max || len >= sizeof(one))
			return 0;
		memcpy(one, s, len);
		one[len] = '\0';
		if (inet_pton(AF_INET, one, &addrs[n++]) != 1)
			return 0;
		if (!s[len])
			return n;
		s += len + 1;
	}
}

bool parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char first[sizeof("65535")];
	uint64_t min, max;
	size_t len;

	if (!dash)
		return false;
	len = dash - s;
	if (len >= sizeof(first))
		return false;
	memcpy(first, s, len);
	first[len] = '\0';
	if (!parse_uint(first, 1, UINT16_MAX, &min) ||
	    !parse_uint(dash + 1, min, UINT16_MAX, &max))
		return false;
	*lo = min;
	*hi = max;
	return true;
}

bool parse_on_off(const char *s, bool *on)
{
	if (strcmp(s, "on") && strcmp(s, "off"))
		return false;
	*on = !strcmp(s, "on");
	return true;
}

static const char *const mapping_names[] = {
	[CONENAT_MAPPING_EIM] = "eim",
	[CONENAT_MAPPING_ADM] = "adm",
	[CONENAT_MAPPING_APDM] = "apdm",
};

static const char *const filtering_names[] = {
	[CONENAT_FILTERING_EIF] = "eif",
	[CONENAT_FILTERING_ADF] = "adf",
	[CONENAT_FILTERING_APDF] = "apdf",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool lookup(const char *s, const char *const *names, uint8_t n,
		   uint8_t *out)
{
	uint8_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return true;
		}
	}
	return false;
}

bool parse_mapping(const char *s, uint8_t *mapping)
{
	return lookup(s, mapping_names, ARRAY_SIZE(mapping_names), mapping);
}

bool parse_filtering(const char *s, uint8_t *filtering)
{
	return lookup(s, filtering_names, ARRAY_SIZE(filtering_names),
		      filtering);
}

/* The name of value v, or "unknown" for one from a newer module. */
static const char *name_of(uint8_t v, const char *const *names, uint8_t n)
{
	return v < n ? names[v] : "unknown";
}

const char *mapping_name(uint8_t mapping)
{
	return name_of(mapping, mapping_names, ARRAY_SIZE(mapping_names));
}

const char *filtering_name(uint8_t filtering)
{
	return name_of(filtering, filtering_names,
		       ARRAY_SIZE(filtering_names));
}
