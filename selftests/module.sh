#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's life cycle and the generic netlink family:
#
#   load -> namespaces come and go -> unload, twenty times
#   resolve "conenat" in a fresh netns       -> the family answers there
#   resolve "conenat" with the module absent -> the kernel loads it
#   conectl version, loaded / absent / unprivileged / own user namespace

. "$(dirname "$0")/lib.sh"
require_root_and_module

version=$(sed -n 's/#define CONENAT_VERSION "\(.*\)"/\1/p' "$TOP/kmod/version.h")

# Plain ip netns, in batches: twenty cycles under TCG add up.
cycle_with_namespaces() {
	local i
	for i in $(seq 20); do
		modprobe conenat || { echo "load $i failed"; return 1; }
		ip -b - <<< $'netns add cycle-a\nnetns add cycle-b' || return 1
		ip netns exec cycle-a conectl version > /dev/null ||
			{ echo "cycle $i: no family in a new netns"; return 1; }
		ip -b - <<< $'netns add cycle-c\nnetns del cycle-a' || return 1
		# Unload with namespaces alive: their state must go too.
		rmmod conenat || { echo "unload $i failed with namespaces alive"; return 1; }
		ip -b - <<< $'netns del cycle-b\nnetns del cycle-c' || return 1
	done
	modprobe conenat
}

fresh_netns_has_family() {
	local ns
	setup_ns ns || return 1
	ip netns exec "$ns" conectl version | grep -q "conenat module $version"
	local rc=$?
	cleanup_ns "$ns"
	return "$rc"
}

autoloads() {
	rmmod conenat || return 1
	conectl version > /dev/null || return 1
	grep -q '^conenat ' /proc/modules
}

version_when_loaded() {
	local out
	out=$(conectl version) || return 1
	grep -qx "conectl $version" <<< "$out" &&
		grep -q "^conenat module $version (API [0-9]*)$" <<< "$out" &&
		conectl -j version | grep -qx "{\"conectl\":\"$version\",\"module\":\"$version\",\"api\":[0-9]*}"
}

version_when_absent() {
	rmmod conenat || return 1
	without_autoload fails_with '^conectl: the conenat module is not loaded' conectl version
	local rc=$?
	modprobe conenat
	return "$rc"
}

unprivileged_refused() {
	fails_with 'CAP_NET_ADMIN' \
		setpriv --reuid=65534 --regid=65534 --clear-groups conectl version
}

# CAP_NET_ADMIN over the namespace is enough: an unprivileged user who owns
# a user namespace may configure that namespace's network.
own_user_namespace_allowed() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net conectl version > /dev/null
}

ktap_print_header
ktap_set_plan 7
check "load and unload x20, namespaces created and destroyed while loaded" cycle_with_namespaces
check "genl family answers in a fresh netns" fresh_netns_has_family
check "resolving the family loads the module" autoloads
check "conectl version prints the tool and module versions (text, JSON)" version_when_loaded
check "conectl version without the module: one-line error, exit 1" version_when_absent
check "unprivileged user refused" unprivileged_refused
check "root of an own user namespace allowed" own_user_namespace_allowed
ktap_finished
