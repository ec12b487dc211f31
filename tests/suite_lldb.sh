# tests/suite_lldb.sh — LLDB's gdb-remote against real kvmstub: what LLDB asks beyond gdb
# (qHostInfo, qProcessInfo, the thread suffix, threads in stop replies, qMemoryRegionInfo,
# qThreadStopInfo) is answered, so a session works end to end: registers, a hardware
# breakpoint by name, `si`, `memory read`, `memory region`, the threads of a --cpus 2 guest,
# `memory write`, detach.

SMP=build/guest/smp64.img

# smp64_symbol NAME: NAME's address in the smp64 guest (0x...).
smp64_symbol() {
    nm "$SMP" | awk -v n="$1" '$3 == n { print "0x" $1 }'
}

# run_lldb LOG ARGS...: real LLDB in batch mode, no init files, bounded in time. (Its packets
# go to lldb-packets.log in the test's directory, for a failure's diagnosis.)
run_lldb() {
    local log=$1
    shift
    timeout "${GDB_TIMEOUT:-120}" lldb --no-lldbinit --batch "$@" >"$log" 2>&1 </dev/null
}

test_lldb_session_two_vcpus() {
    command -v lldb >/dev/null 2>&1 ||
        { fail_because "lldb is not installed (tests/install-deps.sh installs it)"; return 1; }
    local loop0 release
    loop0=$(smp64_symbol loop0) release=$(smp64_symbol release)
    [ -n "$loop0" ] && [ -n "$release" ] || { fail_because "no loop0/release in $SMP"; return 1; }
    start_kvmstub_gdb --cpus 2 "$SMP" || { fail_because "kvmstub did not listen"; return 1; }
    run_lldb "$TEST_DIR/lldb.log" "$SMP" \
        -o "log enable -f $TEST_DIR/lldb-packets.log gdb-remote packets" \
        -o "gdb-remote 127.0.0.1:$GDB_PORT" \
        -o 'register read rip rsp cs' -o 'breakpoint set -H -n loop0 -K false' -o continue \
        -o 'register read rip' -o si -o 'register read rip' \
        -o "memory read -s1 -c3 -fx $loop0" -o "memory region $loop0" \
        -o 'memory region 0x7fff00000000' -o 'thread list' -o 'breakpoint delete --force' \
        -o "memory write -s 8 $release 1" -o detach
    local lldb_rc=$?
    cat "$TEST_DIR/lldb.log"
    [ $lldb_rc -eq 124 ] && { kill -9 "$KVMSTUB_PID"; fail_because "lldb timed out"; return 1; }
    wait_pid "$KVMSTUB_PID" 60 || { fail_because "kvmstub did not end after the detach"; return 1; }
    [ "$WAIT_STATUS" = 1 ] || { fail_because "kvmstub exit status $WAIT_STATUS, expected 1"; return 1; }
    cat >"$TEST_DIR/lldb.expect" <<'END'
Process 1 stopped
# the layout's registers, at the entry
rip = 0x000000000010004b .*_start
cs = 0x000000[0-9a-f]{2}$
Breakpoint 1: where = smp64.img`loop0, address = 0x0000000000100061
stop reason = breakpoint 1\.1
rip = 0x0000000000100061 .*loop0$
stop reason = instruction step into
rip = 0x0000000000100064 .*loop0 \+ 3
0x00100061: 0x48 0xff 0x07
# the identity map of the first 4 GiB, and nothing far above it
^\[0x[0-9a-f]+-0x[0-9a-f]+\) rwx
^\[0x[0-9a-f]+-0x[0-9a-f]+\) ---
thread #1: tid = 0x0001, 0x0000000000100064 .*loop0
thread #2: tid = 0x0002, 0x0000000000100[0-9a-f]{3} smp64.img`(_start|loop1)
All breakpoints removed
Process 1 detached
END
    local why
    why=$(expect_in_order "$TEST_DIR/lldb.log" "$TEST_DIR/lldb.expect") ||
        { fail_because "lldb output: $why"; return 1; }
    grep -q '^smp64 OK' "$TEST_DIR/console" || fail_because "the guest did not finish after the detach"
}

# lldb_regs_session IMAGE EXPECT LLDB_ARGS...: kvmstub serves IMAGE; LLDB connects (with
# LLDB_ARGS before the connection: the file, if any), reads eip, cs and eflags, steps one
# instruction, reads eip again and kills the guest (kvmstub ends with status 12); its output
# must match the regexes in the file EXPECT, in order.
lldb_regs_session() {
    local image=$1 expect=$2
    shift 2
    start_kvmstub_gdb "$image" || { fail_because "kvmstub did not listen for $image"; return 1; }
    local log=$TEST_DIR/lldb-$(basename "$image").log
    run_lldb "$log" "$@" -o "gdb-remote 127.0.0.1:$GDB_PORT" -o 'register read eip cs eflags' \
        -o si -o 'register read eip' -o 'process kill'
    cat "$log"
    wait_pid "$KVMSTUB_PID" 60 || { fail_because "kvmstub did not end after the kill"; return 1; }
    [ "$WAIT_STATUS" = 12 ] || { fail_because "kvmstub exit status $WAIT_STATUS, expected 12"; return 1; }
    local why
    why=$(expect_in_order "$log" "$expect") || { fail_because "lldb output ($image): $why"; return 1; }
}

# The i386 layout (a 32-bit ELF, its symbols given) and the i8086 one (a raw real-mode image,
# no file): LLDB reads and steps both as i386.
test_lldb_registers_in_32bit_and_real_mode() {
    command -v lldb >/dev/null 2>&1 ||
        { fail_because "lldb is not installed (tests/install-deps.sh installs it)"; return 1; }
    cat >"$TEST_DIR/prot32.expect" <<'END'
Current executable set to .*prot32.img' \(i386\)
eip = 0x0010000a .*_start
cs = 0x000000[0-9a-f]{2}$
eflags = 0x000000[0-9a-f]{2}$
stop reason = instruction step into
eip = 0x0010000d .*_start \+ 3
END
    lldb_regs_session build/guest/prot32.img "$TEST_DIR/prot32.expect" build/guest/prot32.img || return 1
    cat >"$TEST_DIR/realmode.expect" <<'END'
eip = 0x00000000$
cs = 0x00000000$
stop reason = instruction step into
eip = 0x00000002$
END
    lldb_regs_session build/guest/realmode.img "$TEST_DIR/realmode.expect"
}
