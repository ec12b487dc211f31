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

# mb2_patched NAME PYTHON: build/guest/multiboot2_info.img with its multiboot2 header (h, an
# offset into the bytearray d) changed by PYTHON, in $TEST_DIR/NAME.
mb2_patched() {
    python3 - "$TEST_DIR/$1" "$2" <<'PY'
import struct, sys
d = bytearray(open("build/guest/multiboot2_info.img", "rb").read())
h = next(o for o in range(0, 32768, 8) if d[o:o + 4] == struct.pack("<I", 0xE85250D6))
def fix_checksum():
    length = struct.unpack_from("<I", d, h + 8)[0]
    struct.pack_into("<I", d, h + 12, (-(0xE85250D6 + length)) & 0xFFFFFFFF)
exec(sys.argv[2])
open(sys.argv[1], "wb").write(d)
PY
}

test_bad_multiboot2_headers_are_refused() {
    mb2_patched checksum 'd[h + 12] ^= 1' || return 1
    expect_error 4 "bad checksum" "$TEST_DIR/checksum" || return 1
    # the module alignment tag (type 6, required) becomes an unknown type
    mb2_patched unknown 'o = h + 16 + 24 + 24; assert d[o] == 6; d[o] = 42' || return 1
    expect_error 4 "multiboot2 header tag 42 is required" "$TEST_DIR/unknown" || return 1
    # the optional framebuffer tag made required
    mb2_patched framebuffer 'o = h + 16 + 24; assert d[o] == 5; d[o + 2] = 0' || return 1
    expect_error 4 "requires a framebuffer" "$TEST_DIR/framebuffer" || return 1
    # the information request asks for the framebuffer (8) instead of the memory map
    mb2_patched request 'o = h + 16 + 16; assert d[o] == 6; d[o] = 8' || return 1
    expect_error 4 "requires boot information tag 8 \(framebuffer\)" "$TEST_DIR/request" || return 1
    # the header claims more tags than the file holds
    mb2_patched truncated 'struct.pack_into("<I", d, h + 8, len(d)); fix_checksum()' || return 1
    expect_error 4 "truncated multiboot2 header" "$TEST_DIR/truncated" || return 1
    # the end tag cut off
    mb2_patched noend 'struct.pack_into("<I", d, h + 8, 16 + 24 + 24 + 8); fix_checksum()' || return 1
    expect_error 4 "no end tag" "$TEST_DIR/noend"
}

test_gdb_arch_that_does_not_fit_is_refused() {
    expect_error 2 "expected auto, i8086, i386 or x86-64" --gdb 127.0.0.1:0 --gdb-arch arm build/guest/long64.img || return 1
    expect_error 2 "does not fit this image: the image starts in 64-bit long mode" \
        --gdb 127.0.0.1:0 --gdb-arch i386 build/guest/long64.img || return 1
    expect_error 2 "does not fit this image: the image starts in 64-bit long mode" \
        --gdb 127.0.0.1:0 --gdb-arch i8086 build/guest/loop64.img || return 1
    expect_error 2 "does not fit this image: the image starts in 32-bit protected mode" \
        --gdb 127.0.0.1:0 --gdb-arch i8086 build/guest/prot32.img || return 1
    expect_error 2 "only make sense with --gdb" --gdb-arch x86-64 build/guest/long64.img || return 1
    expect_error 2 "only make sense with --gdb" --gdb-realmode-linear || return 1
    # nothing listened before the refusal
    expect_error 2 "does not fit" --gdb 127.0.0.1:0 --gdb-arch i8086 build/guest/multiboot2_long64.img || return 1
    ! grep -q 'waiting for gdb' "$TEST_DIR/err" || fail_because "kvmstub listened before refusing"
}

test_qemu_options_kvmstub_lacks_are_refused_by_name() {
    expect_error 2 "^kvmstub: -monitor: a QEMU option kvmstub does not have" -monitor stdio build/guest/long64.img || return 1
    expect_error 2 "^kvmstub: -hda: " -hda disk.img || return 1
    expect_error 2 "^kvmstub: -serial pty: " -kernel build/guest/long64.img -serial pty || return 1
    expect_error 2 "^kvmstub: -smp 2,sockets=2: " -smp 2,sockets=2 build/guest/long64.img || return 1
    expect_error 2 "^kvmstub: -machine q35: " -machine q35 build/guest/long64.img || return 1
    expect_error 2 "unexpected argument 'build/guest/prot32.img' \(-kernel names the image\)" \
        -kernel build/guest/long64.img build/guest/prot32.img
}

test_qemu_tutorial_command_line_works_unchanged() {
    # A kernel tutorial's QEMU debug line, qemu-system-x86_64 replaced by kvmstub, and the
    # tutorial's gdb line against port 1234 (in a network namespace of its own).
    local img=build/guest/qemu_poweroff.img
    netns_debug_session "$TEST_DIR/gdb.log" \
        -kernel $img -append 'hello tutorial' -m 128 -smp 1 -s -S -nographic -serial stdio -no-reboot \
        -- gdb -nx -batch -ex 'set pagination off' $img -ex 'target remote localhost:1234' \
        -ex 'break kmain' -ex continue -ex 'p $eax == 0x2badb002' -ex continue
    local rc=$?
    [ $rc = 77 ] && { skip_because "no network namespace (unshare -n or -rn) to own port 1234 in"; return 77; }
    cat "$TEST_DIR/gdb.log" "$TEST_DIR/stderr"
    [ $rc = 0 ] && grep -q 'waiting for gdb on 127.0.0.1:1234$' "$TEST_DIR/stderr" ||
        { fail_because "kvmstub did not wait for gdb on 127.0.0.1:1234 (status $rc): $(cat "$TEST_DIR/stderr")"; return 1; }
    expect_match "$TEST_DIR/gdb.log" 'Breakpoint 1, kmain ()' "gdb did not stop in kmain" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$1 = 1$' "EAX is not multiboot's magic" || return 1
    expect_match "$TEST_DIR/gdb.log" 'exited normally' "gdb did not see the power-off end the guest" || return 1
    [ "$(cat "$TEST_DIR/status")" = 0 ] || fail_because "kvmstub status $(cat "$TEST_DIR/status"), expected 0" || return 1
    grep -q "^qemu test kernel: $img hello tutorial" "$TEST_DIR/console" || fail_because "console: $(cat "$TEST_DIR/console")"
}

test_qemu_s_alone_starts_the_guest_at_once() {
    # As in QEMU: -s alone serves gdb, and the guest runs without waiting for it.
    local img=build/guest/qemu_poweroff.img
    cat >"$TEST_DIR/run.sh" <<RUN
cd "$ROOT"
timeout 30 "$KVMSTUB" -kernel $img -s -nographic >"$TEST_DIR/console" 2>"$TEST_DIR/stderr"
RUN
    in_netns "$TEST_DIR/run.sh"
    local rc=$?
    [ $rc = 77 ] && { skip_because "no network namespace (unshare -n or -rn) to own port 1234 in"; return 77; }
    [ $rc = 0 ] || { fail_because "status $rc: $(cat "$TEST_DIR/stderr")"; return 1; }
    expect_match "$TEST_DIR/stderr" 'gdb on 127.0.0.1:1234' "no gdb listener on 1234" || return 1
    expect_match "$TEST_DIR/console" '^qemu test kernel' "the guest did not run"
}
