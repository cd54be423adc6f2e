// SPDX-License-Identifier: GPL-2.0
/*
 * conenat.conf (conenat.conf(5)): "nat NAME dev IFNAME [OPTIONS]" per
 * instance, the words of "conectl nat add", a line each (a backslash at
 * the end continues it), comments from '#'.
 *
 *   conectl save         the running instances in that format, every
 *                        setting spelled out
 *   conectl apply FILE   the running instances made equal to the file:
 *                        all of it or, if the kernel refuses a step,
 *                        none (the steps done are undone)
 *
 * A setting a line leaves out has its default, so applying a file is the
 * same whatever was changed by hand before.  An instance whose settings
 * are already those of its line is not touched, and keeps its mappings;
 * one attached by rules gets its rules back if a flush took them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conectl.h"

struct config {
	struct nat *v;
	unsigned int *line;		/* each instance's line in the file */
	unsigned int n;
};

/* One line's instance into cfg; 0 or a usage error's exit code. */
static int add_instance(struct config *cfg, const char *where, int n,
			char **words, unsigned int lineno)
{
	struct nat nat;
	unsigned int i;
	int rc;

	if (strcmp(words[0], "nat"))
		return usage_error("%s: expected \"nat NAME dev IFNAME ...\", got \"%s\"",
				   where, words[0]);
	rc = parse_nat_args(where, n - 1, words + 1, &nat);
	if (rc)
		return rc;
	if (!(nat.given & NAT_DEV))
		return usage_error("%s: \"dev IFNAME\" is required", where);
	for (i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->v[i].name, nat.name))
			return usage_error("%s: instance \"%s\" also on line %u",
					   where, nat.name, cfg->line[i]);
	nat_complete(&nat);
	cfg->v = realloc(cfg->v, (cfg->n + 1) * sizeof(*cfg->v));
	cfg->line = realloc(cfg->line, (cfg->n + 1) * sizeof(*cfg->line));
	if (!cfg->v || !cfg->line)
		abort();
	cfg->v[cfg->n] = nat;
	cfg->line[cfg->n++] = lineno;
	return 0;
}

/* The whole file, or a usage error naming FILE:LINE and nothing read. */
static int read_config(const char *file, struct config *cfg)
{
	FILE *f = open_input(file);
	char *words[MAX_WORDS], *buf = NULL, where[PATH_MAX + 32];
	unsigned int lineno = 0, first;
	const char *why;
	size_t size = 0;
	int n, rc = 0;

	if (!f)
		return fail("apply: cannot open \"%s\": %s", file, strerror(errno));
	for (;;) {
		first = lineno + 1;
		if (read_line(f, &buf, &size, &lineno) < 0)
			break;
		snprintf(where, sizeof(where), "%s:%u", file, first);
		n = split_words(buf, words, &why);
		if (n < 0)
			rc = usage_error("%s: %s", where, why);
		else if (n > 0)
			rc = add_instance(cfg, where, n, words, first);
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = fail("apply: reading \"%s\": %s", file, strerror(errno));
	free(buf);
	close_input(f);
	return rc;
}

/* What apply does to one instance, and how to take it back. */
struct step {
	enum { STEP_DEL, STEP_CHANGE, STEP_ADD } kind;
	const struct nat *to;		/* the file's (CHANGE, ADD) */
	const struct nat *from;		/* the running one (DEL, CHANGE) */
	unsigned int line;
};

static int do_step(struct genl_sock *gs, const struct step *s, bool undo)
{
	switch (s->kind) {
	case STEP_DEL:
		return undo ? create_nat(gs, s->from) : remove_nat(gs, s->from->name);
	case STEP_CHANGE:
		return change_nat(gs, undo ? s->from : s->to);
	case STEP_ADD:
		return undo ? remove_nat(gs, s->to->name) : create_nat(gs, s->to);
	}
	return 1;
}

static const struct nat *find(const struct nat *v, unsigned int n,
			      const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/*
 * The kernel cannot take an instance's own addresses away (it would use
 * its device's): such a change deletes and adds the instance again.
 */
static bool recreate(const struct nat *from, const struct nat *to)
{
	return from->n_addrs && !to->n_addrs;
}

/*
 * Deletions first (they free addresses and devices the others may take),
 * then changes, then additions; on a failure, what was done is undone in
 * reverse order.
 */
static unsigned int plan(const struct config *cfg, const struct nat_list *run,
			 struct step *steps)
{
	const struct nat *to, *from;
	unsigned int i, n = 0;

	for (i = 0; i < run->n; i++) {
		from = &run->v[i];
		to = find(cfg->v, cfg->n, from->name);
		if (!to || recreate(from, to))
			steps[n++] = (struct step){ STEP_DEL, NULL, from, 0 };
	}
	for (i = 0; i < cfg->n; i++) {
		from = find(run->v, run->n, cfg->v[i].name);
		if (from && !recreate(from, &cfg->v[i]) &&
		    !nat_same(from, &cfg->v[i]))
			steps[n++] = (struct step){ STEP_CHANGE, &cfg->v[i], from,
						    cfg->line[i] };
	}
	for (i = 0; i < cfg->n; i++) {
		from = find(run->v, run->n, cfg->v[i].name);
		if (!from || recreate(from, &cfg->v[i]))
			steps[n++] = (struct step){ STEP_ADD, &cfg->v[i], NULL,
						    cfg->line[i] };
	}
	return n;
}

static int run_steps(struct genl_sock *gs, const char *file,
		     const struct step *steps, unsigned int n)
{
	const char *prog = report_prog;
	char where[PATH_MAX + 64];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		if (steps[i].line)
			snprintf(where, sizeof(where), "%s: apply: %s:%u", prog,
				 file, steps[i].line);
		else
			snprintf(where, sizeof(where), "%s: apply", prog);
		report_prog = where;
		rc = do_step(gs, &steps[i], false);
		report_prog = prog;
	}
	if (!rc)
		return 0;
	/* steps[i - 1] failed and changed nothing: undo those before it. */
	snprintf(where, sizeof(where), "%s: apply: undoing", prog);
	report_prog = where;
	for (i--; i-- > 0;)
		do_step(gs, &steps[i], true);
	report_prog = prog;
	return rc;
}

/*
 * An instance attached by rules keeps its settings through a flush of the
 * ruleset, its rules do not: put them back (they are replaced whole), so
 * that applying the file after nftables restarts makes them whole again.
 */
static int ensure_rules(const struct config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n; i++)
		if (cfg->v[i].flags & CONENAT_NAT_F_RULES &&
		    nft_rules_set("apply", cfg->v[i].name, cfg->v[i].ifname))
			return 1;
	return 0;
}

