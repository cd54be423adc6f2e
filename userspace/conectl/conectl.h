/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CONECTL_H
#define CONECTL_H

#include <stdbool.h>

#include "args.h"
#include "genl.h"

/* An object's command handler: argv starts after the command word. */
typedef int (*conectl_cmd_fn)(int argc, char **argv);

struct conectl_cmd {
	const char *name;
	conectl_cmd_fn fn;
};

extern const char *conectl_prog;

/* Run the command of cmds that argv[0] names (default: the first). */
int dispatch(const char *object, const struct conectl_cmd *cmds, int argc,
	     char **argv);

/* Print "conectl: ..." to stderr and return 1 (or 2 for usage errors). */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open the conenat family, or explain why not; 0 on success. */
int conenat_open(struct genl_sock *gs);
/* Report a failed request: the kernel's message, else strerror. */
int request_failed(struct genl_sock *gs, const char *what, int err);

int do_version(int argc, char **argv);

#endif /* CONECTL_H */
