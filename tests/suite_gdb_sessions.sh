# tests/suite_gdb_sessions.sh — debugger sessions that a script alone cannot drive: Ctrl-C,
# detach and reattach, a second client, unix sockets, listening errors, a debugger that dies.

SPIN=build/guest/spin64.img

# gdb_bg LOG ARGS...: start gdb in the background (GDB_PID), symbols of spin64 loaded.
gdb_bg() {
    local log=$1
    shift
    # timeout is the direct child: tests signal gdb itself with pkill -P "$GDB_PID".
    timeout "${GDB_TIMEOUT:-120}" "${GDB_BATCH[@]}" "$SPIN" "$@" >"$log" 2>&1 &
    GDB_PID=$!
}

test_ctrl_c_stops_a_spinning_guest() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    gdb_bg "$TEST_DIR/gdb.log" -ex "target remote 127.0.0.1:$GDB_PORT" -ex continue \
        -ex 'p $pc == (long)&spin || $pc == (long)&spin + 7 || $pc == (long)&spin + 15' \
        -ex 'p *(long *)&spins > 0' -ex 'set *(long *)&release = 1' -ex continue
    wait_for_line "$TEST_DIR/console" '^spinning$' 30 "$KVMSTUB_PID" || { fail_because "guest did not start"; return 1; }
    # The guest spins under `continue` now; gdb's Ctrl-C is SIGINT to gdb, which sends 0x03.
    # (To gdb itself: timeout would pass it on to its whole process group, gdb included, and
    # a second Ctrl-C makes gdb give up waiting.)
    pkill -INT -P "$GDB_PID"
    wait_pid "$GDB_PID" 60 || { fail_because "gdb hung after Ctrl-C"; return 1; }
    wait_pid "$KVMSTUB_PID" 30 || { fail_because "kvmstub did not end"; return 1; }
    cat "$TEST_DIR/gdb.log"
    expect_match "$TEST_DIR/gdb.log" 'Program received signal SIGINT' "no SIGINT stop" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$1 = 1$' "stopped outside the spin loop" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$2 = 1$' "the guest had not run" || return 1
    expect_match "$TEST_DIR/gdb.log" 'exited with code 01' "guest did not finish after release" || return 1
    [ "$WAIT_STATUS" = 1 ] || fail_because "kvmstub status $WAIT_STATUS"
}

test_connecting_to_a_running_guest_gives_no_layout_notice() {
    # gdb connects to a guest that runs (--no-wait): the stop its connection asks for comes
    # before the layout is chosen, and once said that a 64-bit vCPU had outgrown the i8086
    # layout gdb never had.
    start_kvmstub_gdb --no-wait "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    wait_for_line "$TEST_DIR/console" '^spinning$' 30 "$KVMSTUB_PID" || { fail_because "guest did not start"; return 1; }
    run_gdb "$TEST_DIR/gdb.log" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" -ex 'show architecture' \
        -ex 'p *(long *)&spins > 0' -ex 'set *(long *)&release = 1' -ex continue
    wait_pid "$KVMSTUB_PID" 30 || { fail_because "kvmstub did not end"; return 1; }
    cat "$TEST_DIR/gdb.log" "$TEST_DIR/stderr"
    expect_match "$TEST_DIR/gdb.log" 'currently "i386:x86-64"' "gdb did not get the x86-64 layout" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$1 = 1$' "the guest had not run" || return 1
    expect_match "$TEST_DIR/gdb.log" 'exited with code 01' "guest did not finish after release" || return 1
    if grep -q 'register layout' "$TEST_DIR/stderr"; then
        fail_because "a layout notice: $(grep 'register layout' "$TEST_DIR/stderr")"
    fi
}

test_detach_then_a_second_gdb_attaches() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb1.log" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'break spin' -ex continue -ex 'delete' -ex detach
    expect_match "$TEST_DIR/gdb1.log" 'Breakpoint 1, spin' "first gdb: $(cat "$TEST_DIR/gdb1.log")" || return 1
    # After detach the guest runs on, without breakpoints: its counter keeps moving.
    run_gdb "$TEST_DIR/gdb2.log" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'set $a = *(long *)&spins' -ex 'set *(long *)&release = 0' \
        -ex 'p $a > 1' -ex 'info breakpoints' -ex 'set *(long *)&release = 1' -ex continue
    cat "$TEST_DIR/gdb1.log" "$TEST_DIR/gdb2.log"
    expect_match "$TEST_DIR/gdb2.log" '^\$1 = 1$' "guest did not run between the sessions" || return 1
    expect_match "$TEST_DIR/gdb2.log" 'No breakpoints or watchpoints' "breakpoints survived detach" || return 1
    expect_match "$TEST_DIR/gdb2.log" 'exited with code 01' "second gdb did not see the end" || return 1
    wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 1 ] || fail_because "kvmstub status $WAIT_STATUS"
}