int do_apply(int argc, char **argv)
{
	struct config cfg = { NULL, NULL, 0 };
	struct nat_list run = { NULL, 0 };
	struct genl_sock gs;
	struct step *steps;
	unsigned int i, n;
	int rc, err;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		printf("Usage: conectl apply FILE\n");
		return 0;
	}
	if (argc != 1)
		return argc ? usage_error("apply: unexpected \"%s\"", argv[1]) :
			      usage_error("apply: FILE missing");
	rc = read_config(argv[0], &cfg);
	if (rc)
		goto out;
	rc = 1;
	if (conenat_open(&gs))
		goto out;
	err = nat_list(&gs, NULL, &run);
	if (err) {
		rc = request_failed(&gs, "apply: reading the running instances", err);
		goto out_close;
	}
	for (i = 0; i < run.n; i++)
		nat_given_all(&run.v[i]);
	steps = calloc(run.n + 2 * cfg.n + 1, sizeof(*steps));
	if (!steps)
		abort();
	n = plan(&cfg, &run, steps);
	rc = run_steps(&gs, argv[0], steps, n);
	free(steps);
	if (!rc)
		rc = ensure_rules(&cfg);
out_close:
	genl_close(&gs);
out:
	free(run.v);
	free(cfg.v);
	free(cfg.line);
	return rc;
}

int do_save(int argc, char **argv)
{
	struct nat_list run = { NULL, 0 };
	struct genl_sock gs;
	unsigned int i;
	int err;

	if (argc == 1 && !strcmp(argv[0], "help")) {
		printf("Usage: conectl save\n");
		return 0;
	}
	if (argc)
		return usage_error("\"save\" takes no arguments, got \"%s\"", argv[0]);
	if (conenat_open(&gs))
		return 1;
	err = nat_list(&gs, NULL, &run);
	if (err) {
		err = request_failed(&gs, "save", err);
	} else {
		printf("# conenat.conf(5), written by conectl save\n");
		for (i = 0; i < run.n; i++)
			nat_save(stdout, &run.v[i]);
	}
	genl_close(&gs);
	free(run.v);
	return err;
}
