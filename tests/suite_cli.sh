# tests/suite_cli.sh — the command line and bad images: clear errors and documented statuses.

# expect_error STATUS REGEX ARGS...: kvmstub ARGS ends with STATUS and says REGEX on stderr.
expect_error() {
    local status=$1 regex=$2
    shift 2
    timeout 30 "$KVMSTUB" "$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
    local rc=$?
    [ "$rc" = "$status" ] || fail_because "kvmstub $*: status $rc, expected $status; stderr: $(cat "$TEST_DIR/err")" || return 1
    grep -qE -- "$regex" "$TEST_DIR/err" || fail_because "kvmstub $*: stderr lacks /$regex/: $(cat "$TEST_DIR/err")" || return 1
    grep -q '^kvmstub: ' "$TEST_DIR/err" || fail_because "messages lack the 'kvmstub: ' prefix" || return 1
    [ ! -s "$TEST_DIR/out" ] || fail_because "kvmstub $* printed on stdout: $(cat "$TEST_DIR/out")"
}

test_help_and_version() {
    "$KVMSTUB" --help >"$TEST_DIR/help" || fail_because "--help failed" || return 1
    for s in '--gdb' '--console' 'exit status' '(v << 1) | 1' 'triple fault'; do
        grep -qF -- "$s" "$TEST_DIR/help" || fail_because "--help lacks '$s'" || return 1
    done
    "$KVMSTUB" --version | grep -q '^kvmstub ' || fail_because "--version"
}

test_bad_options() {
    expect_error 2 'unknown option|unrecognized' --bogus || return 1
    expect_error 2 "expected a size" -m lots || return 1
    expect_error 2 "too small" -m 4K || return 1
    expect_error 2 "more than this host" -m 64T || return 1
    expect_error 2 "expected a number from 1 to 64" --cpus 0 || return 1
    expect_error 2 "only makes sense with --gdb" --no-wait || return 1
    expect_error 2 "one IMAGE at most" a b || return 1
    expect_error 4 "expected stdio, none, file:PATH or tcp" --console bogus || return 1
}

test_missing_and_empty_images() {
    expect_error 4 "no/such/file: cannot open: No such file" no/such/file || return 1
    : >"$TEST_DIR/empty"
    expect_error 4 "the image is empty" "$TEST_DIR/empty" || return 1
    expect_error 4 "not a regular file" /tmp
}

test_bad_elf_images() {
    local elf=build/guest/long64.img
    head -c 30 "$elf" >"$TEST_DIR/trunc-header"
    expect_error 4 "truncated ELF header" "$TEST_DIR/trunc-header" || return 1
    head -c 200 "$elf" >"$TEST_DIR/trunc-body"
    expect_error 4 "truncated ELF" "$TEST_DIR/trunc-body" || return 1
    # ELF class 3
    { head -c 4 "$elf"; printf '\x03'; tail -c +6 "$elf"; } >"$TEST_DIR/class"
    expect_error 4 "unsupported ELF class 3" "$TEST_DIR/class" || return 1
    # machine ARM (40) in an ELF64
    { head -c 18 "$elf"; printf '\x28\x00'; tail -c +21 "$elf"; } >"$TEST_DIR/machine"
    expect_error 4 "unsupported ELF machine 40" "$TEST_DIR/machine" || return 1
    # a guest that does not fit in RAM
    expect_error 4 "outside guest RAM" -m 1M "$elf"
}

test_elf_segment_over_reserved_area() {
    cat >"$TEST_DIR/low.asm" <<'ASM'
bits 32
global _start
_start: hlt
ASM
    nasm -f elf32 -o "$TEST_DIR/low.o" "$TEST_DIR/low.asm" &&
        ld -m elf_i386 -Ttext=0x2000 -e _start -o "$TEST_DIR/low.img" "$TEST_DIR/low.o" || return 1
    expect_error 4 "overlaps kvmstub's reserved area" "$TEST_DIR/low.img"
}

test_raw_load_addr() {
    printf '\xb0\x07\xe6\xf4' >"$TEST_DIR/exit7.img" # mov al, 7; out 0xf4, al
    timeout 30 "$KVMSTUB" --load-addr 0x7c00 "$TEST_DIR/exit7.img" >/dev/null 2>&1
    [ $? = 15 ] || fail_because "--load-addr 0x7c00 did not run the image" || return 1
    timeout 30 "$KVMSTUB" --load-addr 0x12340 "$TEST_DIR/exit7.img" >/dev/null 2>&1
    [ $? = 15 ] || fail_because "--load-addr 0x12340 (CS != 0) did not run the image" || return 1
    expect_error 4 "must be below 1 MiB" --load-addr 0x200000 "$TEST_DIR/exit7.img"
}

test_initrd_refused_for_bare_images() {
    expect_error 2 "--initrd is for Linux images" --initrd /dev/null build/guest/long64.img
}
