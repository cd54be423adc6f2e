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
 * Attributes are validated strictly: unknown attributes, attributes of the
 * wrong type or length and values out of range are refused with -EINVAL
 * and an extended ACK message naming the attribute, and nothing changes.
 *
 * CONENAT_CMD_GET_VERSION
 * -----------------------
 *
 * Takes no attributes.  Replies with a CONENAT_CMD_GET_VERSION message:
 *
 *    CONENAT_A_VERSION: NUL-terminated string, the module's version
 *    CONENAT_A_API_VERSION: u32, CONENAT_API_VERSION of the module
 */

#ifndef _UAPI_CONENAT_H
#define _UAPI_CONENAT_H

#define CONENAT_GENL_NAME "conenat"
#define CONENAT_GENL_VERSION 1

/* Raised when a change to this API is not backwards compatible. */
#define CONENAT_API_VERSION 1

enum conenat_cmd {
	CONENAT_CMD_GET_VERSION,
	__CONENAT_CMD_MAX
};

#define CONENAT_CMD_MAX (__CONENAT_CMD_MAX - 1)

enum conenat_attr {
	CONENAT_A_UNSPEC,
	CONENAT_A_VERSION,
	CONENAT_A_API_VERSION,
	__CONENAT_A_LAST
};

#define CONENAT_A_MAX (__CONENAT_A_LAST - 1)

#endif /* _UAPI_CONENAT_H */
