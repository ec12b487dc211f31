# tests/linux/suite_linux.sh — booting the fixture kernel (guest/linux/): bzImage and PVH
# vmlinux, SMP, memory above the 32-bit hole, the command line, the console, bad inputs.
#
# Where Linux user space cannot run (hosts whose KVM emulates guest kernel code: PVM,
# DESIGN.md §7) a boot ends at `Run /init` with a kernel panic; the tests check that end, and
# the checks that need user space say plainly that they were skipped and why.
# Uses $KERNEL_DIR and $INITRD from tests/linux/run.sh.

# (emulating_host and USERSPACE_SKIP are in tests/lib.sh.)

# boot_linux IMAGE ARGS...: boot to the end; console in $TEST_DIR/console, status in $BOOT_STATUS.
boot_linux() {
    local image=$1
    shift
    timeout 600 "$KVMSTUB" --console "file:$TEST_DIR/console" "$@" "$image" >"$TEST_DIR/stdout" \
        2>"$TEST_DIR/stderr" </dev/null
    BOOT_STATUS=$?
    tr -d '\r' <"$TEST_DIR/console" >"$TEST_DIR/console.txt"
    tail -n 5 "$TEST_DIR/console.txt"
    cat "$TEST_DIR/stderr"
}

# expect_boot_end: on an emulating host, `Run /init`, the panic, status 10 and the one-line
# explanation; elsewhere the initramfs marker, its facts and status 0.
expect_boot_end() {
    local c=$TEST_DIR/console.txt
    grep -q '^kvmstub:' "$c" && { fail_because "kvmstub's own messages reached the console"; return 1; }
    # (Where kvmstub's stdout went to a file: under a terminal there is none.)
    [ -s "$TEST_DIR/stdout" ] && { fail_because "output on stdout with --console file:"; return 1; }
    expect_match "$c" 'Linux version 6\.1' "no kernel log on the console" || return 1
    if emulating_host; then
        expect_match "$c" 'Run /init as init process' "did not reach Run /init: $(tail -n 3 "$c" | tr '\n' ' ')" || return 1
        expect_match "$c" 'Kernel panic - not syncing' "no panic after init died" || return 1
        [ "$BOOT_STATUS" = 10 ] || { fail_because "status $BOOT_STATUS, expected 10 (guest panic)"; return 1; }
        [ "$(grep -c 'booted to user space, where this host stops it' "$TEST_DIR/stderr")" = 1 ] ||
            { fail_because "the host limitation was not reported in one line"; return 1; }
        return 0
    fi
    expect_match "$c" '^KVMSTUB-INIT-OK' "no initramfs marker" || return 1
    expect_match "$c" '^kvmstub-fact: release=6\.1' "no release fact" || return 1
    [ "$BOOT_STATUS" = 0 ] || fail_because "status $BOOT_STATUS after reboot, expected 0"
}

test_linux_bzimage_boots() {
    boot_linux "$KERNEL_DIR/bzImage" --initrd "$INITRD"
    expect_boot_end || return 1
    # Without --gdb kvmstub leaves KASLR alone: the kernel lands away from its link address.
    if emulating_host; then
        # The panic at the end prints the offset ("Kernel Offset: disabled" without KASLR).
        expect_match "$TEST_DIR/console.txt" 'Kernel Offset: 0x[1-9a-f]' "KASLR did not randomize without a debugger"
    else
        local text
        text=$(sed -n 's/^kvmstub-fact: text=//p' "$TEST_DIR/console.txt")
        [ -n "$text" ] && [ "$text" != ffffffff81000000 ] ||
            fail_because "KASLR did not randomize without a debugger (_text at ${text:-?})"
    fi
}

test_linux_pvh_vmlinux_boots() {
    # On a terminal: kvmstub puts it in raw mode for the guest and restores it at the end.
    timeout 600 python3 tests/linux/pty_run.py "$TEST_DIR/console" "$TEST_DIR/stderr" \
        "$KVMSTUB" --initrd "$INITRD" "$KERNEL_DIR/vmlinux" >"$TEST_DIR/pty.log"
    BOOT_STATUS=$?
    tr -d '\r' <"$TEST_DIR/console" >"$TEST_DIR/console.txt"
    cat "$TEST_DIR/pty.log" "$TEST_DIR/stderr"
    expect_boot_end || return 1
    expect_match "$TEST_DIR/pty.log" 'raw while running: yes' "the terminal was not in raw mode" || return 1
    expect_match "$TEST_DIR/pty.log" 'restored at the end: yes' "the terminal was not restored" || return 1
    # PVH: no decompressor ran, the kernel came up through the PVH entry.
    grep -q 'Decompressing Linux' "$TEST_DIR/console.txt" && { fail_because "vmlinux went through the decompressor"; return 1; }
    return 0
}

