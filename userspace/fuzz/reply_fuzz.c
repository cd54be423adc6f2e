// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: conectl's readers of the kernel's replies on arbitrary
 * bytes.  The input is what one recv() could return, a run of netlink
 * messages; each is copied to a buffer of its own length (so that a read
 * past it shows) and given to every reader conectl has: the ACK and
 * NLMSG_DONE reader with its extack message, GET_VERSION's, GET_NAT's
 * (then printed as nat show and stats print it), GET_MAP's and the event
 * monitor's.  The first byte chooses text or JSON; JSON output must parse.
 *
 * conectl's readers are static, so their files are included here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define main conectl_main
#include "../conectl/main.c"
#undef main
#include "../conectl/map.c"
#include "../conectl/nat.c"
#include "../conectl/stats.c"
#include "../conectl/version.c"

/* ---- a small JSON checker: the whole text must be one value ---- */

static const char *json_value(const char *p, int depth);

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *json_list(const char *p, int depth, char close, bool keys)
{
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keys) {
			p = json_str(skip_ws(p));
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	char *end;

	if (depth > 64)
		return NULL;
	p = skip_ws(p);
	switch (*p) {
	case '{':
		return json_list(p, depth, '}', true);
	case '[':
		return json_list(p, depth, ']', false);
	case '"':
		return json_str(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return NULL;
		strtod(p, &end);
		return end == p ? NULL : end;
	}
}

static void check_json(const char *text)
{
	const char *p = json_value(text, 0);

	if (!p || *skip_ws(p)) {
		fprintf(stderr, "not JSON: %s\n", text);
		__builtin_trap();
	}
}

/* ---- the readers ---- */

static void read_one(const struct nlmsghdr *nlh, struct nat_list *list)
{
	struct module_version mv = { "", 0 };
	struct monitor mon = { 0 };
	char errmsg[256];

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
		nl_ack_result(nlh, errmsg, sizeof(errmsg));
		return;
	}
	version_cb(nlh, &mv);
	collect_nat(nlh, list);
	map_cb(nlh, NULL);
	event_cb(nlh, &mon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nat_list list = { NULL, 0 };
	const struct nlmsghdr *nlh;
	bool json = size && (data[0] & 1);
	void *msgs;
	char *text = NULL;
	size_t text_len = 0;
	FILE *real = stdout;
	unsigned int i;
	int rest;

	if (!size)
		return 0;
	/* Aligned, as a receive buffer is. */
	msgs = malloc(size);
	if (!msgs)
		return 0;
	memcpy(msgs, data + 1, --size);
	stdout = open_memstream(&text, &text_len);
	if (!stdout) {
		stdout = real;
		free(msgs);
		return 0;
	}
	print_init(json);
	print_list_begin();
	rest = (int)size;
	/* As genl_transact() walks a receive buffer. */
	for (nlh = msgs; nl_msg_ok(nlh, rest);
	     nlh = mnl_nlmsg_next(nlh, &rest)) {
		/*
		 * Padded to alignment, as in a receive buffer: libmnl's
		 * attribute walk reads up to the aligned end.
		 */
		struct nlmsghdr *copy = calloc(1, MNL_ALIGN(nlh->nlmsg_len));

		if (!copy)
			break;
		memcpy(copy, nlh, nlh->nlmsg_len);
		read_one(copy, &list);
		free(copy);
	}
	for (i = 0; i < list.n; i++) {
		print_nat(&list.v[i]);
		print_stats(&list.v[i]);
	}
	print_list_end();
	free(list.v);
	free(msgs);
	fclose(stdout);
	stdout = real;
	if (json)
		check_json(text);
	free(text);
	return 0;
}
