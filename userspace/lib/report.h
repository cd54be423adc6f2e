/* SPDX-License-Identifier: GPL-2.0 */
/* One-line errors on stderr, "PROG: reason", with the exit code to use. */
#ifndef CONENAT_REPORT_H
#define CONENAT_REPORT_H

/* The program name the lines start with; main() sets it. */
extern const char *report_prog;

/* Print the line and return 1 (a failure) or 2 (a command-line mistake). */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CONENAT_REPORT_H */