# stop_at_line REGEX TIMEOUT ARGS...: boot, wait for a console line, end the VM. For facts the
# kernel prints early, so a test need not boot to the end.
stop_at_line() {
    local regex=$1 limit=$2
    shift 2
    "$KVMSTUB" --console "file:$TEST_DIR/console" "$@" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" </dev/null &
    local pid=$!
    wait_for_line "$TEST_DIR/console" "$regex" "$limit" "$pid"
    local found=$?
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    tr -d '\r' <"$TEST_DIR/console" >"$TEST_DIR/console.txt"
    return $found
}

test_linux_large_memory_above_the_hole() {
    # 3200 MiB: 3 GiB below the 32-bit hole, 128 MiB from 4 GiB up, all of it in the e820 map
    # and in the kernel's memory map.
    if emulating_host; then
        # Setting up struct pages for GiBs of RAM takes minutes of emulated code here: stop once
        # the kernel has taken the RAM above 4 GiB into its memory map.
        stop_at_line 'node +0: \[mem 0x0000000100000000-0x0000000107ffffff\]' 300 -m 3200M \
            --initrd "$INITRD" "$KERNEL_DIR/vmlinux" ||
            { fail_because "the kernel did not map RAM above 4 GiB: $(grep -E 'e820|node' "$TEST_DIR/console.txt" | tr '\n' ' ')"; return 1; }
    else
        boot_linux "$KERNEL_DIR/vmlinux" -m 3200M --initrd "$INITRD"
        expect_boot_end || return 1
        local kb
        kb=$(sed -n 's/^kvmstub-fact: memtotal_kb=//p' "$TEST_DIR/console.txt")
        [ "${kb:-0}" -gt $((3 * 1024 * 1024)) ] || { fail_because "/proc/meminfo shows ${kb}K"; return 1; }
    fi
    grep -q 'BIOS-e820: \[mem 0x0000000100000000-0x0000000107ffffff\] usable' "$TEST_DIR/console.txt" ||
        { fail_because "no RAM above 4 GiB in the e820 map"; return 1; }
    grep -q 'BIOS-e820: \[mem 0x0000000000100000-0x00000000bfffffff\] usable' "$TEST_DIR/console.txt" ||
        fail_because "low RAM does not end at the 3 GiB hole"
}

test_linux_cmdline_reaches_the_kernel() {
    stop_at_line 'Kernel command line:' 300 --cmdline "console=ttyS0 reboot=t panic=-1 kvmstub.test=hello" \
        --initrd "$INITRD" "$KERNEL_DIR/vmlinux" || { fail_because "no command line in the log"; return 1; }
    grep -q 'Kernel command line: console=ttyS0 reboot=t panic=-1 kvmstub.test=hello' "$TEST_DIR/console.txt" ||
        { fail_because "$(grep 'command line' "$TEST_DIR/console.txt")"; return 1; }
    if emulating_host; then
        echo "SKIP part: /proc/cmdline from user space: $USERSPACE_SKIP"
    fi
    return 0
}

test_linux_userspace_facts_and_shell() {
    if emulating_host; then
        skip_because "$USERSPACE_SKIP"
        return 77
    fi
    # Type into the guest's shell on the console: stdin is the 8250's receive side.
    printf 'echo typed-$((6*7))\nls /\nexit\n' >"$TEST_DIR/input"
    timeout 600 "$KVMSTUB" --cpus 2 -m 512M --cmdline "console=ttyS0 reboot=t panic=-1 kvmstub.shell" \
        --initrd "$INITRD" "$KERNEL_DIR/bzImage" <"$TEST_DIR/input" >"$TEST_DIR/console" 2>"$TEST_DIR/stderr"
    local rc=$?
    tr -d '\r' <"$TEST_DIR/console" >"$TEST_DIR/console.txt"
    [ $rc = 0 ] || { fail_because "status $rc"; return 1; }
    expect_match "$TEST_DIR/console.txt" '^typed-42' "the shell did not answer typed input" || return 1
    expect_match "$TEST_DIR/console.txt" 'proc' "ls / printed nothing" || return 1
    expect_match "$TEST_DIR/console.txt" '^kvmstub-fact: cpus=2' "not 2 CPUs" || return 1
    grep -q '^kvmstub-fact: cmdline=.*kvmstub.shell' "$TEST_DIR/console.txt" || fail_because "/proc/cmdline" || return 1
    # The initramfs loads the fixture's test module (guest/linux/module/).
    expect_match "$TEST_DIR/console.txt" '^kvmstub-fact: modules=kvmstub_probe' "the test module was not loaded" || return 1
    expect_match "$TEST_DIR/console.txt" 'kvmstub_probe: loaded, poke gave 42' "the test module's init did not run"
}

