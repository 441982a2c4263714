# SPDX-License-Identifier: MIT
# scatman: one multicall binary. "make" builds ./scatman against the
# system's libraries; "make static" builds ./scatman-static with musl and
# the libraries built from vendor/ recipes; "make check" runs the tests.
-include config.mk

CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := $(shell cat VERSION 2>/dev/null || git describe --tags --always --dirty 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -std=gnu11 \
	-DSCATMAN_VERSION='"$(VERSION)"' -MMD -MP
LIBS ?= -lcurl -lz -lzstd -lcjson -lbearssl -lpthread

SRCS := $(sort $(wildcard core/*.c applets/*.c))
OBJDIR ?= build/dyn
OBJS := $(SRCS:%.c=$(OBJDIR)/%.o)
BIN ?= scatman

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all static check demo bench clean distclean unit man

# "make STATIC=1" is "make static".
ifeq ($(STATIC),1)
all: static
else
all: $(BIN)
endif

$(BIN): $(OBJS) $(LINK_DEPS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

-include $(OBJS:.o=.d)

# Static build: musl-gcc and the libraries built by vendor/build.sh (cached
# in vendor/prefix); the vendor headers count as system headers, and unused
# sections are dropped at link time. The result is stripped. musl gives new
# threads 128 KiB of stack unless the binary asks for more (PT_GNU_STACK):
# ask for 2 MiB, as the pull workers keep 64 KiB buffers on theirs.
VENDOR_PREFIX := $(CURDIR)/vendor/prefix
STATIC_BIN ?= scatman-static
STATIC_OBJDIR ?= build/static
STATIC_LDFLAGS := -static -s -Wl,--gc-sections -Wl,-z,stack-size=2097152 \
	-L$(VENDOR_PREFIX)/lib
static:
	$(Q)./vendor/build.sh
	$(Q)$(MAKE) --no-print-directory BIN=$(STATIC_BIN) \
		OBJDIR=$(STATIC_OBJDIR) CC=musl-gcc \
		CPPFLAGS="-isystem $(VENDOR_PREFIX)/include -ffunction-sections -fdata-sections" \
		LDFLAGS="$(STATIC_LDFLAGS)" \
		LIBS="-lcurl -lbearssl -lz -lzstd -lcjson -lpthread" \
		LINK_DEPS=$(VENDOR_PREFIX)/.stamp $(STATIC_BIN)

ifeq ($(STATIC),1)
CHECK_BIN := $(STATIC_BIN)
CHECK_DEP := static
else
CHECK_BIN := scatman
CHECK_DEP := $(BIN)
endif

# Unit tests: one TAP binary per core module, linked with the core objects.
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)

build/unit/%: tests/unit/%.c $(OBJS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Wno-error=unused-function -o $@ $< \
		$(filter-out $(OBJDIR)/core/main.o,$(OBJS)) $(LIBS)

unit: $(UNIT_BINS)

check: $(CHECK_DEP) unit
	SCATMAN_BIN=$(CURDIR)/$(CHECK_BIN) ./tests/run.sh

demo: $(BIN)
	SCATMAN_BIN=$(CURDIR)/$(BIN) ./scripts/demo

bench: $(BIN)
	./scripts/bench

man: $(BIN)
	SCATMAN_BIN=$(CURDIR)/$(BIN) ./scripts/gen-man build/man

clean:
	rm -rf build scatman scatman-static

distclean: clean
	rm -rf vendor/build vendor/prefix
