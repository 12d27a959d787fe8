# SPDX-License-Identifier: GPL-2.0
#
# make            module (against KDIR) and userspace programs
# make check      everything the README promises, in guest kernels
# make check-debug the selftests in a KASAN/lockdep/kmemleak kernel (slow)
# make lint       checkpatch --strict on kmod/ and include/, the netlink spec
# make fuzz       the daemon's parsers under libFuzzer (FUZZ_SECONDS each)
# make deps       install what the build and the tests need (Debian)
# make bench      the benchmark, in a guest kernel; writes BENCHMARKS.md

# The running kernel's build dir if it has one, else the newest headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))
# Kernels the guest tests boot: every installed 6.1 and 6.12.
KVERS ?= $(notdir $(patsubst %/build,%,$(sort $(wildcard \
	/lib/modules/6.1.*/build /lib/modules/6.12.*/build))))

BUILD := build
CC ?= cc
PKGS := libnl-3.0 libnl-genl-3.0 libnetfilter_conntrack
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS += -Iinclude -Iinclude/uapi -Iuserspace/lib

LIB_SRC := $(wildcard userspace/lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/ctipfixd/*.c))
CTL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/ctipfixctl/*.c))
PROGS := userspace/ctipfixd/ctipfixd userspace/ctipfixctl/ctipfixctl
KSRC := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/Kbuild include/*.h include/uapi/linux/*.h)

.PHONY: all module userspace guest-modules selftest-progs unit lint fuzz check check-debug run-checks deps demo run-demo bench run-bench clean
all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace: $(PROGS)

$(BUILD)/%.o: %.c $(wildcard userspace/*/*.h include/*.h include/uapi/linux/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

userspace/ctipfixd/ctipfixd: $(DAEMON_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

userspace/ctipfixctl/ctipfixctl: $(CTL_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# The build dir of guest kernel $(1): Debian's headers, or the objects of
# the debug kernel (tests/debug/kernel.sh).
guest_kdir = $(firstword $(wildcard $(CURDIR)/$(BUILD)/$(1)/kernel/obj) \
	/lib/modules/$(1)/build)

# One copy of the module source per guest kernel, so builds do not collide;
# the harness's test-only WARN module beside it.
$(BUILD)/%/kmod/ctipfix.ko: $(KSRC)
	@mkdir -p $(BUILD)/$*/kmod
	cp -r Kbuild include $(BUILD)/$*/
	cp kmod/*.[ch] kmod/Kbuild $(BUILD)/$*/kmod/
	$(MAKE) -C $(call guest_kdir,$*) M=$(CURDIR)/$(BUILD)/$* W=1 modules
	@mkdir -p $(BUILD)/$*/warn
	cp -r tests/qemu/warn/*.c tests/qemu/warn/Kbuild $(BUILD)/$*/warn/
	$(MAKE) -C $(call guest_kdir,$*) M=$(CURDIR)/$(BUILD)/$*/warn modules

guest-modules: $(KVERS:%=$(BUILD)/%/kmod/ctipfix.ko)

# C programs the guest selftests run, built here on the host.
selftest-progs:
	tests/selftests/progs/build.sh

# The selftests in a kernel built with KASAN, lockdep, atomic-sleep checks
# and kmemleak (tests/debug/): slow under TCG, so not part of check or CI.
check-debug:
	tests/install-deps.sh --debug-kernel
	$(MAKE) all selftest-progs
	$(MAKE) $(BUILD)/$$(tests/debug/kernel.sh)/kmod/ctipfix.ko
	tests/debug/check.sh

unit: userspace
	tests/unit/run.sh

lint:
	tests/lint.sh

fuzz:
	tests/fuzz/run.sh

deps:
	tests/install-deps.sh

# Sub-makes, so that kernels installed by deps are seen (KVERS, KDIR).
check: deps
	$(MAKE) all guest-modules selftest-progs
	$(MAKE) run-checks

run-checks:
	tests/check.sh $(KVERS)

demo: deps
	$(MAKE) all guest-modules
	$(MAKE) run-demo

run-demo:
	tests/demo.sh $(lastword $(KVERS))

# Every configuration side by side in one guest run; table in BENCHMARKS.md.
bench: deps
	$(MAKE) all guest-modules selftest-progs
	$(MAKE) run-bench

run-bench:
	tests/bench/run.sh $(firstword $(KVERS))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) $(PROGS)