# Detaching at a caught exception delivers it, and the next gdb finds nothing of it: the
# guest (catch64) counts each handler's runs, so a fault delivered twice (or never) fails it.
# (The catch is placed at the resume after the guest's IDT is complete: its port write.)
test_detach_at_a_caught_exception() {
    local img=build/guest/catch64.img
    start_kvmstub_gdb "$img" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb1.log" "$img" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'monitor catch exception pf' -ex 'monitor break io 0x81 w' -ex continue \
        -ex 'monitor break delete all' -ex continue -ex 'p $pc == (long)&pf_insn' \
        -ex 'set var *(char *)&release = 0' -ex detach
    expect_match "$TEST_DIR/gdb1.log" 'received signal SIGSEGV' "first gdb: $(cat "$TEST_DIR/gdb1.log")" || return 1
    expect_match "$TEST_DIR/gdb1.log" '^\$1 = 1$' "not stopped at the #PF" || return 1
    run_gdb "$TEST_DIR/gdb2.log" "$img" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'p *(int *)((char *)&counts + 12)' -ex 'monitor exception' \
        -ex 'set var *(char *)&release = 1' -ex continue
    cat "$TEST_DIR/gdb1.log" "$TEST_DIR/gdb2.log"
    expect_match "$TEST_DIR/gdb2.log" '^\$1 = 1$' "the #PF handler did not run once at the detach" || return 1
    expect_match "$TEST_DIR/gdb2.log" 'did not stop on an exception' "the old stop outlived the detach" || return 1
    expect_match "$TEST_DIR/gdb2.log" 'exited with code 01' "the guest failed its counts" || return 1
    wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 1 ] || fail_because "kvmstub status $WAIT_STATUS"
}

test_dropped_connection_keeps_guest_stopped() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    # gdb does not always flush what it printed before a `shell` command (in the lane the $1
    # line waited in its buffer until gdb was killed), so the script flushes it.
    gdb_bg "$TEST_DIR/gdb1.log" -ex "target remote 127.0.0.1:$GDB_PORT" -ex 'break spin' \
        -ex continue -ex 'p *(long *)&spins' -ex 'python gdb.flush()' -ex 'shell sleep 600'
    wait_for_line "$TEST_DIR/gdb1.log" '^\$1 = ' 60 "$GDB_PID" || { fail_because "first gdb did not stop"; return 1; }
    local spins
    spins=$(sed -n 's/^\$1 = //p' "$TEST_DIR/gdb1.log")
    pkill -9 -P "$GDB_PID" 2>/dev/null
    kill -9 "$GDB_PID"
    wait "$GDB_PID" 2>/dev/null
    wait_for_line "$TEST_DIR/stderr" 'gdb disconnected' 30 "$KVMSTUB_PID" || { fail_because "kvmstub did not notice"; return 1; }
    # The next debugger finds the guest exactly where the dead one left it.
    run_gdb "$TEST_DIR/gdb2.log" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'p *(long *)&spins' -ex 'p $pc == (long)&spin' -ex 'set *(long *)&release = 1' -ex continue
    cat "$TEST_DIR/gdb2.log"
    grep -q "^\$1 = $spins\$" "$TEST_DIR/gdb2.log" || { fail_because "the guest moved while no debugger was attached (was $spins)"; return 1; }
    expect_match "$TEST_DIR/gdb2.log" '^\$2 = 1$' "pc moved" || return 1
    grep -q 'exited with code 01' "$TEST_DIR/gdb2.log" || fail_because "second gdb could not finish the guest"
}

test_gdb_killed_while_guest_runs() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    gdb_bg "$TEST_DIR/gdb1.log" -ex "target remote 127.0.0.1:$GDB_PORT" -ex continue
    wait_for_line "$TEST_DIR/console" '^spinning$' 30 "$KVMSTUB_PID" || { fail_because "guest did not start"; return 1; }
    pkill -9 -P "$GDB_PID" # gdb itself, under timeout
    kill -9 "$GDB_PID"
    wait "$GDB_PID" 2>/dev/null
    wait_for_line "$TEST_DIR/stderr" 'gdb disconnected' 30 "$KVMSTUB_PID" || { fail_because "kvmstub did not notice"; return 1; }
    run_gdb "$TEST_DIR/gdb2.log" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'set $a = *(long *)&spins' -ex 'stepi 3' -ex 'p *(long *)&spins - $a' \
        -ex 'set *(long *)&release = 1' -ex continue
    cat "$TEST_DIR/gdb2.log"
    expect_match "$TEST_DIR/gdb2.log" '^\$1 = [01]$' "the guest ran on while stopped for the new debugger" || return 1
    grep -q 'exited with code 01' "$TEST_DIR/gdb2.log" || fail_because "second gdb could not finish the guest"
}

