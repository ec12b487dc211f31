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

ifeq ($(origin CC),default)
CC      := gcc
endif
CSTD    := -std=gnu11
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
CPPFLAGS += -I. -D_GNU_SOURCE
LDLIBS  += -pthread

ifeq ($(SANITIZE),1)
BUILD   := build/san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BIN     := $(BUILD)/kvmstub
else
BUILD   := build/release
BIN     := kvmstub
endif

LIB_SRCS  := $(sort $(wildcard stub/*.c vm/*.c loader/*.c guest/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/kvmstub.o
LIB       := $(BUILD)/libkvmstub.a
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
UNIT_HELPER_OBJS := $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

GUEST_ASM := $(sort $(wildcard guest/*.asm))
GUESTS    := $(GUEST_ASM:guest/%.asm=build/guest/%.img)

.PHONY: all unit guests test test-hwhost demo bench fuzz format lint clean help
all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
ifeq ($(SANITIZE),1)
	@echo "sanitizer build: $(BIN)"
endif

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELPER_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -MMD -MP -o $@ $^ $(LDLIBS)

unit: $(UNIT_BINS)

# The test helpers (fake target, harness) are shared by every test binary: keep their objects.
.SECONDARY: $(UNIT_HELPER_OBJS)

# Test guests are assembled with nasm (a test-time tool; the build of kvmstub itself does not
# need it). Each guest/NAME.asm says how it is built on its first line: "; build: bin|elf32|elf64"
# and, for ELF, "; link: ADDR" (the address of .text).
build/guest/%.img: guest/%.asm guest/build-guest.sh $(wildcard guest/*.inc)
	@mkdir -p build/guest
	sh guest/build-guest.sh $< $@

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

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
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
	@sed -n '1,13p' Makefile

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_HELPER_OBJS:.o=.d) $(UNIT_BINS:=.d)
