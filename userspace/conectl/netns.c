// SPDX-License-Identifier: GPL-2.0
/*
 * -netns NAME: act on a network namespace, as "ip -n NAME" does: NAME is
 * one "ip netns add" made (/run/netns/NAME), or a path to a namespace
 * file (/proc/PID/ns/net).  Every socket conectl opens afterwards, genl
 * and nftables alike, is in that namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conectl.h"

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	if (!*name)
		return usage_error("-netns: empty namespace name");
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("cannot open network namespace \"%s\": %s", name,
			    strerror(errno));
	err = setns(fd, CLONE_NEWNET) ? errno : 0;
	close(fd);
	if (err)
		return fail("cannot enter network namespace \"%s\": %s", name,
			    strerror(err));
	return 0;
}