test_second_client_is_refused() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    gdb_bg "$TEST_DIR/gdb1.log" -ex "target remote 127.0.0.1:$GDB_PORT" -ex 'break spin' \
        -ex continue -ex 'shell touch $TEST_DIR/first-ready; while [ ! -e $TEST_DIR/second-done ]; do sleep 0.05; done' \
        -ex 'p $pc == (long)&spin' -ex 'set *(long *)&release = 1' -ex 'delete' -ex continue
    local deadline=$((SECONDS + 60))
    while [ ! -e "$TEST_DIR/first-ready" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    [ -e "$TEST_DIR/first-ready" ] || { fail_because "the first gdb never stopped at spin"; return 1; }
    run_gdb "$TEST_DIR/gdb2.log" -ex "target remote 127.0.0.1:$GDB_PORT"
    touch "$TEST_DIR/second-done"
    wait_pid "$GDB_PID" 60 || { fail_because "first gdb hung"; return 1; }
    cat "$TEST_DIR/gdb1.log" "$TEST_DIR/gdb2.log"
    grep -qi 'another debugger' "$TEST_DIR/gdb2.log" || { fail_because "second gdb was not told why"; return 1; }
    expect_match "$TEST_DIR/stderr" 'refused' "kvmstub did not log the refusal" || return 1
    expect_match "$TEST_DIR/gdb1.log" '^\$1 = 1$' "first session disturbed" || return 1
    grep -q 'exited with code 01' "$TEST_DIR/gdb1.log" || fail_because "first session could not finish"
}

test_unix_socket_is_private() {
    local sock=$TEST_DIR/gdb.sock
    "$KVMSTUB" --gdb "unix:$sock" build/guest/realmode.img >"$TEST_DIR/console" 2>"$TEST_DIR/stderr" &
    KVMSTUB_PID=$!
    wait_for_line "$TEST_DIR/stderr" 'waiting for gdb on unix:' 20 "$KVMSTUB_PID" || { fail_because "no unix listener"; return 1; }
    [ "$(stat -c %a "$sock")" = 600 ] || { fail_because "socket mode $(stat -c %a "$sock"), expected 600"; return 1; }
    run_gdb "$TEST_DIR/gdb.log" -ex "target remote $sock" -ex 'x/i $pc' -ex continue
    cat "$TEST_DIR/gdb.log"
    expect_match "$TEST_DIR/gdb.log" 'exited with code 01' "session over the unix socket failed" || return 1
    wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 1 ] || { fail_because "status $WAIT_STATUS"; return 1; }
    [ ! -e "$sock" ] || fail_because "the socket file was left behind"
}

test_listen_errors_are_clear() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    timeout 20 "$KVMSTUB" --gdb "127.0.0.1:$GDB_PORT" "$SPIN" >/dev/null 2>"$TEST_DIR/err2"
    local rc=$?
    kill "$KVMSTUB_PID"
    [ $rc = 4 ] || { fail_because "port in use: status $rc"; return 1; }
    expect_match "$TEST_DIR/err2" 'Address already in use' "port in use: $(cat "$TEST_DIR/err2")" || return 1
    for bad in 'nosuchhost.invalid:1234' '127.0.0.1:99999' 'unix:' '[::1'; do
        timeout 20 "$KVMSTUB" --gdb "$bad" "$SPIN" >/dev/null 2>"$TEST_DIR/err3"
        rc=$?
        [ $rc = 4 ] && grep -q '^kvmstub: ' "$TEST_DIR/err3" || { fail_because "--gdb $bad: status $rc, $(cat "$TEST_DIR/err3")"; return 1; }
    done
}

