// SPDX-License-Identifier: GPL-2.0
/*
 * The xtables extension of conenat's netfilter target, for iptables, with
 * either backend (nft, legacy):
 *
 *   iptables -t nat -A POSTROUTING -o eth0 -j CONENAT --instance wan0
 *   iptables -t nat -A PREROUTING -j CONENAT --instance wan0
 *
 * The kernel looks the instance up when each flow begins (see
 * struct xt_conenat_info), so a rule may name an instance that conectl
 * creates later.  No xlate: nft lists the rule as "xt target CONENAT".
 */
#include <stdio.h>
#include <string.h>
#include <xtables.h>
#include <linux/conenat.h>

enum { O_INSTANCE };

static const struct xt_option_entry conenat_opts[] = {
	{ .name = "instance", .id = O_INSTANCE, .type = XTTYPE_STRING,
	  .flags = XTOPT_MAND | XTOPT_PUT,
	  XTOPT_POINTER(struct xt_conenat_info, name) },
	XTOPT_TABLEEND,
};

static void conenat_help(void)
{
	printf("CONENAT target options:\n"
	       "  --instance NAME    the conenat NAT instance (conectl nat show)\n"
	       "                     that translates the flows this rule selects\n");
}

/* As conectl and the kernel: 1 to 15 of A-Z a-z 0-9 _ -. */
static void conenat_parse(struct xt_option_call *cb)
{
	const char *c;

	for (c = cb->arg; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '_' && *c != '-')
			break;
	if (!*cb->arg || *c || c - cb->arg >= CONENAT_NAME_LEN)
		xtables_error(PARAMETER_PROBLEM,
			      "CONENAT: invalid instance name \"%s\" (1 to %d of A-Z a-z 0-9 _ -)",
			      cb->arg, CONENAT_NAME_LEN - 1);
	xtables_option_parse(cb);
}

static void conenat_print(const void *ip, const struct xt_entry_target *target,
			  int numeric)
{
	const struct xt_conenat_info *info = (const void *)target->data;

	printf(" instance %s", info->name);
}

static void conenat_save(const void *ip, const struct xt_entry_target *target)
{
	const struct xt_conenat_info *info = (const void *)target->data;

	printf(" --instance %s", info->name);
}

static struct xtables_target conenat_target = {
	.name		= "CONENAT",
	.version	= XTABLES_VERSION,
	.revision	= 0,
	.family		= NFPROTO_IPV4,
	.size		= XT_ALIGN(sizeof(struct xt_conenat_info)),
	.userspacesize	= XT_ALIGN(sizeof(struct xt_conenat_info)),
	.help		= conenat_help,
	.x6_parse	= conenat_parse,
	.x6_options	= conenat_opts,
	.print		= conenat_print,
	.save		= conenat_save,
};

/* libxtables dlopen()s the extension: registering is all it expects. */
static void __attribute__((constructor)) conenat_xt_init(void)
{
	xtables_register_target(&conenat_target);
}
