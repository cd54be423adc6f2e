// SPDX-License-Identifier: GPL-2.0
/* cone probe's verdict, in text or JSON through the one print path. */
#include <inttypes.h>
#include <stdio.h>

#include "cone.h"
#include "print.h"

static const char *const mapping_keys[] = {
	[EI] = "eim", [AD] = "adm", [APD] = "apdm", [UNKNOWN] = "unknown",
};
static const char *const filtering_keys[] = {
	[EI] = "eif", [AD] = "adf", [APD] = "apdf", [UNKNOWN] = "unknown",
};
static const char *const mapping_words[] = {
	[EI] = "endpoint-independent", [AD] = "address-dependent",
	[APD] = "address and port-dependent", [UNKNOWN] = "unknown",
};

/* RFC 3489's names cover four of the nine combinations. */
static const char *classic_name(const struct probe_result *r)
{
	if (!r->nat)
		return r->filtering == EI ? "open internet" :
		       "no NAT, firewall";
	if (r->mapping == EI && r->filtering == EI)
		return "full cone";
	if (r->mapping == EI && r->filtering == AD)
		return "restricted cone";
	if (r->mapping == EI && r->filtering == APD)
		return "port-restricted cone";
	if (r->mapping == APD && r->filtering == APD)
		return "symmetric";
	return NULL;
}

void print_probe(const struct probe_result *r)
{
	const char *classic = classic_name(r);
	char buf[SS_STRLEN];

	print_object_begin(NULL);
	print_string("server", "server %s", ss_str(&r->server, buf));
	print_string("other", " other %s\n", ss_str(&r->other, buf));
	print_string("local", "local %s", ss_str(&r->local, buf));
	print_string("mapped", " mapped %s\n", ss_str(&r->mapped, buf));
	print_bool("nat", NULL, r->nat);
	print_text(r->nat ? "NAT: yes\n" :
		   "NAT: no (the local address is the reflexive one)\n");
	print_string("mapping", NULL, mapping_keys[r->mapping]);
	print_textf("mapping: %s (%s)\n", mapping_words[r->mapping],
		    mapping_keys[r->mapping]);
	print_string("filtering", NULL, filtering_keys[r->filtering]);
	print_textf("filtering: %s (%s)\n", mapping_words[r->filtering],
		    filtering_keys[r->filtering]);
	if (classic) {
		print_string("classic", "classic: %s\n", classic);
	} else {
		/* The combinations RFC 3489 has no name for, spelled out. */
		print_string("classic", NULL, "none");
		print_textf("classic: none (%s mapping with %s filtering)\n",
			    mapping_words[r->mapping],
			    mapping_words[r->filtering]);
	}
	print_bool("port_preservation", NULL, r->port_preserved);
	print_text(r->port_preserved ? "port preservation: yes\n" :
		   "port preservation: no\n");
	print_bool("hairpinning", NULL, r->hairpinning);
	print_text(r->hairpinning ? "hairpinning: yes\n" :
		   "hairpinning: no\n");
	if (r->lifetime_measured) {
		/* Alive when last checked at min, gone when checked at max. */
		print_uint("lifetime_min", "mapping lifetime: at least %" PRIu64 " s",
			   r->lifetime_min);
		if (!r->lifetime_open_ended)
			print_uint("lifetime_max", ", less than %" PRIu64 " s",
				   r->lifetime_max);
		print_text("\n");
	}
	print_object_end();
}