test_default_listen_is_loopback_and_wide_listen_warns() {
    "$KVMSTUB" --gdb :0 "$SPIN" >/dev/null 2>"$TEST_DIR/err" &
    local pid=$!
    wait_for_line "$TEST_DIR/err" 'waiting for gdb on' 20 "$pid" || { fail_because "no listener"; return 1; }
    kill "$pid"
    expect_match "$TEST_DIR/err" 'waiting for gdb on 127.0.0.1:' "':PORT' did not mean loopback: $(cat "$TEST_DIR/err")" || return 1
    # A file of its own: the first run's output must not be taken for the second's.
    "$KVMSTUB" --gdb 0.0.0.0:0 "$SPIN" >/dev/null 2>"$TEST_DIR/err-wide" &
    pid=$!
    wait_for_line "$TEST_DIR/err-wide" 'waiting for gdb on' 20 "$pid" || { fail_because "no listener"; return 1; }
    kill "$pid"
    grep -q '^kvmstub: warning: gdb listens on 0.0.0.0:[0-9]*, which is not loopback' "$TEST_DIR/err-wide" ||
        fail_because "no warning for a non-loopback listen: $(cat "$TEST_DIR/err-wide")"
}

test_no_wait_starts_at_once() {
    "$KVMSTUB" --gdb 127.0.0.1:0 --no-wait build/guest/long64.img >"$TEST_DIR/console" 2>"$TEST_DIR/stderr" &
    KVMSTUB_PID=$!
    wait_pid "$KVMSTUB_PID" 30 || { fail_because "guest did not run without gdb"; return 1; }
    [ "$WAIT_STATUS" = 1 ] && grep -q '64-bit long mode OK' "$TEST_DIR/console" ||
        fail_because "status $WAIT_STATUS"
}

# sym_addr IMAGE SYMBOL: the symbol's address (nm), for images gdb is not given symbols of.
sym_addr() {
    nm "$1" | sed -n "s/^0*\([0-9a-f]*\) [Tt] $2\$/0x\1/p"
}

# gdb without the image's symbols: kvmstub offers the ELF it booted (qXfer:exec-file), and gdb
# with no file argument would load it; these sessions are about the layouts alone.
NO_EXEC_FILE=(-iex 'set remote pid-to-exec-file-packet off')

test_layout_outgrown_then_reconnect_gets_x86_64() {
    # An ELF32 multiboot kernel that switches to long mode: gdb gets i386 when it connects in
    # 32-bit code; stopped in long mode, kvmstub says once how to get x86-64, and a new
    # connection gets it.
    local img=build/guest/multiboot_long64.img loop
    loop=$(sym_addr "$img" lm_loop)
    start_kvmstub_gdb "$img" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb1.log" "${NO_EXEC_FILE[@]}" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'show architecture' -ex "break *$loop" -ex continue -ex continue -ex 'info registers rip' \
        -ex disconnect
    cat "$TEST_DIR/gdb1.log"
    expect_match "$TEST_DIR/gdb1.log" 'currently "i386")' "first gdb did not get i386" || return 1
    expect_match "$TEST_DIR/gdb1.log" "Breakpoint 1, 0x0*${loop#0x} " "first gdb did not stop in lm_loop" || return 1
    expect_match "$TEST_DIR/gdb1.log" "Invalid register .rip'" "the i386 layout had rip" || return 1
    wait_for_line "$TEST_DIR/stderr" 'gdb disconnected' 30 "$KVMSTUB_PID" || { fail_because "kvmstub did not see the disconnect"; return 1; }
    cat "$TEST_DIR/stderr"
    local notice='^kvmstub: vCPU 0 is in 64-bit long mode now, but gdb got the i386 register layout when it connected .*reconnect gdb \(disconnect, set architecture i386:x86-64, target remote again\) for the x86-64 layout, or start kvmstub with --gdb-arch x86-64$'
    [ "$(grep -cE "$notice" "$TEST_DIR/stderr")" = 1 ] ||
        { fail_because "not one notice line on two stops in long mode: $(grep -c 'long mode now' "$TEST_DIR/stderr")"; return 1; }
    run_gdb "$TEST_DIR/gdb2.log" "${NO_EXEC_FILE[@]}" -ex 'set architecture i386:x86-64' \
        -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'show architecture' -ex 'info registers rip r8 r15' -ex delete -ex continue
    cat "$TEST_DIR/gdb2.log"
    expect_match "$TEST_DIR/gdb2.log" "^rip  *$loop " "second gdb: no rip in lm_loop" || return 1
    expect_match "$TEST_DIR/gdb2.log" '^r8  *0x8 ' "second gdb: no r8" || return 1
    expect_match "$TEST_DIR/gdb2.log" '^r15  *0xf ' "second gdb: no r15" || return 1
    expect_match "$TEST_DIR/gdb2.log" 'exited with code 01' "second gdb could not finish the guest" || return 1
    [ "$(grep -c 'long mode now' "$TEST_DIR/stderr")" = 1 ] || fail_because "the x86-64 session got a notice"
}

