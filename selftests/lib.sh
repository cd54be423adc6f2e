#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by conenat's selftests: the kernel's KTAP and netns helpers, plus
# checks that turn a command into one KTAP result.

KSFT_DIR=${KSFT_DIR:-$("$(dirname "${BASH_SOURCE[0]}")/../scripts/linux-source")/tools/testing/selftests}
# shellcheck source=/dev/null
. "$KSFT_DIR/kselftest/ktap_helpers.sh"
# shellcheck source=/dev/null
. "$KSFT_DIR/net/lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

skip_all() {
	ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

require_root_and_module() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	command -v conectl > /dev/null || skip_all "conectl not on PATH (build userspace/)"
	grep -q '^conenat ' /proc/modules || modprobe conenat 2> /dev/null ||
		skip_all "conenat.ko not loaded and not loadable (run under selftests/vm/run)"
}

# require_tool COMMAND PACKAGE: scripts/setup installs it, so a missing one
# is a failure of the whole file, not a skip.
require_tool() {
	command -v "$1" > /dev/null && return
	ktap_print_header
	ktap_set_plan 1
	ktap_test_fail "$1 missing (scripts/setup installs $2)"
	exit "$KSFT_FAIL"
}

# check DESCRIPTION COMMAND...: one KTAP result; the command's output is
# shown as diagnostics when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_test_pass "$desc"
	else
		[ -n "$out" ] && sed 's/^/# /' <<< "$out"
		ktap_test_fail "$desc"
	fi
}

# Run a command with the kernel's module autoloading disabled.
without_autoload() {
	local saved rc
	saved=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false > /proc/sys/kernel/modprobe
	"$@"
	rc=$?
	echo "$saved" > /proc/sys/kernel/modprobe
	return "$rc"
}

# fails_with PATTERN COMMAND...: the command must fail with nothing on
# stdout and exactly one line on stderr matching the extended regex.
fails_with() {
	local pattern=$1 err rc
	shift
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "succeeded, expected failure: $*"
		return 1
	fi
	if [ -n "$("$@" 2>/dev/null)" ]; then
		echo "printed to stdout on failure: $*"
		return 1
	fi
	if [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] ||
	   ! grep -qE -- "$pattern" <<< "$err"; then
		echo "stderr is not one line matching '$pattern': $err"
		return 1
	fi
}
