// SPDX-License-Identifier: GPL-2.0
/* conectl stats: the counters of NAT instances. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conectl.h"
#include "print.h"

static const struct {
	enum conenat_stat stat;
	const char *key;
	const char *fmt;
} stat_fields[] = {
	{ CONENAT_STAT_MAPPINGS_LIVE, "mappings", " mappings %" PRIu64 },
	{ CONENAT_STAT_MAPPINGS_CREATED, "created", " created %" PRIu64 },
	{ CONENAT_STAT_MAPPINGS_EXPIRED, "expired", " expired %" PRIu64 },
	{ CONENAT_STAT_IN_PASSED, "in_passed", " in-passed %" PRIu64 },
	{ CONENAT_STAT_IN_DROPPED, "in_dropped", " in-dropped %" PRIu64 },
	{ CONENAT_STAT_ALLOC_FAILED, "alloc_failed", " alloc-failed %" PRIu64 },
	{ CONENAT_STAT_LIMIT_DROPPED, "limit_dropped", " limit-dropped %" PRIu64 },
	{ CONENAT_STAT_SYN_REFUSED, "syn_refused", " syn-refused %" PRIu64 },
};

static void print_stats(const struct nat *nat)
{
	unsigned int i;

	print_object_begin(NULL);
	print_string("nat", "nat %s", nat->name);
	for (i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
		print_uint(stat_fields[i].key, stat_fields[i].fmt,
			   nat->stats[stat_fields[i].stat]);
	print_text("\n");
	print_object_end();
}

int do_stats(int argc, char **argv)
{
	const char *name;
	int rc;

	/* Not a prefix: any other word is an instance's name. */
	if (argc == 1 && !strcmp(argv[0], "help")) {
		printf("Usage: conectl stats [ NAME ]\n");
		return 0;
	}
	rc = parse_show_args("stats", argc, argv, &name);
	return rc ? rc : show_nats("stats", name, print_stats);
}
