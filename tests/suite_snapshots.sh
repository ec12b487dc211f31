# tests/suite_snapshots.sh — snapshot files: written from gdb's monitor in one kvmstub,
# restored by another (`--restore`), and refused when they are not whole and kvmstub's own.
# (In-memory snapshots are gdb scripts: tests/gdb-scripts/snapshot_*.gdb.)

LOOP=build/guest/loop64.img

# A gdb command file that prints what gdb sees of loop64: every register, its data page and
# stack ($TEST_DIR/state.gdb, for gdb's -x).
state_script() {
    cat >"$TEST_DIR/state.gdb" <<'GDB'
python
inf = gdb.selected_inferior()
data = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&counter")), 4096))
stack = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&stack")), 8192))
print("STATE-BEGIN")
print(gdb.execute("info all-registers", to_string=True))
print("data %s" % data.hex())
print("stack %s" % stack.hex())
print("STATE-END")
end
GDB
}

# state_of LOG: the state block a gdb log printed.
state_of() { sed -n '/^STATE-BEGIN$/,/^STATE-END$/p' "$1"; }

test_snapshot_file_restores_a_bare_metal_guest() {
    local snap=$TEST_DIR/loop.snap
    state_script
    start_kvmstub_gdb "$LOOP" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb1.log" "$LOOP" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'break long_walk' -ex continue -ex delete -ex 'stepi 25' \
        -ex 'set $xmm2.v2_int64[0] = 0x1234567' -ex 'set $st0 = 3.25' \
        -ex 'monitor snapshot save here' -ex "monitor snapshot write here $snap" \
        -x "$TEST_DIR/state.gdb" -ex kill
    wait_pid "$KVMSTUB_PID" 30
    cat "$TEST_DIR/gdb1.log"
    expect_match "$TEST_DIR/gdb1.log" "^wrote here to $snap in" "no snapshot written" || return 1
    [ -s "$snap" ] || { fail_because "no file"; return 1; }
    # A new kvmstub with the file alone: gdb finds the machine exactly as it was written.
    start_kvmstub_gdb --restore "$snap" || { fail_because "kvmstub --restore did not listen: $(cat "$TEST_DIR/stderr")"; return 1; }
    run_gdb "$TEST_DIR/gdb2.log" "$LOOP" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -x "$TEST_DIR/state.gdb" -ex continue
    cat "$TEST_DIR/gdb2.log"
    wait_pid "$KVMSTUB_PID" 30 || { fail_because "restored kvmstub did not end"; return 1; }
    state_of "$TEST_DIR/gdb1.log" >"$TEST_DIR/state1"
    state_of "$TEST_DIR/gdb2.log" >"$TEST_DIR/state2"
    grep -q '^rip ' "$TEST_DIR/state1" || { fail_because "no state printed"; return 1; }
    diff "$TEST_DIR/state1" "$TEST_DIR/state2" >"$TEST_DIR/state.diff" ||
        { fail_because "restored state differs: $(head -c 300 "$TEST_DIR/state.diff")"; return 1; }
    # ... and runs on from there to the guest's own end, its sum right.
    expect_match "$TEST_DIR/gdb2.log" 'exited with code 01' "restored guest did not finish" || return 1
    [ "$WAIT_STATUS" = 1 ] || { fail_because "restored kvmstub status $WAIT_STATUS"; return 1; }
    grep -q '^loop64 OK$' "$TEST_DIR/console" || { fail_because "restored guest's result wrong"; return 1; }
    # Without --gdb it runs at once.
    "$KVMSTUB" --restore "$snap" --console none 2>"$TEST_DIR/stderr3"
    local rc=$?
    [ $rc = 1 ] || fail_because "restore without --gdb: status $rc, $(cat "$TEST_DIR/stderr3")"
}

# kvmstub --restore FILE must end with status 4 and say why (the regex), before any machine.
refused() {
    local file=$1 why=$2
    "$KVMSTUB" --restore "$file" --console none >"$TEST_DIR/out" 2>"$TEST_DIR/err"
    local rc=$?
    [ $rc = 4 ] || { fail_because "$file: status $rc, expected 4 ($(cat "$TEST_DIR/err"))"; return 1; }
    grep -qE -- "$why" "$TEST_DIR/err" || { fail_because "$file: message '$(cat "$TEST_DIR/err")' lacks /$why/"; return 1; }
    cat "$TEST_DIR/err"
}

test_snapshot_files_that_are_not_whole_are_refused() {
    local snap=$TEST_DIR/good.snap
    start_kvmstub_gdb "$LOOP" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb.log" "$LOOP" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'break bump' -ex continue -ex 'monitor snapshot save s' \
        -ex "monitor snapshot write s $snap" -ex 'monitor snapshot write nosuch x.snap' \
        -ex "monitor snapshot write s /nonexistent-dir/x.snap" -ex kill
    wait_pid "$KVMSTUB_PID" 30
    cat "$TEST_DIR/gdb.log"
    expect_match "$TEST_DIR/gdb.log" "error: snapshot write nosuch: no snapshot named" "unknown name not refused" || return 1
    expect_match "$TEST_DIR/gdb.log" "error: snapshot write s: cannot create /nonexistent-dir/x.snap.partial" "bad path not refused" || return 1
    [ ! -e /nonexistent-dir/x.snap ] || return 1
    local size
    size=$(stat -c %s "$snap")
    head -c $((size - 4096)) "$snap" >"$TEST_DIR/truncated.snap"
    head -c 2000 "$snap" >"$TEST_DIR/short.snap"
    cp "$snap" "$TEST_DIR/bad-state.snap"
    printf '\x5a' | dd of="$TEST_DIR/bad-state.snap" bs=1 seek=4200 conv=notrunc status=none
    cp "$snap" "$TEST_DIR/bad-header.snap"
    printf '\x77' | dd of="$TEST_DIR/bad-header.snap" bs=1 seek=89 conv=notrunc status=none
    # Another kvmstub's file: its producer (at offset 24) changed, the header's CRC made right.
    python3 - "$snap" "$TEST_DIR/other-version.snap" <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
d[24:24 + 64] = b"kvmstub 9.9.9".ljust(64, b"\0")
d[20:24] = bytes(4)
d[20:24] = struct.pack("<I", zlib.crc32(bytes(d[:4096])))
open(sys.argv[2], "wb").write(d)
PY
    refused "$TEST_DIR/truncated.snap" 'truncated' || return 1
    refused "$TEST_DIR/short.snap" 'too short' || return 1
    refused "$TEST_DIR/bad-state.snap" 'state is corrupted' || return 1
    refused "$TEST_DIR/bad-header.snap" 'header is corrupted' || return 1
    refused "$TEST_DIR/other-version.snap" 'written by kvmstub 9.9.9; this is kvmstub ' || return 1
    refused "$LOOP" 'not a kvmstub snapshot' || return 1
    refused "$TEST_DIR/nonexistent.snap" 'cannot open' || return 1
    # The good one still works after all that.
    "$KVMSTUB" --restore "$snap" --console none 2>"$TEST_DIR/err"
    local rc=$?
    [ $rc = 1 ] || fail_because "the good file: status $rc, $(cat "$TEST_DIR/err")"
}
