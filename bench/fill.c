// SPDX-License-Identifier: GPL-2.0
/*
 * Make many UDP flows at once: one datagram from each (internal address,
 * port) to one remote, written as raw frames on a LAN interface.
 *
 *   fill IFNAME GW_MAC REMOTE PORT FIRST_SRC NADDRS PORT_LO NPORTS [POOLS [NRPORTS]]
 *
 * With POOLS > 0 the NADDRS source addresses are chosen from FIRST_SRC
 * upwards so that conenat's paired pooling (jhash_1word of the address,
 * seed 0, scaled onto the pool's addresses) gives each of the POOLS
 * external addresses the same number of them: a million mappings fill
 * 16 addresses' port ranges to 97%, which random addresses would overflow.
 * pktgen cannot send from such a list, hence this helper.  NRPORTS
 * spreads the flows over that many remote ports from PORT on: stock NAT
 * needs a unique reply tuple per flow, so one remote endpoint would hold
 * at most 64,512 flows per external address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 256
#define FRAME_LEN 60	/* minimum Ethernet frame: 14 + 20 + 8 + 18 */

static uint32_t rol32(uint32_t w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* The kernel's jhash_1word(a, 0) (include/linux/jhash.h, lookup3 final). */
static uint32_t jhash_1word(uint32_t a)
{
	uint32_t b, c, init = 0xdeadbeef + (1 << 2);

	a += init;
	b = init;
	c = init;
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* The pool address conenat pairs an internal address (network order) with. */
static unsigned int pool_of(uint32_t addr_be, unsigned int pools)
{
	/* The kernel hashes the __be32 as it lies in memory. */
	return (unsigned int)(((uint64_t)jhash_1word(addr_be) * pools) >> 32);
}

static uint16_t ip_csum(const void *hdr, size_t len)
{
	const uint16_t *p = hdr;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: fill IFNAME GW_MAC REMOTE PORT FIRST_SRC NADDRS PORT_LO NPORTS [POOLS [NRPORTS]]\n");
	exit(2);
}

/* The source addresses, host order; balanced over the pools if asked. */
static uint32_t *pick_sources(uint32_t first, unsigned int n, unsigned int pools)
{
	uint32_t *addrs = calloc(n, sizeof(*addrs));
	unsigned int *used = calloc(pools ? pools : 1, sizeof(*used));
	unsigned int i = 0, quota = pools ? (n + pools - 1) / pools : n;
	uint32_t a;

	if (!addrs || !used)
		die("calloc");
	for (a = first; i < n; a++) {
		unsigned int p = pools ? pool_of(htonl(a), pools) : 0;

		if ((a & 0xff) == 0 || (a & 0xff) == 0xff)
			continue;	/* spare .0 and .255: they look odd in tables */
		if (used[p] >= quota)
			continue;
		used[p]++;
		addrs[i++] = a;
	}
	free(used);
	return addrs;
}

int main(int argc, char **argv)
{
	static unsigned char frames[BATCH][FRAME_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char gw_mac[6], my_mac[6];
	struct in_addr remote, first;
	unsigned int naddrs, nports, pools = 0, nrports = 1, port_lo, rport, i, k = 0;
	unsigned long sent = 0;
	struct ifreq ifr = {};
	uint32_t *srcs;
	int fd, one = 1;

	if (argc < 9 || argc > 11)
		usage();
	if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &gw_mac[0], &gw_mac[1],
		   &gw_mac[2], &gw_mac[3], &gw_mac[4], &gw_mac[5]) != 6 ||
	    !inet_aton(argv[3], &remote) || !inet_aton(argv[5], &first))
		usage();
	rport = strtoul(argv[4], NULL, 0);
	naddrs = strtoul(argv[6], NULL, 0);
	port_lo = strtoul(argv[7], NULL, 0);
	nports = strtoul(argv[8], NULL, 0);
	if (argc >= 10)
		pools = strtoul(argv[9], NULL, 0);
	if (argc == 11)
		nrports = strtoul(argv[10], NULL, 0);
	if (!naddrs || !nports || port_lo + nports > 65536 || !nrports ||
	    rport + nrports > 65536)
		usage();

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		die(argv[1]);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(my_mac, ifr.ifr_hwaddr.sa_data, 6);
	/* No qdisc: a full queue must not silently drop flows. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	srcs = pick_sources(ntohl(first.s_addr), naddrs, pools);
	for (i = 0; i < BATCH; i++) {
		iovs[i] = (struct iovec){ frames[i], FRAME_LEN };
		msgs[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iovs[i], .msg_iovlen = 1 } };
	}

	for (unsigned int p = 0; p < nports; p++) {
		for (unsigned int a = 0; a < naddrs; a++) {
			unsigned char *f = frames[k];
			struct iphdr *ip = (struct iphdr *)(f + 14);
			struct udphdr *udp = (struct udphdr *)(f + 34);

			memset(f, 0, FRAME_LEN);
			memcpy(f, gw_mac, 6);
			memcpy(f + 6, my_mac, 6);
			f[12] = 0x08;	/* IPv4 */
			ip->version = 4;
			ip->ihl = 5;
			ip->tot_len = htons(FRAME_LEN - 14);
			ip->ttl = 64;
			ip->protocol = IPPROTO_UDP;
			ip->saddr = htonl(srcs[a]);
			ip->daddr = remote.s_addr;
			ip->check = ip_csum(ip, sizeof(*ip));
			udp->source = htons(port_lo + p);
			udp->dest = htons(rport + (sent + k) % nrports);
			udp->len = htons(FRAME_LEN - 34);
			if (++k < BATCH && !(p == nports - 1 && a == naddrs - 1))
				continue;
			for (unsigned int off = 0; off < k;) {
				int r = sendmmsg(fd, msgs + off, k - off, 0);

				if (r < 0 && errno != ENOBUFS && errno != EINTR)
					die("sendmmsg");
				if (r > 0)
					off += r;
			}
			sent += k;
			k = 0;
		}
	}
	printf("%lu\n", sent);
	return 0;
}
