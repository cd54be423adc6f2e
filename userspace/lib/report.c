// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

const char *report_prog = "conenat";

static int vreport(int rc, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", report_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return rc;
}

int fail(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(1, fmt, ap);
	va_end(ap);
	return rc;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(2, fmt, ap);
	va_end(ap);
	return rc;
}
