# SPDX-License-Identifier: GPL-2.0
#
# Shared by every userspace Makefile: paths, flags, quiet/verbose output.
# Included as: include $(dir $(lastword $(MAKEFILE_LIST)))../scripts/build.mk
#
#   V=1     show every command
#   SAN=1   build with AddressSanitizer + UndefinedBehaviorSanitizer into
#           $(BUILD)/asan (used by the unit lane of `make check`)
#   O=DIR   build directory (default: <repo>/build)

SRCROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
O ?= $(SRCROOT)/build
ifeq ($(SAN),1)
BUILD := $(abspath $(O))/asan
else
BUILD := $(abspath $(O))
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-9s %s\n' '$(1)' '$(patsubst $(SRCROOT)/%,%,$(2))';
endif

VERSION := $(shell cat $(SRCROOT)/VERSION)
CC ?= cc
CXX ?= c++
AR ?= ar
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

OPTFLAGS ?= -O2 -g
WARNFLAGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	     -Wmissing-prototypes -Wno-unused-parameter
EDGEAI_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPTFLAGS) $(WARNFLAGS) \
	-I$(SRCROOT)/include -I$(SRCROOT)/include/uapi -MMD -MP \
	-DEDGEAI_LIB_VERSION='"$(VERSION)"'
EDGEAI_LDFLAGS :=

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
EDGEAI_CFLAGS += $(SANFLAGS)
EDGEAI_LDFLAGS += $(SANFLAGS)
endif

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1))

LIBEDGEAI_A := $(BUILD)/lib/libedgeai.a
LIBEDGEAI_SO := $(BUILD)/lib/libedgeai.so
# What a program linking libedgeai.a also links (the .so records it itself).
LIBEDGEAI_LIBS = $(call pkg_libs,json-c liburing) -lm

# Makefiles with their own object rules (bpf/) set NO_C_RULE first.
ifndef NO_C_RULE
$(BUILD)/%.o: $(SRCROOT)/%.c $(SRCROOT)/VERSION
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(EDGEAI_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@
endif
