// SPDX-License-Identifier: GPL-2.0
/*
 * A reader that holds a mapping dump open, as a slow or stuck client
 * would, while the test changes the tables under it:
 *
 *   dumpslow NAME MS [PAUSES]   dump NAME's mappings, pausing MS after each
 *                               of the first PAUSES parts (default 1);
 *                               print the number of mappings
 *
 * Exit status 0 when the dump ended with NLMSG_DONE, 1 when the kernel
 * answered with an error, 2 on usage or socket errors.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/conenat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(long *)data)++;
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_msg(char *buf, int type, int flags, int cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static int run(struct mnl_socket *nl, char *buf, size_t size,
	       mnl_cb_t cb, void *data, int pause_ms, int pauses)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	do {
		ret = mnl_socket_recvfrom(nl, buf, size);
		if (ret <= 0)
			return 2;
		if (pauses-- > 0)
			usleep(pause_ms * 1000);
		ret = mnl_cb_run(buf, ret, 0, portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int family = 0, ret;
	long maps = 0;

	if (argc < 3 || argc > 4)
		return fprintf(stderr, "usage: dumpslow NAME MS [PAUSES]\n"), 2;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return perror("dumpslow: netlink"), 2;

	nlh = genl_msg(buf, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CONENAT_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    run(nl, buf, 4096, family_cb, &family, 0, 0) || !family)
		return fprintf(stderr, "dumpslow: no conenat family\n"), 2;

	nlh = genl_msg(buf, family, NLM_F_DUMP, CONENAT_CMD_GET_MAP);
	mnl_attr_put_strz(nlh, CONENAT_A_NAT_NAME, argv[1]);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return perror("dumpslow: send"), 2;
	/* Reads of one page keep the parts small (the kernel sizes them by the reads), so there are many. */
	ret = run(nl, buf, 4096, count_cb, &maps, atoi(argv[2]),
		  argc > 3 ? atoi(argv[3]) : 1);
	if (ret == 1)
		fprintf(stderr, "dumpslow: %s\n", strerror(errno));
	printf("%ld\n", maps);
	mnl_socket_close(nl);
	return ret;
}