test_linux_no_initrd_panics_clearly() {
    boot_linux "$KERNEL_DIR/vmlinux"
    # Without an initrd and without a root= device there is nothing to run: a kernel with block
    # drivers panics in the VFS ("Unable to mount root fs"), this small one on its empty rootfs.
    grep -qE 'Kernel panic - not syncing: (VFS: Unable to mount root fs|No working init found)' \
        "$TEST_DIR/console.txt" || { fail_because "no root-fs panic"; return 1; }
    [ "$BOOT_STATUS" = 10 ] || { fail_because "status $BOOT_STATUS, expected 10"; return 1; }
    grep -q 'the Linux guest panicked; its message is on the console' "$TEST_DIR/stderr" ||
        fail_because "kvmstub did not say the guest panicked"
}

# expect_load_error STATUS REGEX ARGS...
expect_load_error() {
    local status=$1 regex=$2
    shift 2
    timeout 30 "$KVMSTUB" "$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err" </dev/null
    local rc=$?
    [ $rc = "$status" ] && grep -qE -- "$regex" "$TEST_DIR/err" ||
        fail_because "kvmstub $*: status $rc, stderr: $(cat "$TEST_DIR/err")"
}

test_linux_bad_inputs() {
    local bz=$KERNEL_DIR/bzImage
    expect_load_error 4 'cannot open' "$TEST_DIR/missing-bzImage" || return 1
    head -c 100000 "$bz" >"$TEST_DIR/truncated"
    expect_load_error 4 'truncated bzImage' "$TEST_DIR/truncated" || return 1
    head -c 600 "$bz" >"$TEST_DIR/header-only"
    expect_load_error 4 'truncated bzImage' "$TEST_DIR/header-only" || return 1
    cp "$bz" "$TEST_DIR/old"
    printf '\x05\x02' | dd of="$TEST_DIR/old" bs=1 seek=$((0x206)) conv=notrunc status=none
    expect_load_error 4 'boot protocol 2.05 is too old' "$TEST_DIR/old" || return 1
    expect_load_error 4 'initrd .*missing-initrd: cannot open' --initrd "$TEST_DIR/missing-initrd" "$bz" || return 1
    truncate -s 120M "$TEST_DIR/huge-initrd"
    expect_load_error 4 'does not fit in guest RAM' -m 128M --initrd "$TEST_DIR/huge-initrd" "$bz" || return 1
    expect_load_error 4 'too small for this kernel' -m 16M "$bz" || return 1
    expect_load_error 4 'command line is [0-9]+ bytes' --cmdline "$(head -c 3000 /dev/zero | tr '\0' x)" "$bz" || return 1
    # Past kvmstub's own buffer once it adds its words: refused, not cut.
    expect_load_error 4 'kernel command line is too long' --gdb 127.0.0.1:0 \
        --cmdline "$(head -c 4090 /dev/zero | tr '\0' x)" "$bz"
}

test_linux_smp_brings_up_all_cpus() {
    stop_at_line 'smp: Brought up 1 node, [0-9]+ CPU' 300 --cpus 2 --initrd "$INITRD" "$KERNEL_DIR/vmlinux" ||
        { fail_because "SMP bring-up not reported: $(tail -n 2 "$TEST_DIR/console.txt")"; return 1; }
    grep -q 'smp: Brought up 1 node, 2 CPUs' "$TEST_DIR/console.txt" ||
        { fail_because "$(grep 'Brought up' "$TEST_DIR/console.txt")"; return 1; }
    grep -q 'Processor #1' "$TEST_DIR/console.txt" || fail_because "the MP table did not list CPU 1"
}

test_linux_ctrl_a_x_quits_and_restores_the_terminal() {
    timeout 300 python3 tests/linux/pty_run.py --type-after 'Linux version' '\x01x' \
        "$TEST_DIR/console" "$TEST_DIR/stderr" "$KVMSTUB" --initrd "$INITRD" "$KERNEL_DIR/vmlinux" \
        >"$TEST_DIR/pty.log"
    local rc=$?
    cat "$TEST_DIR/pty.log" "$TEST_DIR/stderr"
    [ $rc = 12 ] || { fail_because "status $rc after Ctrl-A x, expected 12"; return 1; }
    expect_match "$TEST_DIR/stderr" 'quit on Ctrl-A x' "no message on stderr" || return 1
    grep -q 'restored at the end: yes' "$TEST_DIR/pty.log" || fail_because "the terminal was not restored"
}

