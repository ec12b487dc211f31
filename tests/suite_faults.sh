# tests/suite_faults.sh — hostile input and faults with real processes: debugger clients that
# misbehave (a byte at a time, never reading, 10,000 random and malformed packets), guests that
# fault under the debugger (unmapped memory, triple fault), and hostile image files. Whatever
# happens, kvmstub must not crash, hang, lose the guest's state or let memory grow unbounded.
# The raw protocol clients are in tests/fuzz/rsp_client.py.
# (gdb killed while the guest runs or is stopped: tests/suite_gdb_sessions.sh; reads and writes
# beyond RAM and wrapping past 2^64: tests/gdb-scripts/unmapped_memory.gdb.)

RSP_CLIENT=tests/fuzz/rsp_client.py
SPIN=build/guest/spin64.img
LOOP=build/guest/loop64.img

# status_kib PID FIELD: a /proc/PID/status memory figure (VmRSS, VmHWM) in KiB.
status_kib() {
    sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

# memory_check PID BASE_KIB: kvmstub's peak memory grew less than the limit since BASE_KIB.
memory_check() {
    local now
    now=$(status_kib "$1" VmHWM)
    [ -n "$now" ] && [ -n "$2" ] || { fail_because "cannot read kvmstub's memory use"; return 1; }
    echo "kvmstub's peak memory: $2 KiB before, $now KiB after"
    [ $((now - $2)) -lt "$(memory_growth_limit_kib)" ] || fail_because "kvmstub's memory grew by $((now - $2)) KiB"
}

# How much kvmstub's peak memory may grow while a client misbehaves: its output queue is capped
# at 8 MiB (stub/conn.h). AddressSanitizer keeps freed memory in quarantine, so it gets more.
memory_growth_limit_kib() {
    case $KVMSTUB in
    */build/san/*) echo $((128 * 1024)) ;;
    *) echo $((64 * 1024)) ;;
    esac
}

# wait_for_announcement N TIMEOUT_S: kvmstub has said "waiting for gdb" more than N times: it
# dropped its client (whatever the reason it gave) and is ready for the next one.
wait_for_announcement() {
    local deadline=$((SECONDS + $2))
    while [ "$(grep -c 'waiting for gdb on' "$TEST_DIR/stderr")" -le "$1" ]; do
        [ $SECONDS -lt $deadline ] && kill -0 "$KVMSTUB_PID" 2>/dev/null || return 1
        nap 0.02
    done
}

# finish_spin_guest LOG: attach a real gdb, check the guest never ran, release it, run it to its
# end (status 1).
finish_spin_guest() {
    run_gdb "$1" "$SPIN" -ex "target remote 127.0.0.1:$GDB_PORT" -ex 'p *(long *)&spins' \
        -ex 'p $pc == (long)&_start' -ex 'set *(long *)&release = 1' -ex continue
    cat "$1"
    expect_match "$1" '^\$1 = 0$' "the guest ran while the client held the session" || return 1
    expect_match "$1" '^\$2 = 1$' "the guest is no longer at its entry point" || return 1
    expect_match "$1" 'exited with code 01' "the next gdb could not finish the guest" || return 1
    wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 1 ] || fail_because "kvmstub status $WAIT_STATUS"
}

# start_noread_client REPLIES OUTCOME: kvmstub on the spin guest, and a client that sends
# requests with REPLIES (small or big) replies and never reads them, until the client reports
# OUTCOME (stalled or dropped). Sets CLIENT_PID and BASE_KIB (kvmstub's peak RSS before).
start_noread_client() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    BASE_KIB=$(status_kib "$KVMSTUB_PID" VmHWM)
    python3 "$RSP_CLIENT" noread "$GDB_PORT" "$1" >"$TEST_DIR/client.log" 2>&1 &
    CLIENT_PID=$!
    wait_for_line "$TEST_DIR/client.log" '^noread: |FAIL' 120 "$CLIENT_PID" || { fail_because "the client neither stalled nor was dropped"; return 1; }
    cat "$TEST_DIR/client.log"
    expect_match "$TEST_DIR/client.log" "^noread: $2" "$(head -n 1 "$TEST_DIR/client.log")"
}

test_fault_packets_sent_a_byte_at_a_time_get_the_same_replies() {
    start_kvmstub_gdb "$LOOP" || { fail_because "kvmstub did not listen"; return 1; }
    timeout 120 python3 "$RSP_CLIENT" bytewise "$GDB_PORT" >"$TEST_DIR/client.log" 2>&1
    local rc=$?
    cat "$TEST_DIR/client.log"
    [ $rc = 0 ] || { fail_because "$(grep -m1 FAIL "$TEST_DIR/client.log" || echo "client status $rc")"; return 1; }
    kill -0 "$KVMSTUB_PID" 2>/dev/null || fail_because "kvmstub died"
}

# A client that sends requests with tiny replies and never reads: kvmstub's output queue fills,
# it stops reading that client (the client's sends block) and goes on serving everything else.
test_fault_client_that_never_reads_is_pushed_back_not_waited_for() {
    start_noread_client small stalled || return 1
    kill -0 "$KVMSTUB_PID" 2>/dev/null || { fail_because "kvmstub died"; return 1; }
    memory_check "$KVMSTUB_PID" "$BASE_KIB" || return 1
    # Still serving: a second debugger is told at once that the first one holds the session.
    run_gdb "$TEST_DIR/gdb2.log" -ex "target remote 127.0.0.1:$GDB_PORT"
    cat "$TEST_DIR/gdb2.log"
    grep -qi 'another debugger' "$TEST_DIR/gdb2.log" || { fail_because "kvmstub did not answer a second debugger"; return 1; }
    kill "$CLIENT_PID"
    wait "$CLIENT_PID" 2>/dev/null
    wait_for_line "$TEST_DIR/stderr" 'gdb disconnected' 30 "$KVMSTUB_PID" || { fail_because "kvmstub did not notice the client left"; return 1; }
    finish_spin_guest "$TEST_DIR/gdb3.log"
}

# A client that asks for 256 KiB replies and never reads: kvmstub drops it at its output limit
# instead of buffering without end, and the next debugger finds the guest as it was.
test_fault_client_that_never_reads_big_replies_is_dropped() {
    start_noread_client big dropped || return 1
    wait_for_line "$TEST_DIR/stderr" 'not reading its replies' 30 "$KVMSTUB_PID" || { fail_because "kvmstub did not say why it dropped the client"; return 1; }
    memory_check "$KVMSTUB_PID" "$BASE_KIB" || return 1
    kill "$CLIENT_PID"
    wait "$CLIENT_PID" 2>/dev/null
    finish_spin_guest "$TEST_DIR/gdb2.log"
}

# NAKs ask kvmstub to send its last packet again; 1024 of them after a 256 KiB reply, arriving
# at once, must not make kvmstub buffer 256 MiB (64 KiB of them would be 16 GiB).
test_fault_nak_flood_does_not_balloon_memory() {
    start_kvmstub_gdb "$SPIN" || { fail_because "kvmstub did not listen"; return 1; }
    local base
    base=$(status_kib "$KVMSTUB_PID" VmHWM)
    python3 "$RSP_CLIENT" nakflood "$GDB_PORT" 1024 >"$TEST_DIR/client.log" 2>&1 &
    local client=$!
    wait_for_line "$TEST_DIR/client.log" '^nakflood: |FAIL' 60 "$client" || { fail_because "the client did not get its NAKs read"; return 1; }
    cat "$TEST_DIR/client.log"
    expect_match "$TEST_DIR/client.log" '^nakflood: ' "$(head -n 1 "$TEST_DIR/client.log")" || return 1
    # A second connection is answered only once kvmstub is done with the NAKs.
    timeout 60 python3 "$RSP_CLIENT" probe "$GDB_PORT" || { fail_because "kvmstub stopped answering"; return 1; }
    memory_check "$KVMSTUB_PID" "$base" || return 1
    local announced
    announced=$(grep -c 'waiting for gdb on' "$TEST_DIR/stderr")
    kill "$client"
    wait "$client" 2>/dev/null
    wait_for_announcement "$announced" 30 || { fail_because "kvmstub did not notice the client left"; return 1; }
    finish_spin_guest "$TEST_DIR/gdb2.log"
}

# The client continues the guest, then floods requests and never reads: the guest runs on to its
# own end (2-3 s by the RTC) and kvmstub ends with the guest's status.
test_fault_guest_runs_to_its_end_while_the_client_never_reads() {
    assemble64 rtc <<'ASM' || return 1
bits 64
global _start
%macro RTC_SECONDS 0
        mov al, 0                       ; CMOS register 0: seconds
        out 0x70, al
        in al, 0x71
%endmacro
section .text
_start: mov ecx, 3                      ; three ticks of the RTC's seconds: 2 to 3 s
        RTC_SECONDS
        mov bl, al
.wait:  RTC_SECONDS
        cmp al, bl
        je .wait
        mov bl, al
        dec ecx
        jnz .wait
        mov al, 'T'
        out 0xe9, al
        mov al, 10
        out 0xe9, al
        mov al, 0
        out 0xf4, al                    ; status 1
ASM
    start_kvmstub_gdb "$TEST_DIR/rtc.img" || { fail_because "kvmstub did not listen"; return 1; }
    python3 "$RSP_CLIENT" noread "$GDB_PORT" running >"$TEST_DIR/client.log" 2>&1 &
    local client=$!
    wait_pid "$KVMSTUB_PID" 60 || { fail_because "kvmstub did not end while the client flooded it"; return 1; }
    # The client's verdict: kvmstub stopped taking its requests, or ended with it connected.
    wait_for_line "$TEST_DIR/client.log" '^noread: |FAIL' 30 "$client"
    kill "$client" 2>/dev/null
    wait "$client" 2>/dev/null
    cat "$TEST_DIR/client.log" "$TEST_DIR/stderr"
    grep -qE '^noread: (stalled|dropped)' "$TEST_DIR/client.log" ||
        { fail_because "the client did not flood a running guest: $(head -n 1 "$TEST_DIR/client.log")"; return 1; }
    [ "$WAIT_STATUS" = 1 ] || { fail_because "kvmstub status $WAIT_STATUS, expected the guest's 1"; return 1; }
    grep -q '^T$' "$TEST_DIR/console" || fail_because "the guest did not finish its run"
}

# 10,000 random and malformed packets (bad checksums, noise, cut packets, NAKs, oversized
# packets, bad hex, huge lengths, unknown commands, Z/z of every kind, monitor commands, m/M/X at
# absurd addresses), each answered in lock step; then '?', 'g' and memory read as before, and
# the guest runs to its end and passes.
test_fault_10000_random_and_malformed_packets_change_nothing() {
    start_kvmstub_gdb "$LOOP" || { fail_because "kvmstub did not listen"; return 1; }
    timeout 240 python3 "$RSP_CLIENT" flood "$GDB_PORT" 10000 "${FAULT_SEED:-6}" >"$TEST_DIR/client.log" 2>&1
    local rc=$?
    cat "$TEST_DIR/client.log"
    [ $rc = 0 ] || { fail_because "$(grep -m1 FAIL "$TEST_DIR/client.log" || echo "client status $rc")"; return 1; }
    wait_pid "$KVMSTUB_PID" 30 || { fail_because "kvmstub did not end with the guest"; return 1; }
    [ "$WAIT_STATUS" = 1 ] || { fail_because "kvmstub status $WAIT_STATUS"; return 1; }
    grep -q '^loop64 OK$' "$TEST_DIR/console" || fail_because "the guest did not pass its own checks"
}

test_fault_guest_touching_unmapped_memory_stops_with_sigbus() {
    assemble64 mmio <<'ASM' || return 1
bits 64
default rel
global _start, read_nothing, after_read, write_nothing, after_write, seen
section .text
_start: mov rbx, 0x80000000             ; identity-mapped, but neither RAM nor a device
read_nothing:
        mov eax, [rbx]
after_read:
        mov [seen], eax
        cmp eax, 0xffffffff             ; a read of nothing gives all ones
        jne fail
write_nothing:
        mov dword [rbx], 0x12345678     ; and a write goes nowhere
after_write:
        cmp dword [seen], 0xffffffff
        jne fail
        mov al, 0
        out 0xf4, al                    ; status 1
fail:   mov al, 1
        out 0xf4, al                    ; status 3
section .data
seen:   dd 0
ASM
    start_kvmstub_gdb "$TEST_DIR/mmio.img" || { fail_because "kvmstub did not listen"; return 1; }
    run_gdb "$TEST_DIR/gdb.log" "$TEST_DIR/mmio.img" -ex "target remote 127.0.0.1:$GDB_PORT" \
        -ex continue -ex 'p $pc == (long)&after_read' -ex 'p/x $eax' -ex 'x/i $pc' \
        -ex continue -ex 'p $pc == (long)&after_write' -ex continue
    cat "$TEST_DIR/gdb.log" "$TEST_DIR/stderr"
    [ "$(grep -c 'Program received signal SIGBUS' "$TEST_DIR/gdb.log")" = 2 ] || { fail_because "gdb did not see two SIGBUS stops"; return 1; }
    expect_match "$TEST_DIR/gdb.log" '^\$1 = 1$' "the read's stop is not right after it" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$2 = 0xffffffff$' "the read did not give all ones" || return 1
    expect_match "$TEST_DIR/gdb.log" '=> 0x[0-9a-f]* <after_read>:' "gdb could not show the code at the stop" || return 1
    expect_match "$TEST_DIR/gdb.log" '^\$3 = 1$' "the write's stop is not right after it" || return 1
    expect_match "$TEST_DIR/gdb.log" 'exited with code 01' "the guest did not run on to its end" || return 1
    expect_match "$TEST_DIR/stderr" 'accessed 0x80000000, which is neither RAM nor a device' "kvmstub did not say what was accessed" || return 1
    wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 1 ] || fail_because "kvmstub status $WAIT_STATUS"
}

test_fault_guest_triple_fault_stops_with_sigsegv_then_exits_6() {
    assemble64 tf <<'ASM' || return 1
bits 64
default rel
global _start, fault
section .text
_start: lidt [idtr]                     ; an empty IDT: any exception becomes a triple fault
        mov rax, 0x1234abcd
fault:  ud2                             ; #UD, no handler, #DF, no handler: shutdown
        mov al, 0
        out 0xf4, al
section .data
idtr:   dw 0
        dq 0
ASM
    # Resuming from the fatal stop ends the guest, whether gdb continues or steps (a step of one
    # vCPU runs on another path than a continue).
    local resume
    for resume in continue stepi; do
        start_kvmstub_gdb "$TEST_DIR/tf.img" || { fail_because "kvmstub did not listen"; return 1; }
        run_gdb "$TEST_DIR/gdb-$resume.log" "$TEST_DIR/tf.img" -ex "target remote 127.0.0.1:$GDB_PORT" \
            -ex continue -ex 'p $pc == (long)&fault' -ex 'p/x $rax' -ex 'info registers rip cs' \
            -ex 'x/i $pc' -ex 'monitor exception' -ex "$resume"
        local log="$TEST_DIR/gdb-$resume.log"
        cat "$log" "$TEST_DIR/stderr"
        expect_match "$log" 'Program received signal SIGSEGV' "gdb did not see a SIGSEGV stop" || return 1
        if [ -e /sys/module/kvm_amd ]; then
            # kvm_amd resets the vCPU on a shutdown, as AMD hardware does: the stop shows the
            # reset state, and kvmstub says so.
            expect_match "$log" '^\$1 = 0$' "the stop is not in the reset state" || return 1
            grep -qE '^cs +0xf000 ' "$log" || { fail_because "CS is not the reset CS"; return 1; }
            expect_match "$TEST_DIR/stderr" 'reset the vCPU on the shutdown' "kvmstub did not say the state was reset" || return 1
            expect_match "$log" 'triple fault (shutdown); this host.s KVM reset the vCPU' "monitor exception did not say the state was reset" || return 1
        else
            expect_match "$log" '^\$1 = 1$' "the stop is not at the faulting instruction" || return 1
            expect_match "$log" '^\$2 = 0x1234abcd$' "registers at the stop are wrong" || return 1
            grep -qE '^cs +0x20 ' "$log" || { fail_because "info registers failed"; return 1; }
            expect_match "$log" '=> 0x[0-9a-f]* <fault>:.*ud2' "gdb could not show the code at the stop" || return 1
            # The chain, read back from the state (debug/shutdown_chain.c): the empty IDT.
            expect_match "$log" '^vCPU 0: triple fault (shutdown) at 0x[0-9a-f]*, where the chain began' "monitor exception did not name the triple fault" || return 1
            expect_match "$log" "^#DF (vector 8) cannot be delivered: its entry lies beyond the IDT's limit (0x0)" "monitor exception did not say why #DF failed" || return 1
            expect_match "$log" '^chain: any exception raised here -> ... -> #DF -> shutdown' "monitor exception did not give the chain" || return 1
        fi
        expect_match "$log" 'exited with code 06' "$resume did not end the guest with status 6" || return 1
        expect_match "$TEST_DIR/stderr" 'triple fault' "kvmstub did not say why" || return 1
        wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 6 ] || { fail_because "kvmstub status $WAIT_STATUS after $resume, expected 6"; return 1; }
    done
}

# `monitor exception` at a triple fault tells the chain from the vCPU's state
# (debug/shutdown_chain.c), following the CPU's double-fault rules. Three guests whose IDT lacks
# some gates (every other leads to a handler that ends the guest with status 7: it never runs):
# - #PF and #DF missing, then a load the page tables do not map: #PF, whose delivery fails
#   (#NP) and makes a #DF, whose delivery fails: shutdown, the issue's own example;
# - #UD, #NP and #DF missing, then UD2: #UD (benign), whose failed delivery raises #NP, which is
#   delivered after it (no #DF yet), and fails too: #NP twice makes a #DF, which fails.
# - #DE and #DF missing, then a division by zero: #DE (contributory), whose failed delivery
#   raises #NP (contributory too): a #DF, which fails.
# Where KVM resets the vCPU on the shutdown (kvm_amd) only a recording can tell, and monitor
# exception says so; there only the #DE guest runs. kvm_amd intercepts #UD always, and #PF
# when it shadows the guest's page tables (npt=0, the hardware-host lane's setting), and gives
# them back to the guest through VMRUN's event injection; QEMU's emulated SVM delivers an
# injected exception without the double-fault rules, so a missing gate there ends in the #NP
# handler (status 7), not in a shutdown. Hardware applies the rules to injected events too; no
# KVM intercepts #DE.
chain_guest() {
    local name=$1 missing=$2 fault=$3 v skips=''
    for v in $missing; do skips+="        cmp ecx, $v"$'\n'"        je .next"$'\n'; done
    assemble64 "$name" <<ASM
bits 64
default rel
global _start, fault
section .text
_start: lea rdi, [idt]
        lea rax, [handler]
        mov dx, cs
        xor ecx, ecx
.fill:
$skips        mov rsi, rcx
        shl rsi, 4
        mov [rdi + rsi], ax             ; offset 15:0
        mov [rdi + rsi + 2], dx         ; selector
        mov byte [rdi + rsi + 5], 0x8e  ; present, DPL 0, 64-bit interrupt gate
        mov r8, rax
        shr r8, 16
        mov [rdi + rsi + 6], r8w        ; offset 31:16
        shr r8, 16
        mov [rdi + rsi + 8], r8d        ; offset 63:32
.next:  inc ecx
        cmp ecx, 32
        jne .fill
        lidt [idtr]
        mov rbx, 0x8000000000           ; beyond the boot's identity map
        xor r9d, r9d                    ; a divisor of zero
fault:  $fault
        mov al, 0
        out 0xf4, al
handler:
        mov al, 3                       ; a handler ran: status 7
        out 0xf4, al
section .data
idtr:   dw 32 * 16 - 1
        dq idt
align 16
idt:    times 32 * 16 db 0
ASM
}

test_fault_triple_fault_chain_read_from_the_state() {
    chain_guest pf "8 14" "mov rax, [rbx]" || return 1
    chain_guest ud "6 8 11" "ud2" || return 1
    chain_guest de "0 8" "div r9d" || return 1
    local g log guests="pf ud de"
    [ -e /sys/module/kvm_amd ] && guests=de
    for g in $guests; do
        start_kvmstub_gdb "$TEST_DIR/$g.img" || { fail_because "kvmstub did not listen"; return 1; }
        log=$TEST_DIR/gdb-$g.log
        run_gdb "$log" "$TEST_DIR/$g.img" -ex "target remote 127.0.0.1:$GDB_PORT" \
            -ex continue -ex 'monitor exception' -ex continue
        cat "$log" "$TEST_DIR/stderr"
        expect_match "$log" 'Program received signal SIGSEGV' "$g: gdb did not see a SIGSEGV stop" || return 1
        if [ -e /sys/module/kvm_amd ]; then
            expect_match "$log" 'triple fault (shutdown); this host.s KVM reset the vCPU.*reverse-stepi' "$g: monitor exception did not say the state was reset" || return 1
        else
            expect_match "$log" '^vCPU 0: triple fault (shutdown) at 0x[0-9a-f]*, where the chain began' "$g: monitor exception did not name the triple fault" || return 1
            expect_match "$log" '^#DF (vector 8) cannot be delivered: its gate is not present$' "$g: monitor exception did not say why #DF failed" || return 1
            if [ $g = pf ]; then
                expect_match "$log" '^#PF (vector 14) cannot be delivered either: its gate is not present$' "pf: monitor exception did not find the #PF" || return 1
                expect_match "$log" '^chain: #PF -> #DF -> shutdown$' "pf: monitor exception did not give the chain" || return 1
            elif [ $g = de ]; then
                expect_match "$log" '^#DE (vector 0) cannot be delivered either: its gate is not present$' "de: monitor exception did not find the #DE" || return 1
                expect_match "$log" '^chain: #DE -> #DF -> shutdown$' "de: monitor exception did not give the chain" || return 1
            else
                expect_match "$log" '^  #UD (vector 6): its gate is not present$' "ud: monitor exception did not find the #UD" || return 1
                expect_match "$log" '^    chain: #UD -> #NP -> #DF -> shutdown$' "ud: monitor exception did not give the #UD's chain" || return 1
            fi
        fi
        wait_pid "$KVMSTUB_PID" 30 && [ "$WAIT_STATUS" = 6 ] || { fail_because "$g: kvmstub status $WAIT_STATUS, expected 6"; return 1; }
    done
}

# Every loader input of the fuzz corpus and every loader bug ever found, booted for real:
# kvmstub refuses it with a message (status 4) or, for the corpus's valid images, runs it to its
# end at once (the exit port's pass, 1, or `cli; hlt`, 0). A regression input must be refused;
# nothing may crash the guest (6), fail to emulate (8), die of a signal or hang.
test_fault_hostile_images_are_refused_cleanly() {
    local f rc n=0 refused=0
    for f in tests/fuzz/corpus/loader/* tests/fuzz/regressions/loader/*; do
        [ -f "$f" ] || continue
        timeout -k 5 15 "$KVMSTUB" --console none "$f" >/dev/null 2>"$TEST_DIR/err"
        rc=$?
        n=$((n + 1))
        echo "$f: status $rc: $(head -n 1 "$TEST_DIR/err")"
        case $rc in
        4)
            refused=$((refused + 1))
            expect_match "$TEST_DIR/err" "^kvmstub: $f: " "$f: refused without saying why: $(head -c 200 "$TEST_DIR/err")" || return 1 ;;
        0 | 1)
            case $f in */regressions/*) fail_because "$f: a regression input was loaded and run (status $rc), not refused"; return 1 ;; esac ;;
        124 | 137) fail_because "$f: kvmstub neither refused it nor ran it to an end in 15 s (it loaded an image it should refuse, or hung)"; return 1 ;;
        *) fail_because "$f: status $rc, expected 4 (refused) or a clean end: $(tail -n 3 "$TEST_DIR/err")"; return 1 ;;
        esac
    done
    echo "$n images, $refused refused"
    [ "$n" -gt 0 ] || fail_because "no loader corpus in tests/fuzz/corpus/loader"
}
