# kvmstub — build, test, demo, benchmarks.
#
#   make               ./kvmstub (gcc -O2 -g -Wall -Wextra -Werror; libc and pthreads only)
#   make SANITIZE=1    build/san/kvmstub with AddressSanitizer + UndefinedBehaviorSanitizer
#   make test          install test tools if missing, build, run every test (tests/run.sh)
#   make test-hwhost   only the hardware-host lane: tests inside a VM whose /dev/kvm is kvm_amd
#   make demo          build, then debug the built-in demo guest with gdb end to end
#   make bench         kvmstub against QEMU+KVM, side by side
#   make fuzz          run each libFuzzer target for a bounded time
#   make format        clang-format the tree;  make lint: format check + cppcheck
#   make install       the binary, man page, README and gdb helper under $(DESTDIR)$(PREFIX)
#                      (PREFIX=/usr/local); make uninstall removes exactly those

ifeq ($(origin CC),default)
CC      := gcc
endif
CSTD    := -std=gnu11
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
CPPFLAGS += -I. -D_GNU_SOURCE
LDLIBS  += -pthread

# One short line per step (CC vm/vcpu.o); make V=1 shows the full commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-5s %s\n'
endif

ifeq ($(SANITIZE),1)
BUILD   := build/san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BIN     := $(BUILD)/kvmstub
else
BUILD   := build/release
BIN     := kvmstub
endif

# The version --version prints, with the git commit of the build (see VERSION_C below).
VERSION   := 0.1.0

LIB_SRCS  := $(sort $(wildcard base/*.c cli/*.c stub/*.c loader/*.c vm/*.c vm/x86/*.c vm/dev/*.c debug/*.c guest/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/kvmstub.o
LIB       := $(BUILD)/libkvmstub.a
# Unit tests (tests/unit: pure logic, the protocol over a fake target) and VM tests (tests/vm:
# vm/ in one process on real KVM) build alike: one binary per test_*.c, linked with the helpers.
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c tests/vm/test_*.c))
UNIT_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(UNIT_SRCS)))
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c tests/vm/*.c))
UNIT_HELPER_OBJS := $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

GUEST_ASM := $(sort $(wildcard guest/*.asm))
GUESTS    := $(GUEST_ASM:guest/%.asm=build/guest/%.img)

.PHONY: all unit guests test demo bench fuzz format lint clean help install uninstall FORCE test-hwhost
all: $(BIN)

# The git commit --version names: `git describe --always --dirty` when the source is the top
# of a git checkout (a tarball unpacked inside some other checkout is not), written to
# VERSION_C only when it changed: a new HEAD (or a tree turned dirty) recompiles that one file
# and relinks, nothing else.
VERSION_C := $(BUILD)/gen/version.c
VERSION_O := $(BUILD)/gen/version.o
GIT_COMMIT := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
                git describe --always --dirty 2>/dev/null)
VERSION_TEXT := const char kvmstub_version[] = "$(VERSION)";\nconst char kvmstub_commit[] = \
                "$(or $(GIT_COMMIT),unknown commit: not built from a git checkout)";\n

$(VERSION_C): FORCE
	@mkdir -p $(dir $@)
	@printf '$(VERSION_TEXT)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(VERSION_O): $(VERSION_C) cli/version.h
	$(quiet) CC gen/version.o
	$(Q)$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) -include cli/version.h -c -o $@ $<

$(BIN): $(MAIN_OBJ) $(VERSION_O) $(LIB)
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
ifeq ($(SANITIZE),1)
	@echo "sanitizer build: $(BIN)"
endif

$(LIB): $(LIB_OBJS)
	$(quiet) AR $@
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $*.o
	$(Q)$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

vpath test_%.c tests/unit tests/vm
$(BUILD)/tests/%: %.c $(UNIT_HELPER_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(quiet) CCLD $@
	$(Q)$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -MMD -MP -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS)

unit: $(UNIT_BINS)

# The test helpers (fake target, harness) are shared by every test binary: keep their objects.
.SECONDARY: $(UNIT_HELPER_OBJS)

# Test guests are assembled with nasm (a test-time tool; the build of kvmstub itself does not
# need it). Each guest/NAME.asm says how it is built on its first line: "; build: bin|elf32|elf64"
# and, for ELF, "; link: ADDR" (the address of .text).
build/guest/%.img: guest/%.asm guest/build-guest.sh $(wildcard guest/*.inc)
	@mkdir -p build/guest
	$(quiet) NASM $@
	$(Q)sh guest/build-guest.sh $< $@

# guest/multiboot_elf64.asm is guest/multiboot.asm in an ELF64 container.
build/guest/multiboot_elf64.img: guest/multiboot.asm

guests: $(GUESTS)

# Both builds, whatever SANITIZE says: the suite runs with each (the sanitized pass leaves out
# only the Linux boots, see README).
test:
	@sh tests/install-deps.sh
	@$(MAKE) --no-print-directory SANITIZE= all unit guests
	@$(MAKE) --no-print-directory SANITIZE=1 all unit
	@bash tests/run.sh

# The hardware-host lane alone (tests/hwhost/): QEMU (TCG) with an emulated SVM CPU, kvm_amd in
# it, and some of the tests run again there.
test-hwhost:
	@sh tests/install-deps.sh
	@$(MAKE) --no-print-directory SANITIZE= all guests
	@bash tests/run.sh --hwhost-only

demo: all
	@bash tests/demo.sh

bench: all guests
	@bash bench/run.sh

fuzz:
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page, README, the gdb helper.
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man/man1
DOCDIR  := $(PREFIX)/share/doc/kvmstub
DATADIR := $(PREFIX)/share/kvmstub
GDBDIR  := $(DATADIR)/gdb
GDB_HELPERS := $(sort $(wildcard gdb/*.py))

install: all
	$(quiet) INSTALL $(DESTDIR)$(PREFIX)
	$(Q)install -D -m 755 $(BIN) $(DESTDIR)$(BINDIR)/kvmstub
	$(Q)install -D -m 644 doc/kvmstub.1 $(DESTDIR)$(MANDIR)/kvmstub.1
	$(Q)install -D -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(Q)install -d $(DESTDIR)$(GDBDIR)
	$(Q)install -m 644 $(GDB_HELPERS) $(DESTDIR)$(GDBDIR)/

# Exactly what install put there: its files, and the directories that are kvmstub's own.
uninstall:
	$(quiet) UNINSTALL $(DESTDIR)$(PREFIX)
	$(Q)rm -f $(DESTDIR)$(BINDIR)/kvmstub $(DESTDIR)$(MANDIR)/kvmstub.1 \
		$(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(GDBDIR)/,$(notdir $(GDB_HELPERS)))
	$(Q)for d in $(DESTDIR)$(GDBDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR); do \
		if [ -d "$$d" ]; then rmdir --ignore-fail-on-non-empty "$$d"; fi; done

# kvmstub's C; not the fixture kernel's test module, which is kernel code in the kernel's style.
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' ':!guest/linux/module' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

lint:
	clang-format --dry-run --Werror $(FORMAT_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem --suppress=ctuuninitvar \
		-I. $(FORMAT_FILES)

clean:
	rm -rf build kvmstub

help:
	@sed -n '1,12p' Makefile

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_HELPER_OBJS:.o=.d) $(UNIT_BINS:=.d)