test_layout_of_gdb_arch_outgrown_says_restart() {
    local img=build/guest/multiboot2_long64.img loop
    loop=$(sym_addr "$img" lm_loop)
    start_kvmstub_gdb --gdb-arch i386 "$img" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb.log" "${NO_EXEC_FILE[@]}" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex 'show architecture' -ex "break *$loop" -ex continue -ex delete -ex continue
    cat "$TEST_DIR/gdb.log" "$TEST_DIR/stderr"
    expect_match "$TEST_DIR/gdb.log" 'currently "i386")' "gdb did not get the i386 layout asked for" || return 1
    expect_match "$TEST_DIR/gdb.log" 'exited with code 01' "gdb could not finish the guest" || return 1
    [ "$(grep -c '^kvmstub: vCPU 0 is in 64-bit long mode now, but gdb has the i386 register layout of --gdb-arch i386 (32-bit registers, no r8-r15): start kvmstub with --gdb-arch x86-64 to see it whole$' "$TEST_DIR/stderr")" = 1 ] ||
        fail_because "no notice naming --gdb-arch x86-64"
}

test_vscode_launch_json_parses_and_its_gdb_session_works() {
    # README's launch.json is JSON, and the gdb session VS Code's cppdbg makes of it (gdb's
    # machine interface: the setup commands, the symbols of `program`, the remote at
    # `miDebuggerServerAddress`, a breakpoint, continue) works against kvmstub at that address
    # (port 1234: in a network namespace of its own).
    sed -n '/^<!-- launch.json:/,/^```$/p' README.md | sed '1,2d;$d' >"$TEST_DIR/launch.json"
    python3 -m json.tool "$TEST_DIR/launch.json" >/dev/null 2>"$TEST_DIR/json.err" ||
        { fail_because "README's launch.json is not JSON: $(cat "$TEST_DIR/json.err")"; return 1; }
    python3 - "$TEST_DIR/launch.json" "$ROOT" >"$TEST_DIR/launch.sh" <<'PY' || { fail_because "launch.json lacks a cppdbg configuration"; return 1; }
import json, shlex, sys
c = json.load(open(sys.argv[1]))["configurations"][0]
assert c["type"] == "cppdbg" and c["MIMode"] == "gdb"
expand = lambda v: v.replace("${workspaceFolder}", sys.argv[2])
print("program=%s" % shlex.quote(expand(c["program"])))
print("address=%s" % shlex.quote(c["miDebuggerServerAddress"]))
print("debugger=%s" % shlex.quote(c["miDebuggerPath"]))
print("setup=(%s)" % " ".join(shlex.quote(expand(s["text"])) for s in c.get("setupCommands", [])))
PY
    local program address debugger setup
    . "$TEST_DIR/launch.sh"
    { printf '%s\n' "${setup[@]}"
      printf '%s\n' "-file-exec-and-symbols $program" "-target-select remote $address" \
          '-break-insert bump' '-exec-continue' '-stack-list-frames' \
          '-interpreter-exec console "kvmstub"' '-break-delete' '-exec-continue' '-gdb-exit'
    } >"$TEST_DIR/mi.cmds"
    DEBUGGER_STDIN=$TEST_DIR/mi.cmds netns_debug_session "$TEST_DIR/mi.log" --gdb "$address" "$program" \
        -- "$debugger" --interpreter=mi2 -nx
    local rc=$?
    [ $rc = 77 ] && { skip_because "no network namespace (unshare -n or -rn) for the address $address"; return 77; }
    cat "$TEST_DIR/mi.log"
    [ $rc = 0 ] || { fail_because "kvmstub did not listen on $address: $(cat "$TEST_DIR/stderr")"; return 1; }
    expect_match "$TEST_DIR/mi.log" '^\^connected' "gdb did not connect to $address" || return 1
    expect_match "$TEST_DIR/mi.log" '^\*stopped,reason="breakpoint-hit".*func="bump"' "no stop at the breakpoint" || return 1
    expect_match "$TEST_DIR/mi.log" 'translate ADDR' "the helper's kvmstub command did not list the monitor" || return 1
    expect_match "$TEST_DIR/mi.log" '^\*stopped,reason="exited",exit-code="01"' "the guest did not run to its end" || return 1
    [ "$(cat "$TEST_DIR/status")" = 1 ] || fail_because "kvmstub status $(cat "$TEST_DIR/status")"
}
