/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CONECTL_H
#define CONECTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <linux/conenat.h>

#include "args.h"
#include "genl.h"

/* An object's command handler: argv starts after the command word. */
typedef int (*conectl_cmd_fn)(int argc, char **argv);

struct conectl_cmd {
	const char *name;
	conectl_cmd_fn fn;
};

extern const char *conectl_prog;

/* Run "OBJECT COMMAND ..." (argc > 0): its exit code. */
int run_command(int argc, char **argv);
/* FILE, or standard input for "-"; close_input leaves stdin open. */
FILE *open_input(const char *file);
void close_input(FILE *f);
/*
 * One logical line of f into *buf (a trailing backslash continues it, the
 * newline dropped), *lineno advanced past it: its length, or -1 at the end.
 */
ssize_t read_line(FILE *f, char **buf, size_t *size, unsigned int *lineno);
/*
 * Split a line of a batch or config file in place into at most MAX_WORDS
 * words (blanks separate, quotes group, '#' starts a comment): the number
 * of words, or -1 with *why set.
 */
#define MAX_WORDS 64
int split_words(char *line, char **words, const char **why);
/* -batch FILE: each line a command; stops at the first that fails. */
int run_batch(const char *file);
/* conectl save, conectl apply FILE (config.c). */
int do_save(int argc, char **argv);
int do_apply(int argc, char **argv);
/* -netns NAME: switch to that network namespace; 0 or an exit code. */
int netns_enter(const char *name);
/* -rcvbuf SIZE: the monitor's receive buffer; 0, or -1 if invalid. */
int parse_rcvbuf(const char *arg);

/* Run the command of cmds that argv[0] names (default: the first). */
int dispatch(const char *object, const struct conectl_cmd *cmds, int argc,
	     char **argv);

/* fail() and usage_error(): "conectl: ..." on stderr, exit code 1 or 2. */
#include "report.h"

/* Open the conenat family, or explain why not; 0 on success. */
int conenat_open(struct genl_sock *gs);
/* Report a failed request: the kernel's message, else strerror. */
int request_failed(struct genl_sock *gs, const char *what, int err);

/* Which settings of a struct nat are given (on the command line). */
enum nat_setting {
	NAT_DEV		= 1U << 0,
	NAT_ADDRS	= 1U << 1,
	NAT_PORTS	= 1U << 2,
	NAT_MAPPING	= 1U << 3,
	NAT_FILTERING	= 1U << 4,
	NAT_TCP_FILTERING = 1U << 5,
	NAT_QUARANTINE	= 1U << 6,
	NAT_LIMIT	= 1U << 7,
	NAT_TIMEOUT	= 1U << 8,	/* + enum nat_timeout */
	NAT_FLAG	= 1U << 16,	/* + the bit of a CONENAT_NAT_F_ flag */
};

/* The mapping timeouts, each its own setting bit from NAT_TIMEOUT on. */
enum nat_timeout {
	NAT_TIMEOUT_UDP,
	NAT_TIMEOUT_TCP,
	NAT_TIMEOUT_TCP_TRANSITORY,
	NAT_TIMEOUT_ICMP,
	NAT_NTIMEOUTS
};

/* A NAT instance: its settings and, read back from the kernel, stats. */
struct nat {
	char name[CONENAT_NAME_LEN];
	char ifname[IFNAMSIZ];
	struct in_addr addrs[CONENAT_MAX_ADDRS];
	unsigned int n_addrs;
	uint16_t port_min, port_max;
	uint8_t mapping, filtering, tcp_filtering;
	uint32_t timeouts[NAT_NTIMEOUTS];
	uint32_t quarantine;
	uint32_t mapping_limit;
	uint32_t flags;
	uint32_t flags_mask;		/* the flags given */
	unsigned int given;
	uint64_t stats[CONENAT_STAT_MAX + 1];
};

struct nat_list {
	struct nat *v;
	unsigned int n;
};

/* The on/off options: the flag, the word that sets it, the one that clears it. */
struct nat_flag_option {
	const char *keyword;
	uint32_t flag;
	const char *on, *off;
};

extern const struct nat_flag_option nat_flag_options[];

/* NAME [ KEYWORD VALUE ]... of nat add and change: 0 or a usage error. */
int parse_nat_args(const char *what, int argc, char **argv, struct nat *nat);

/* Every setting given: send_nat() then sets them all. */
void nat_given_all(struct nat *nat);
/* The kernel's defaults for what nat does not give, then all given. */
void nat_complete(struct nat *nat);
/* Do two complete instances have the same settings? */
bool nat_same(const struct nat *a, const struct nat *b);
/* The instance as a conenat.conf line, every setting spelled out. */
void nat_save(FILE *f, const struct nat *nat);
/* nat add, change (the settings given) and del, with their rules. */
int create_nat(struct genl_sock *gs, const struct nat *nat);
int change_nat(struct genl_sock *gs, const struct nat *nat);
int remove_nat(struct genl_sock *gs, const char *name);
int nat_get(struct genl_sock *gs, const char *name, struct nat *nat);

/* Is name a valid instance name?  0, or the exit code of a usage error. */
int check_nat_name(const char *what, const char *name);
/* NAME, alone, of a command; 0 or the exit code of a usage error. */
int parse_name_args(const char *what, int argc, char **argv);
/* [ NAME ] of a show command into *name (NULL: all); 0 or a usage error. */
int parse_show_args(const char *what, int argc, char **argv,
		    const char **name);

/*
 * Read the instance called name, or all of them if name is NULL, into
 * list (list->v to be freed).  Returns 0 or a negative errno.
 */
int nat_list(struct genl_sock *gs, const char *name, struct nat_list *list);
/* Print the instance called name, or all, as a list; an exit code. */
int show_nats(const char *what, const char *name,
	      void (*print)(const struct nat *nat));
/* A request that carries only the instance's name (del, flush). */
int nat_command(struct genl_sock *gs, uint8_t cmd, const char *name);
/* request_failed(), saying "no such NAT instance" for a bare -ENOENT. */
int nat_failed(struct genl_sock *gs, const char *what, int err);

/*
 * Point the nftables rules of instance name at device ifname, creating
 * them or replacing the old ones; or remove them.  One batch each, so a
 * failure changes nothing.  0, or 1 after reporting "what: ..." failed.
 */
int nft_rules_set(const char *what, const char *name, const char *ifname);
int nft_rules_remove(const char *what, const char *name);

int do_version(int argc, char **argv);
int do_nat(int argc, char **argv);
int do_map(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);

#endif /* CONECTL_H */
