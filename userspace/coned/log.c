// SPDX-License-Identifier: GPL-2.0
/* coned's log: one line a message on stderr (journald adds the time). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coned.h"

/* One line, whole, whichever worker writes it. */
static void vlog(const char *fmt, va_list ap)
{
	flockfile(stderr);
	fputs("coned: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void coned_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void coned_debug(const struct coned *srv, const char *fmt, ...)
{
	va_list ap;

	if (!srv->cfg.verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

const char *coned_addr_str(const struct sockaddr_storage *ss)
{
	static __thread char bufs[4][SS_STRLEN];
	static __thread unsigned int next;

	return ss_str(ss, bufs[next++ & 3]);
}
