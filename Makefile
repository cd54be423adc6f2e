# SPDX-License-Identifier: GPL-2.0
#
#   make                  module for KDIR and the userspace tools
#   make KDIR=DIR         module for another kernel's build tree
#   make W=1              kernel build with extra warnings
#   make check            unit tests on the host, kselftests in a VM per kernel
#   make check-debug      kselftests on a KASAN/lockdep/kmemleak 6.12 kernel
#                         (built once, about 30 min: Documentation/testing.md)
#   make demo             the seed's tables played through conenat in a VM
#   make bench            conenat against masquerade in a VM (Documentation/performance.md)
#   make bench-turn       coned's TURN relay against coturn, on the host (Documentation/turn.md)
#   make checkpatch       checkpatch.pl --strict on kmod/ and include/
#   make sparse           sparse (C=2) over the module
#   make install          modules_install and the tools into PREFIX
#   make deb              Debian packages conenat and conenat-dkms into debs/
#   make setup            install what the build and tests need (Debian)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE ?= $(or $(CONENAT_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/conenat)
PREFIX ?= /usr/local
DESTDIR ?=
KERNELS ?= 6.1 6.12

# The running kernel's build tree when present, else the newest installed
# Debian headers, else the newest cached test kernel.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))) \
	$(lastword $(sort $(wildcard $(CACHE)/kernels/*/root/usr/src/linux-headers-*-amd64))))

.PHONY: all module tools check check-debug unit kselftest demo bench bench-turn checkpatch sparse \
	install deb setup clean

all: module tools

module:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers-amd64, run 'make setup' or pass KDIR=" >&2; exit 1; }
	cp "$$($(TOP)/scripts/build-module $(KDIR) $(if $(W),W=$(W)))" $(TOP)/conenat.ko

tools:
	$(MAKE) -C $(TOP)/userspace

check: tools
	$(TOP)/selftests/check $(KERNELS)

check-debug: tools
	$(TOP)/selftests/check --debug

demo: tools
	$(MAKE) -C $(TOP)/selftests all
	$(TOP)/selftests/vm/run -- $(TOP)/selftests/demo.sh

bench: tools
	$(TOP)/bench/run

bench-turn: tools
	$(TOP)/bench/turn.sh

checkpatch:
	$(TOP)/scripts/checkpatch

sparse:
	$(TOP)/scripts/build-module $(KDIR) C=2 >/dev/null

install: all
	install -D -m 0644 $(TOP)/conenat.ko \
		$(DESTDIR)/lib/modules/$$(make -s -C $(KDIR) kernelrelease)/updates/conenat.ko
	test -n "$(DESTDIR)" || depmod -a $$(make -s -C $(KDIR) kernelrelease)
	$(MAKE) -C $(TOP)/userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

deb:
	$(TOP)/scripts/deb

setup:
	$(TOP)/scripts/setup

clean:
	rm -rf $(CACHE)/build $(TOP)/conenat.ko
	$(MAKE) -C $(TOP)/userspace clean
	$(MAKE) -C $(TOP)/selftests clean