# A snapshot file of a booting kernel (in-kernel LAPIC, IOAPIC, PIC, PIT, kvmclock, the UART,
# two vCPUs), written from gdb early in the boot; a new kvmstub started from the file alone
# shows gdb the same place at once, and `continue` boots on from there to the same end as a cold
# boot. (Stopped with Ctrl-C once the console shows a line: no breakpoint needed.)
test_linux_snapshot_file_boots_on_in_a_new_kvmstub() {
    local snap=$TEST_DIR/kernel.snap
    gdb_continue_until_console "$TEST_DIR/console" "smpboot: Allowing" 240 >"$TEST_DIR/write.gdb"
    cat >>"$TEST_DIR/write.gdb" <<GDB
monitor snapshot save boot
monitor snapshot write boot $snap
printf "PC-AT-WRITE %#lx\n", \$pc
kill
GDB
    start_kvmstub_gdb --cpus 2 --initrd "$INITRD" "$KERNEL_DIR/bzImage" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb1.log" "$KERNEL_DIR/vmlinux" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -x "$TEST_DIR/write.gdb"
    wait_pid "$KVMSTUB_PID" 30
    cat "$TEST_DIR/gdb1.log"
    cp "$TEST_DIR/stderr" "$TEST_DIR/stderr1" # the next kvmstub writes its own
    local pc crash
    pc=$(sed -n 's/^PC-AT-WRITE //p' "$TEST_DIR/gdb1.log")
    crash=$(grep -m1 'triple fault' "$TEST_DIR/stderr1")
    if [ -n "$crash" ]; then
        fail_because "the kernel crashed before the first stop: $crash"
        return 1
    fi
    if grep -q 'exited normally' "$TEST_DIR/gdb1.log" && [ -z "$pc" ]; then
        fail_because "the kernel ended before the first stop (exited normally)"
        return 1
    fi
    [ -n "$pc" ] && [ -s "$snap" ] || { fail_because "no snapshot written"; return 1; }
    start_kvmstub_gdb --restore "$snap" || { fail_because "kvmstub --restore did not listen: $(cat "$TEST_DIR/stderr")"; return 1; }
    # gdb waits out the rest of the boot (113 s of it in a loaded run on PVM, ci79, where gdb's
    # default 120 s ended first, and kvmstub then kept the guest stopped for the next gdb).
    GDB_TIMEOUT=300 run_gdb "$TEST_DIR/gdb2.log" "$KERNEL_DIR/vmlinux" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'printf "PC-AT-RESTORE %#lx\n", $pc' -ex 'info threads' -ex continue
    local gdb_rc=$?
    cat "$TEST_DIR/gdb2.log"
    [ $gdb_rc = 124 ] && { fail_because "the restored kernel did not end within gdb's 300 s"; return 1; }
    wait_pid "$KVMSTUB_PID" 300 || { fail_because "the restored kernel did not end"; return 1; }
    grep -q "^PC-AT-RESTORE $pc\$" "$TEST_DIR/gdb2.log" ||
        { fail_because "gdb did not find the kernel where it was written ($pc)"; return 1; }
    tr -d '\r' <"$TEST_DIR/console" >"$TEST_DIR/console.txt"
    tail -n 5 "$TEST_DIR/console.txt"
    grep -q 'Linux version' "$TEST_DIR/console.txt" && { fail_because "the restored kernel booted from the start"; return 1; }
    expect_match "$TEST_DIR/console.txt" 'smp: Brought up 1 node, 2 CPUs' "CPU 1 not brought up after the restore" || return 1
    expect_match "$TEST_DIR/console.txt" 'Run /init as init process' "did not reach Run /init after the restore" || return 1
    if emulating_host; then
        [ "$WAIT_STATUS" = 10 ] || fail_because "status $WAIT_STATUS, expected 10 (the panic after init on this host)"
        return
    fi
    expect_match "$TEST_DIR/console.txt" '^KVMSTUB-INIT-OK' "no initramfs marker after the restore" || return 1
    [ "$WAIT_STATUS" = 0 ] || fail_because "status $WAIT_STATUS, expected 0"
}
