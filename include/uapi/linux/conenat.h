/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * conenat: RFC 4787/5382/5508 NAT with configurable mapping and filtering.
 *
 * Documentation for the generic netlink API
 * =========================================
 *
 * The family is "conenat" (CONENAT_GENL_NAME), version CONENAT_GENL_VERSION.
 * It is per network namespace: every command acts on the namespace of the
 * socket that sends it, and every command needs CAP_NET_ADMIN in the user
 * namespace that owns that network namespace.  Resolving the family name
 * loads the module if it is installed (module alias
 * "net-pf-16-proto-16-family-conenat").
 *
 * Attributes are validated strictly: unknown attributes and attributes of
 * the wrong type are refused with -EINVAL, values (and an address's
 * length) out of their range with -ERANGE, as the kernel's policy checks
 * answer, each with an extended ACK message and the offending attribute,
 * and nothing changes.  A
 * missing required attribute is -EINVAL, an unknown instance -ENOENT.
 * Addresses are IPv4 in network byte order (4 bytes); ports and all other
 * integers are in host byte order.
 *
 * A NAT instance translates the flows through its device (the uplink,
 * CONENAT_A_NAT_IFNAME): at POSTROUTING the first packet of a flow leaving
 * by it gets a mapping (a new one or the one its mapping behaviour
 * shares), at PREROUTING the first packet of a flow coming in by it to a
 * mapped external endpoint is let in or dropped by the filtering
 * behaviour; from another device, such a flow is hairpinned
 * (source-translated to the sender's own mapping).  UDP and TCP are
 * translated both ways, ICMP echo requests outbound, any other protocol
 * outbound to the external address alone.
 *
 * The instance attaches to netfilter's NAT hooks itself, as nftables' nat
 * chains do, so no ruleset (and no flush of one) stands between it and
 * its flows.  Among the nat chains of its namespace it runs at PREROUTING
 * after those of priority -100 (dstnat: the admin's port forwards win) and
 * at POSTROUTING before those of priority 100 (srcnat: on its uplink it
 * translates before a masquerade rule would).  The first to set up NAT for
 * a flow decides it.  With CONENAT_NAT_F_RULES the instance does not attach
 * itself and translates only the flows that conenat's netfilter target
 * (xt "CONENAT", see struct xt_conenat_info) hands it.  One instance of a
 * namespace at most attaches itself to a device: a second is refused with
 * -EBUSY (the others of that device need CONENAT_NAT_F_RULES).
 *
 * CONENAT_CMD_GET_VERSION
 * -----------------------
 *
 * Takes no attributes.  Replies with a CONENAT_CMD_GET_VERSION message:
 *
 *    CONENAT_A_VERSION: NUL-terminated string, the module's version
 *    CONENAT_A_API_VERSION: u32, CONENAT_API_VERSION of the module
 *
 * CONENAT_CMD_NEW_NAT
 * -------------------
 *
 * Creates an instance.  -EEXIST if the name is taken; -EADDRINUSE if an
 * address belongs to another instance of the namespace.
 *
 *    CONENAT_A_NAT_NAME: NUL-terminated string, 1 to CONENAT_NAME_LEN - 1
 *                        bytes, required
 *    CONENAT_A_NAT_IFNAME: NUL-terminated string, the outbound device,
 *                          required (it need not exist yet)
 *    CONENAT_A_NAT_ADDRS: nested, optional, 1 to CONENAT_MAX_ADDRS of
 *        CONENAT_A_ADDR: 4 bytes, an external IPv4 address (unicast)
 *                        With none, the device's primary address is used,
 *                        looked up when a mapping is made (as MASQUERADE).
 *                        With several, one internal address always uses
 *                        the same external address (paired pooling).
 *    CONENAT_A_NAT_PORT_MIN: u16, default 1024 \  external port range,
 *    CONENAT_A_NAT_PORT_MAX: u16, default 65535 / min <= max, min >= 1
 *    CONENAT_A_NAT_MAPPING: u8, enum conenat_mapping_behaviour, default EIM
 *    CONENAT_A_NAT_FILTERING: u8, enum conenat_filtering_behaviour, default EIF
 *    CONENAT_A_NAT_UDP_TIMEOUT: u32, seconds a UDP mapping lives without
 *                               refresh, 1 to 86400, default 300
 *    CONENAT_A_NAT_TCP_TIMEOUT: u32, the same for TCP while a connection
 *                               of the mapping is established, 1 to
 *                               604800, default 7440 (RFC 5382 REQ-5)
 *    CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT: u32, TCP otherwise (opening,
 *                               closing), 1 to 86400, default 240
 *    CONENAT_A_NAT_ICMP_TIMEOUT: u32, ICMP echo, 1 to 86400, default 60
 *                               (RFC 5508 REQ-2)
 *    CONENAT_A_NAT_PORT_QUARANTINE: u32, seconds a freed external port
 *                               waits before another mapping may take it,
 *                               0 to 3600, default 120 (RFC 6888 REQ-8)
 *    CONENAT_A_NAT_FLAGS: u32, enum conenat_nat_flags, default 0
 *    CONENAT_A_NAT_TCP_FILTERING: u8, enum conenat_filtering_behaviour for
 *                               TCP (RFC 5382 REQ-3); default: as
 *                               CONENAT_A_NAT_FILTERING, which sets both
 *    CONENAT_A_NAT_MAPPING_LIMIT: u32, mappings one internal address may
 *                               hold at once, all protocols together, 0
 *                               (the default) for no limit (RFC 6888 REQ-4)
 *
 * A new mapping's external port is, by default, the internal port when it
 * is free in the pool of its external address (port preservation), else a
 * uniformly random free one (RFC 6056).  CONENAT_NAT_F_PORT_RANDOM always
 * picks at random; CONENAT_NAT_F_PORT_PARITY only gives ports of the
 * internal port's parity (RFC 4787 REQ-4); CONENAT_NAT_F_RANGE_PRESERVE
 * gives ports below 1024 only to internal ports below 1024 and the others
 * only to the others (REQ-3a), and needs a port range on both sides of
 * 1024.  These apply to UDP and TCP (an ICMP identifier has no parity or
 * range).  A flow whose class of ports is used up is handled as when the
 * whole range is: dropped with an ICMP error, never evicting a mapping.
 *
 * CONENAT_CMD_SET_NAT
 * -------------------
 *
 * Changes an instance: CONENAT_A_NAT_NAME (required) and any of the
 * settings of CONENAT_CMD_NEW_NAT.  CONENAT_A_NAT_FILTERING sets the
 * filtering of every protocol, unless CONENAT_A_NAT_TCP_FILTERING is given
 * too.  With CONENAT_A_NAT_FLAGS_MASK (u32), only the flags in the mask
 * change; without it, CONENAT_A_NAT_FLAGS replaces them all.  Changing
 * the device, addresses, port range, mapping or filtering behaviour
 * removes the instance's mappings (and their conntrack entries), since
 * they were made under other rules; a new timeout applies from each
 * mapping's next refresh; flags and the mapping limit apply to the next
 * mapping made.
 *
 * CONENAT_CMD_DEL_NAT
 * -------------------
 *
 * Removes the instance named by CONENAT_A_NAT_NAME and all its mappings.
 * Netfilter rules that still name it stop translating (they continue).
 *
 * CONENAT_CMD_GET_NAT
 * -------------------
 *
 * With CONENAT_A_NAT_NAME, one instance; as a dump (NLM_F_DUMP), all of
 * them.  Each reply carries the settings above (CONENAT_A_NAT_ADDRS only
 * if configured), and:
 *
 *    CONENAT_A_NAT_STATS: nested, enum conenat_stat, each a u64
 *
 * Unsolicited TCP SYNs (RFC 5382 REQ-4): a SYN the filter refuses is
 * dropped, and 6 to 7 seconds later answered with ICMP port unreachable
 * unless the internal endpoint has meanwhile sent a SYN to that remote
 * (a simultaneous open, which then proceeds) or CONENAT_NAT_F_SYN_SILENT
 * is set (REQ-4a).  At most 64 such SYNs per namespace wait at a time;
 * beyond that they are dropped silently.
 *
 * CONENAT_CMD_GET_MAP
 * -------------------
 *
 * A dump of the mappings of the instance named by CONENAT_A_NAT_NAME
 * (required), one message per mapping, in pieces as the socket buffer
 * allows.  Each message has CONENAT_A_NAT_NAME and:
 *
 *    CONENAT_A_MAP: nested, enum conenat_map_attr:
 *        CONENAT_MAP_A_PROTO: u8, IPPROTO_UDP, IPPROTO_TCP or IPPROTO_ICMP
 *            (an ICMP echo's identifier is its "port")
 *        CONENAT_MAP_A_INT_ADDR, CONENAT_MAP_A_INT_PORT: internal endpoint
 *        CONENAT_MAP_A_EXT_ADDR, CONENAT_MAP_A_EXT_PORT: external endpoint
 *        CONENAT_MAP_A_REM_ADDR: the remote address of the key (adm, apdm)
 *        CONENAT_MAP_A_REM_PORT: the remote port of the key (apdm)
 *        CONENAT_MAP_A_EXPIRES_MS: u32, milliseconds until expiry
 *        CONENAT_MAP_A_PKTS_OUT, CONENAT_MAP_A_PKTS_IN: u64 packets
 *        CONENAT_MAP_A_PERMITS: nested, each a CONENAT_MAP_A_PERMIT, nested:
 *            CONENAT_PERMIT_A_ADDR, CONENAT_PERMIT_A_PORT: a remote the
 *            mapping has sent to (the filter admits its address under
 *            ADF, its address and port under APDF)
 *
 * CONENAT_CMD_FLUSH_MAP
 * ---------------------
 *
 * Removes all mappings (and their conntrack entries) of the instance named
 * by CONENAT_A_NAT_NAME.
 *
 * CONENAT_CMD_NEW_MAP, CONENAT_CMD_DEL_MAP (events)
 * -------------------------------------------------
 *
 * Not requests: sent to the multicast group CONENAT_MCGRP_EVENTS of the
 * namespace (joining it needs CAP_NET_ADMIN) when a mapping is made and
 * when it ends, what a carrier-grade NAT logs (RFC 6888 section 4): each
 * carries CONENAT_A_NAT_NAME and CONENAT_A_MAP with CONENAT_MAP_A_PROTO,
 * the internal and external endpoints and, for CONENAT_CMD_DEL_MAP,
 * CONENAT_MAP_A_EXPIRED (flag) if it timed out rather than being flushed.
 * No remotes by default: events say who held which external endpoint,
 * not whom they talked to.  An instance with CONENAT_NAT_F_EVENT_DEST
 * adds to CONENAT_CMD_NEW_MAP the destination of the flow that made the
 * mapping: CONENAT_MAP_A_DEST_ADDR and, but for ICMP, CONENAT_MAP_A_DEST_PORT.
 * The nlmsg_seq of events counts them in the namespace, one by one while
 * anyone listens: a gap is how many events a listener lost (to its full
 * receive buffer, when its recv() also fails with ENOBUFS once, or to the
 * kernel's lack of memory).
 */

#ifndef _UAPI_CONENAT_H
#define _UAPI_CONENAT_H

#include <linux/types.h>

#define CONENAT_GENL_NAME "conenat"
#define CONENAT_GENL_VERSION 1

/* Raised when a change to this API is not backwards compatible. */
#define CONENAT_API_VERSION 1

/* What CONENAT_CMD_NEW_NAT gives a setting it is not told. */
#define CONENAT_DEFAULT_PORT_MIN 1024
#define CONENAT_DEFAULT_PORT_MAX 65535
#define CONENAT_DEFAULT_UDP_TIMEOUT 300
#define CONENAT_DEFAULT_TCP_TIMEOUT 7440
#define CONENAT_DEFAULT_TCP_TRANSITORY_TIMEOUT 240
#define CONENAT_DEFAULT_ICMP_TIMEOUT 60
#define CONENAT_DEFAULT_PORT_QUARANTINE 120

#define CONENAT_MCGRP_EVENTS "events"

#define CONENAT_NAME_LEN 16
#define CONENAT_MAX_ADDRS 16

enum conenat_cmd {
	CONENAT_CMD_GET_VERSION,
	CONENAT_CMD_NEW_NAT,
	CONENAT_CMD_SET_NAT,
	CONENAT_CMD_DEL_NAT,
	CONENAT_CMD_GET_NAT,
	CONENAT_CMD_GET_MAP,
	CONENAT_CMD_FLUSH_MAP,
	CONENAT_CMD_NEW_MAP,
	CONENAT_CMD_DEL_MAP,
	__CONENAT_CMD_MAX
};

#define CONENAT_CMD_MAX (__CONENAT_CMD_MAX - 1)

/* RFC 4787 section 4.1: what a new flow's mapping is shared by. */
enum conenat_mapping_behaviour {
	CONENAT_MAPPING_EIM,	/* same internal endpoint */
	CONENAT_MAPPING_ADM,	/* ... and same remote address */
	CONENAT_MAPPING_APDM,	/* ... and same remote address and port */
	__CONENAT_MAPPING_MAX
};

#define CONENAT_MAPPING_MAX (__CONENAT_MAPPING_MAX - 1)

/* RFC 4787 section 5: who may send to a mapped external endpoint. */
enum conenat_filtering_behaviour {
	CONENAT_FILTERING_EIF,	/* anyone */
	CONENAT_FILTERING_ADF,	/* an address the mapping has sent to */
	CONENAT_FILTERING_APDF,	/* an address and port it has sent to */
	__CONENAT_FILTERING_MAX
};

#define CONENAT_FILTERING_MAX (__CONENAT_FILTERING_MAX - 1)

enum conenat_nat_flags {
	/* Inbound packets refresh a mapping too (RFC 4787 REQ-6 "MAY"). */
	CONENAT_NAT_F_INBOUND_REFRESH = 1U << 0,
	/* Never prefer the internal port: a random free one (RFC 6056). */
	CONENAT_NAT_F_PORT_RANDOM = 1U << 1,
	/* The external port has the internal port's parity (RFC 4787 REQ-4). */
	CONENAT_NAT_F_PORT_PARITY = 1U << 2,
	/* 0-1023 map to 0-1023, 1024-65535 to 1024-65535 (RFC 4787 REQ-3a). */
	CONENAT_NAT_F_RANGE_PRESERVE = 1U << 3,
	/* Refused SYNs are never answered (RFC 5382 REQ-4a). */
	CONENAT_NAT_F_SYN_SILENT = 1U << 4,
	/* Mapping events name the destination that made the mapping. */
	CONENAT_NAT_F_EVENT_DEST = 1U << 5,
	/* Translate only what CONENAT rules hand over: do not attach. */
	CONENAT_NAT_F_RULES = 1U << 6,
	__CONENAT_NAT_F_ALL = (1U << 7) - 1
};

enum conenat_attr {
	CONENAT_A_UNSPEC,
	CONENAT_A_VERSION,
	CONENAT_A_API_VERSION,
	CONENAT_A_NAT_NAME,
	CONENAT_A_NAT_IFNAME,
	CONENAT_A_NAT_ADDRS,
	CONENAT_A_NAT_PORT_MIN,
	CONENAT_A_NAT_PORT_MAX,
	CONENAT_A_NAT_MAPPING,
	CONENAT_A_NAT_FILTERING,
	CONENAT_A_NAT_UDP_TIMEOUT,
	CONENAT_A_NAT_FLAGS,
	CONENAT_A_NAT_STATS,
	CONENAT_A_MAP,
	CONENAT_A_NAT_TCP_TIMEOUT,
	CONENAT_A_NAT_TCP_TRANSITORY_TIMEOUT,
	CONENAT_A_NAT_ICMP_TIMEOUT,
	CONENAT_A_NAT_PORT_QUARANTINE,
	CONENAT_A_NAT_TCP_FILTERING,
	CONENAT_A_NAT_MAPPING_LIMIT,
	CONENAT_A_NAT_FLAGS_MASK,
	__CONENAT_A_LAST
};

#define CONENAT_A_MAX (__CONENAT_A_LAST - 1)

enum conenat_addr_attr {
	CONENAT_A_ADDR_UNSPEC,
	CONENAT_A_ADDR,
	__CONENAT_A_ADDR_LAST
};

#define CONENAT_A_ADDR_MAX (__CONENAT_A_ADDR_LAST - 1)

enum conenat_stat {
	CONENAT_STAT_UNSPEC,
	CONENAT_STAT_PAD,
	CONENAT_STAT_MAPPINGS_LIVE,	/* mappings now */
	CONENAT_STAT_MAPPINGS_CREATED,
	CONENAT_STAT_MAPPINGS_EXPIRED,	/* timed out (not flushed) */
	CONENAT_STAT_IN_PASSED,		/* inbound flows the filter let in */
	CONENAT_STAT_IN_DROPPED,	/* inbound packets the filter dropped */
	CONENAT_STAT_ALLOC_FAILED,	/* outbound flows dropped: no port */
	CONENAT_STAT_LIMIT_DROPPED,	/* ... the internal address's limit */
	CONENAT_STAT_SYN_REFUSED,	/* unsolicited SYNs answered by ICMP */
	__CONENAT_STAT_LAST
};

#define CONENAT_STAT_MAX (__CONENAT_STAT_LAST - 1)

enum conenat_map_attr {
	CONENAT_MAP_A_UNSPEC,
	CONENAT_MAP_A_PAD,
	CONENAT_MAP_A_PROTO,
	CONENAT_MAP_A_INT_ADDR,
	CONENAT_MAP_A_INT_PORT,
	CONENAT_MAP_A_EXT_ADDR,
	CONENAT_MAP_A_EXT_PORT,
	CONENAT_MAP_A_REM_ADDR,
	CONENAT_MAP_A_REM_PORT,
	CONENAT_MAP_A_EXPIRES_MS,
	CONENAT_MAP_A_PKTS_OUT,
	CONENAT_MAP_A_PKTS_IN,
	CONENAT_MAP_A_PERMITS,
	CONENAT_MAP_A_PERMIT,
	CONENAT_MAP_A_EXPIRED,
	CONENAT_MAP_A_DEST_ADDR,
	CONENAT_MAP_A_DEST_PORT,
	__CONENAT_MAP_A_LAST
};

#define CONENAT_MAP_A_MAX (__CONENAT_MAP_A_LAST - 1)

enum conenat_permit_attr {
	CONENAT_PERMIT_A_UNSPEC,
	CONENAT_PERMIT_A_ADDR,
	CONENAT_PERMIT_A_PORT,
	__CONENAT_PERMIT_A_LAST
};

#define CONENAT_PERMIT_A_MAX (__CONENAT_PERMIT_A_LAST - 1)

/*
 * The netfilter target "CONENAT", revision 0, for IPv4, in iptables' "nat"
 * table or in "type nat" chains of the nftables table "ip conenat" (which
 * conectl manages for instances with CONENAT_NAT_F_RULES), at PREROUTING
 * (inbound flows) and POSTROUTING (outbound flows).  It names an instance
 * of the rule's network namespace, found when each flow begins: a rule
 * may name an instance that does not exist (yet), and until it does the
 * rule passes packets on as if it were not there, so a saved ruleset can
 * be restored at boot before conenat's configuration is.  Packets it does
 * not translate continue (XT_CONTINUE), except those the filtering
 * behaviour refuses and those that find no free external port, which are
 * dropped.  A name that could not be an instance's is refused (-EINVAL).
 */
struct xt_conenat_info {
	char name[CONENAT_NAME_LEN];	/* NUL-terminated */
	__u32 flags;			/* must be 0 */
};

#endif /* _UAPI_CONENAT_H */
