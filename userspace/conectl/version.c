// SPDX-License-Identifier: GPL-2.0
/* conectl version: the tool's version and the loaded module's. */
#include <inttypes.h>
#include <stdio.h>

#include <linux/conenat.h>

#include "conectl.h"
#include "print.h"
#include "version.h"

struct module_version {
	char version[64];
	uint32_t api;
};

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	struct module_version *mv = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN_ALIGNED) {
		if (mnl_attr_get_type(a) == CONENAT_A_VERSION &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(mv->version, sizeof(mv->version), "%s",
				 mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == CONENAT_A_API_VERSION &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			mv->api = mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

int do_version(int argc, char **argv)
{
	struct module_version mv = { "unknown", 0 };
	struct genl_sock gs;
	int err;

	if (argc == 1 && matches(argv[0], "help")) {
		printf("Usage: conectl version\n");
		return 0;
	}
	if (argc > 0)
		return usage_error("\"version\" takes no arguments, got \"%s\"",
				   argv[0]);
	if (conenat_open(&gs))
		return 1;
	err = genl_transact(&gs, genl_request(&gs, CONENAT_CMD_GET_VERSION, 0),
			    version_cb, &mv);
	if (err) {
		err = request_failed(&gs, "version", err);
		genl_close(&gs);
		return err;
	}
	print_object_begin(NULL);
	print_string("conectl", "conectl %s\n", CONENAT_VERSION);
	print_string("module", "conenat module %s", mv.version);
	print_uint("api", " (API %" PRIu64 ")\n", mv.api);
	print_object_end();
	genl_close(&gs);
	return 0;
}
