# SPDX-License-Identifier: GPL-2.0
#
# edgeai top-level Makefile: it only dispatches to the parts.
#
#   make               build everything (module, BPF, library, daemon, CLI)
#   make check         install deps, build, run every test lane
#   make demo          install deps, build, run the demo (in a VM if needed)
#   make help          list all targets and variables
#
# Variables: V=1 (show commands), KDIR=<kernel build dir>, O=<build dir>,
# KW=<kernel W= level, default 1>, LANES="uapi unit bpf vm" for check.

SRCROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
O ?= $(SRCROOT)/build
export O V

# The running kernel's build tree when it has one, else the newest installed
# Debian 6.1 headers (what the VM boots).
KDIR ?= $(shell KDIR= $(SRCROOT)/scripts/kdir.sh)
KW ?= 1
LANES ?=
TIMEOUT ?=

# Sub-makes use every CPU unless make was given a -j (-j1 included): the
# parts' makefiles are parallel-safe (make -j8 tests on clean clones).
NPROC := $(shell nproc 2>/dev/null || echo 1)
JOBS = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(NPROC))
SUBMAKE = $(MAKE) $(JOBS) --no-print-directory -f

all: kmod bpf userspace tools

kmod:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "No kernel build dir (KDIR='$(KDIR)'): run scripts/deps.sh or pass KDIR=" >&2; \
		exit 1; fi
	$(Q)$(MAKE) $(JOBS) -C $(KDIR) M=$(SRCROOT) W=$(KW) $(if $(V),V=$(V)) modules

bpf:
	+$(Q)$(SUBMAKE) $(SRCROOT)/bpf/Makefile

userspace:
	+$(Q)$(SUBMAKE) $(SRCROOT)/userspace/Makefile

tools: userspace bpf
	+$(Q)$(SUBMAKE) $(SRCROOT)/tools/Makefile

tests: all
	+$(Q)$(SUBMAKE) $(SRCROOT)/examples/demo/demo.mk
	+$(Q)$(SUBMAKE) $(SRCROOT)/userspace/Makefile SAN=1
	+$(Q)$(SUBMAKE) $(SRCROOT)/tests/Makefile
	+$(Q)$(SUBMAKE) $(SRCROOT)/bench/Makefile

deps:
	$(Q)$(SRCROOT)/scripts/deps.sh

check: deps
	$(Q)$(MAKE) $(JOBS) --no-print-directory tests
	$(Q)$(SRCROOT)/tests/run $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(LANES)

bench: deps
	$(Q)$(MAKE) $(JOBS) --no-print-directory all
	+$(Q)$(SUBMAKE) $(SRCROOT)/bench/Makefile
	$(Q)QUICK=$(QUICK) $(SRCROOT)/bench/run

lint: deps
	$(Q)$(SRCROOT)/scripts/checkpatch.sh

# libFuzzer harnesses of tests/fuzz/, each for FUZZ_SECONDS on a copy of its
# corpus in $(O)/fuzz/corpus/; crashes land in $(O)/fuzz/crashes/.
FUZZ_SECONDS ?= 60
fuzz:
	+$(Q)$(SUBMAKE) $(SRCROOT)/tests/fuzz/Makefile
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) $(SRCROOT)/tests/fuzz/run.sh

# The demo: build, train its models (examples/demo/demo.mk: generated data,
# edgeaictl model train, into $(O)/demo/), run scripts/demo.sh for
# DEMO_SECONDS (default 30) natively or in the VM.
demo: deps
	$(Q)$(MAKE) $(JOBS) --no-print-directory all
	+$(Q)$(SUBMAKE) $(SRCROOT)/examples/demo/demo.mk
	$(Q)$(SRCROOT)/scripts/demo.sh

PREFIX ?= /usr/local
DESTDIR ?=
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/edgeai \
		$(DESTDIR)$(PREFIX)/include/linux \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(O)/edgeaictl $(O)/edgeai-sensorgen $(O)/edgeai-results \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(O)/edgeaid $(DESTDIR)$(PREFIX)/sbin/
	cp -P $(O)/lib/libedgeai.so* $(O)/lib/libedgeai.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 include/edgeai/*.h $(DESTDIR)$(PREFIX)/include/edgeai/
	install -m 0644 include/uapi/linux/edgeai.h \
		include/uapi/linux/edgeai_netlink.h $(DESTDIR)$(PREFIX)/include/linux/
	install -m 0644 tools/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 tools/man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 0644 tools/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 tools/completion/edgeaictl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/edgeaictl
	install -D -m 0755 tools/onnx/edgeai-onnx-convert $(DESTDIR)$(PREFIX)/libexec/edgeai/edgeai-onnx-convert

modules_install: kmod
	$(Q)$(MAKE) -C $(KDIR) M=$(SRCROOT) modules_install

clean:
	-$(Q)[ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ] || \
		$(MAKE) -C $(KDIR) M=$(SRCROOT) clean
	rm -rf $(O)

help:
	@echo 'Targets:'
	@echo '  all (default)    module, BPF objects + skeletons, libedgeai, edgeaid, edgeaictl'
	@echo '  kmod bpf userspace tools   one part only'
	@echo '  check            scripts/deps.sh, build, then every test lane (tests/run)'
	@echo '  lint             checkpatch.pl --strict on kmod/ and the UAPI header'
	@echo '  fuzz             run each libFuzzer harness (tests/fuzz/) FUZZ_SECONDS; crashes in build/fuzz/crashes/'
	@echo '  bench            benchmarks vs baselines; results in bench/results/'
	@echo '                   (QUICK=1: < 2 min smoke run into build/bench/results/)'
	@echo '  demo             scripts/deps.sh, build, train the demo models, scripts/demo.sh'
	@echo '                   (DEMO_SECONDS=N: stream length, default 30)'
	@echo '  install          binaries, library, headers, man pages under PREFIX'
	@echo '  modules_install  the kernel module into /lib/modules'
	@echo '  deps             install the Debian packages everything needs'
	@echo '  clean            remove build outputs'
	@echo 'Variables:'
	@echo '  V=1              show every command'
	@echo '  KDIR=DIR         kernel build dir (now: $(KDIR))'
	@echo '  KW=N             kernel extra-warning level W= (default 1)'
	@echo '  O=DIR            userspace build dir (default: build/)'
	@echo '  LANES="..."      lanes for check: lint uapi unit bpf vm vmdebug (default: all)'
	@echo '  TIMEOUT=SEC      per-test timeout for check'
	@echo '  FUZZ_SECONDS=N   seconds per harness for fuzz (default 60)'
	@echo '  PREFIX, DESTDIR  for install'

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all kmod bpf userspace tools tests deps check bench lint demo install \
	modules_install clean help fuzz
