#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, end to end (KTAP, on the host, as root):
#
#   make deb (scripts/deb)       -> conenat_V_ARCH.deb, conenat-dkms_V_all.deb
#   lintian --pedantic           -> nothing to report
#   a throwaway root             -> this machine's / under an overlay, with
#                                   /lib/modules holding the 6.1 and 6.12
#                                   test kernels' trees and headers
#     dpkg -i both               -> DKMS builds and installs conenat.ko for
#                                   both kernels, the tools land in /usr
#     systemd-analyze verify     -> the installed units are sound
#   a guest per kernel           -> the DKMS-built module loads, and the
#                                   installed conectl reports its version
#
# The throwaway root lives in a private mount namespace: nothing of the
# install reaches this machine's own dpkg database or /lib/modules.  It is
# under the cache, not /tmp, because the guest sees the host's /tmp hidden
# under its own.
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CONENAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/conenat}
. "$("$top/scripts/linux-source")/tools/testing/selftests/kselftest/ktap_helpers.sh"
kernels=(6.1 6.12)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)

# package.sh --install-root WORK DEB...: in a private mount namespace, the
# root (upper/, and modules/ for /lib/modules) in WORK, then dpkg -i.
install_root() {
	local work=$1 s lowers=()
	shift
	for s in "${kernels[@]}"; do
		eval "$("$top/scripts/kernel" "$s")" || return 1
		lowers+=("$ROOT/lib/modules")
		echo "$KVER" > "$work/kver-$s"
	done
	mkdir -p "$work"/{upper,wk,root,modules,mwk}
	mount -t overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/wk" overlay "$work/root" &&
	mkdir -p "$work/root/lib/modules" &&
	mount -t overlay overlay "$work/root/lib/modules" -o \
		"lowerdir=$(IFS=:; echo "${lowers[*]}"),upperdir=$work/modules,workdir=$work/mwk" &&
	# The test kernels' trees hold the runner's build of this checkout in
	# updates/; a gateway has none.  (One left by "make install" would
	# make DKMS keep it: "exactly matches ... will not replace".)
	rm -f "$work/root/lib/modules"/*/updates/conenat.ko &&
	mount --rbind /proc "$work/root/proc" &&
	mount --rbind /dev "$work/root/dev" &&
	mount --rbind /sys "$work/root/sys" &&
	mount -t tmpfs tmpfs "$work/root/tmp" || return 1
	cp "$@" "$work/root/tmp/"
	chroot "$work/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		sh -c 'dpkg -i /tmp/*.deb && dkms status conenat' || return 1
	# The units as installed: their commands, man pages and settings.
	chroot "$work/root" systemd-analyze verify conenat.service coned.service \
		> "$work/verify.log" 2>&1
	echo $? > "$work/verify.rc"
}
if [ "$1" = --install-root ]; then
	shift
	install_root "$@"
	exit
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/package.XXXXXX")
trap 'rm -rf "$work"' EXIT

result() {
	local desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}
# The log of a failed step, for whoever reads the KTAP.
show() { sed 's/^/#   /' "$1" | tail -n "${2:-25}"; }

ktap_print_header
ktap_set_plan $((5 + 2 * ${#kernels[@]}))

# --- build ---
build() {
	"$top/scripts/deb" "$work/debs" > "$work/deb.out" 2> "$work/deb.log" || {
		show "$work/deb.log"
		return 1
	}
	dkms_deb=$work/debs/conenat-dkms_${version}_all.deb
	tools_deb=$work/debs/conenat_${version}_$(dpkg --print-architecture).deb
	[ -f "$dkms_deb" ] && [ -f "$tools_deb" ]
}
result "make deb builds conenat and conenat-dkms $version" build

lint() {
	lintian --pedantic -I --fail-on error,warning,info,pedantic \
		"$dkms_deb" "$tools_deb" > "$work/lintian.log" 2>&1 ||
		{ show "$work/lintian.log"; return 1; }
}
result "lintian --pedantic reports nothing on either package" lint

# The maintainer scripts must not stop, restart or unload anything: an
# upgrade on a running gateway keeps its instances and their mappings
# until the admin reloads the module or restarts the machine.
keeps_running() {
	local deb dir=$work/control bad=0
	for deb in "$dkms_deb" "$tools_deb"; do
		rm -rf "$dir"
		dpkg-deb -e "$deb" "$dir"
		if cat "$dir"/*inst "$dir"/*rm 2>/dev/null | grep -v '^ *#' |
			grep -E 'rmmod|modprobe|deb-systemd-invoke|systemctl.*(start|stop|restart)' \
			> "$work/scripts.log"; then
			echo "# $(basename "$deb"):"
			show "$work/scripts.log"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}
result "the maintainer scripts neither unload the module nor stop conenat.service" keeps_running

# --- install into a throwaway root ---
installs() {
	unshare -m --propagation private "$0" --install-root "$work" "$dkms_deb" "$tools_deb" \
		> "$work/install.log" 2>&1 || { show "$work/install.log" 40; return 1; }
	local s
	for s in "${kernels[@]}"; do
		grep -q "^conenat/$version, $(cat "$work/kver-$s"), x86_64: installed" "$work/install.log" ||
			{ echo "# no DKMS install for $(cat "$work/kver-$s")"; show "$work/install.log" 40; return 1; }
	done
	[ -x "$work/upper/usr/sbin/conectl" ]
}
result "dpkg -i installs both, and DKMS builds conenat.ko for ${kernels[*]}" installs

units_verify() {
	[ "$(cat "$work/verify.rc" 2>/dev/null)" = 0 ] && ! [ -s "$work/verify.log" ] ||
		{ show "$work/verify.log"; return 1; }
}
result "systemd-analyze verify accepts the installed conenat.service and coned.service" units_verify

# --- a guest per kernel: the installed module and the installed conectl ---
for s in "${kernels[@]}"; do
	kver=$(cat "$work/kver-$s" 2>/dev/null)
	# 6.12's modules are xz-compressed, and so is what DKMS installs there.
	ko=$work/conenat-$s.ko
	for f in "$work/modules/$kver/updates/dkms/conenat.ko"{,.xz}; do
		[ -f "$f" ] || continue
		case $f in
		*.xz) xz -dc "$f" > "$ko" ;;
		*) cp "$f" "$ko" ;;
		esac
	done
	have_ko() {
		[ -f "$ko" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] &&
			[ "$(modinfo -F version "$ko")" = "$version" ]
	}
	result "DKMS's conenat.ko for $kver is built for it, version $version" have_ko

	runs() {
		[ -f "$ko" ] || return 1
		"$top/selftests/vm/run" --kernel "$s" --module "$ko" -- sh -c \
			"cat /sys/module/conenat/srcversion; $work/upper/usr/sbin/conectl version" \
			> "$work/vm.log" 2>&1 || { show "$work/vm.log"; return 1; }
		local want
		want=$(printf '%s\n' "$(modinfo -F srcversion "$ko")" "conectl $version" \
			"conenat module $version (API 1)")
		grep -v -e '^selftests/vm/run' -e 'Skipping BTF' "$work/vm.log" | tr -d '\r' |
			grep -A2 -x "$(modinfo -F srcversion "$ko")" > "$work/got"
		[ "$(cat "$work/got")" = "$want" ] ||
			{ echo "# want:"; echo "$want" | sed 's/^/#   /'; echo "# got:"; show "$work/vm.log"; return 1; }
	}
	result "$s: the installed conectl talks to DKMS's module: conectl version" runs
done
ktap_finished
