# tests/hwhost/run.sh — the hardware-host lane (sourced by tests/run.sh).
#
# Our /dev/kvm is PVM, which emulates guest kernel code (DESIGN.md §7); users run kvmstub on
# hardware virtualization. This lane boots an outer VM in QEMU's TCG mode (no KVM for it) with
# an emulated AMD CPU that has SVM, where Debian's kernel loads kvm_amd (DESIGN.md §10), and runs
# a chosen set of the project's own tests inside it, against that /dev/kvm:
#   - the outer kernel and initramfs come from tests/hwhost/build-outer.sh (cached);
#   - the host's / is shared read-only (9p) and becomes the VM's root under an overlay, so the
#     tests use this very tree, build and tools, and the Linux fixtures from the cache;
#   - $OUT/hw/share is a second, writable share: the job (job.sh → tests/hwhost/inner.sh) goes
#     in, the inner tests' results and logs come out;
#   - each inner test NAME becomes the result hw-NAME here, its logs in $OUT/hw/NAME/; the
#     lane itself (booted, had /dev/kvm, ran, reported in time) is the result hwhost_lane.
# A test is in the lane when "hw-NAME" matches the --filter regex. Every wait is bounded; QEMU
# runs under a hard time limit (HWHOST_TIMEOUT seconds, whole lane). A failure to boot, a
# missing /dev/kvm or a stall fails hwhost_lane with the console's last lines, and every inner
# test without a result fails with it.
#
# The outer VM's QEMU command line and what its kernel prints when it fails: tests/hwhost/outer.sh.
# Knobs: HWHOST_TIMEOUT (default 1500 s a boot), HWHOST_CPU (QEMU's -cpu, default max: SVM with nested
# paging; EPYC works too; qemu64,-svm shows how the lane fails without /dev/kvm),
# HWHOST_TCG_THREAD (multi, the default, or single), HWHOST_KVM_AMD (kvm_amd's parameters,
# default kvm_amd.npt=0 kvm_amd.vgif=0), HWHOST_SILENT and HWHOST_STALL (below).

. tests/hwhost/outer.sh

# The inner tests, by their names in tests/run.sh; "demo" is tests/demo.sh (`make demo`).
HWHOST_TESTS=(
    # Linux user space, which PVM cannot run (tests/linux/suite_linux.sh)
    linux_userspace_facts_and_shell linux_bzimage_boots linux_large_memory_above_the_hole
    linux_cmdline_reaches_the_kernel linux_smp_brings_up_all_cpus
    # kernel debugging with gdb (tests/gdb-scripts/linux/; not kernel_debug_session, whose exec
    # traps on busy kernel pages are too slow here, DESIGN.md §7: kernel_module has its start,
    # break start_kernel and lx-dmesg, before its lx-ps with user space alive)
    gdb_smp_threads gdb_catch_page_fault_in_linux gdb_kaslr_kernel
    gdb_kernel_module gdb_triple_fault_in_linux
    # debugger sessions (tests/suite_gdb_sessions.sh)
    ctrl_c_stops_a_spinning_guest detach_then_a_second_gdb_attaches second_client_is_refused
    dropped_connection_keeps_guest_stopped detach_at_a_caught_exception
    connecting_to_a_running_guest_gives_no_layout_notice
    layout_outgrown_then_reconnect_gets_x86_64 layout_of_gdb_arch_outgrown_says_restart
    # breakpoints, watchpoints and stepping on kvm_amd (where QEMU's SVM reports neither INT3
    # nor debug-register hits: kvmstub's probe finds that and uses exec traps and memory traps)
    gdb_hbreak gdb_sw_break_hit_in_loop gdb_watch_write gdb_awatch_16_byte_range gdb_rwatch_read
    gdb_guest_own_int3_under_debugger gdb_step_blocks_timer_irq gdb_all_stop_two_vcpus
    gdb_straddle_into_exec_trap gdb_port_and_msr_breakpoints gdb_catch_exceptions
    gdb_six_breakpoints_before_paging gdb_step_into_exception gdb_catch_and_step_in_real_mode
    gdb_break_survives_guest_code_write gdb_int3_put_back_over_guest_write
    gdb_int3_put_back_with_two_vcpus gdb_break_page_written_as_kvm_cannot
    gdb_map_change_never_under_a_running_vcpu
    # range stepping, find, conditions and dprintf in the stub (issue 12)
    gdb_fewer_round_trips gdb_step_after_register_write gdb_step_after_an_emulated_access
    gdb_step_after_an_emulated_access_two_vcpus gdb_stepi_over_sti gdb_step_after_a_control_register_write
    gdb_rep_string_in_an_exec_trapped_page gdb_step_after_popf gdb_step_after_iret
    gdb_step_into_int_n_and_syscall
    gdb_step_into_int_n_and_syscall_two_vcpus
    # what gdb and LLDB see of the vCPUs and the image (stub/cmd_xfer.c, stub/cmd_lldb.c)
    gdb_info_threads_names_and_states gdb_symbols_without_a_file_argument
    gdb_monitor_commands gdb_monitor_info_qemu_forms
    lldb_registers_in_32bit_and_real_mode lldb_session_two_vcpus
    # the VM core driven directly (tests/vm): many VMs and vCPUs in one process
    test_vm_core
    # whole-machine snapshots (vm/snapshot.c): every KVM state ioctl on a real KVM
    gdb_snapshot_save_step_restore gdb_snapshot_two_vcpus gdb_snapshot_restore_boots_again
    snapshot_file_restores_a_bare_metal_guest snapshot_files_that_are_not_whole_are_refused
    linux_snapshot_file_boots_on_in_a_new_kvmstub
    # reverse execution (debug/record.c, debug/replay.c): single-steps, checkpoints, replays
    gdb_reverse_stepi_and_continue gdb_reverse_next_step_finish gdb_reverse_refused_with_two_vcpus
    gdb_reverse_from_a_triple_fault
    # triple faults: what KVM leaves of the state, and what monitor exception makes of it
    fault_guest_triple_fault_stops_with_sigsegv_then_exits_6 fault_triple_fault_chain_read_from_the_state
    demo
)

# The names selected by $FILTER, one per line.
hwhost_selected() {
    local n
    for n in "${HWHOST_TESTS[@]}"; do
        echo "hw-$n" | grep -qE -- "$FILTER" && echo "$n"
    done
}

# hw_result VERDICT NAME [REASON]: record and print one result, as run_one does.
hw_result() {
    local line="$1 $2${3:+: $3}"
    echo "$line" >"$OUT/results/$2"
    echo "$line"
}

# hw_wait_console REGEX LIMIT_S [new]: wait until the console has a whole line matching REGEX
# (with "new": one written from now on), QEMU ends, or LIMIT_S passes (false then). tail -f
# follows the file as it grows (no polling loop of ours) and ends with QEMU (--pid); grep sees
# only complete lines.
hw_wait_console() {
    [ "$2" -gt 0 ] || return 1
    local from=+1
    [ "${3:-}" = new ] && from=0
    # shellcheck disable=SC2016 # the inner shell expands them
    timeout "$2" bash -c 'grep -m1 -qE -- "$3" < <(exec tail -n "$4" -f --pid="$1" "$2" 2>/dev/null)' \
        hw_wait "$HW_QEMU_PID" "$HW_CONSOLE" "$1" "$from"
}

# hw_wait_done LIMIT_S: wait for the job's end (HWHOST-DONE or HWHOST-FAIL on the console);
# false when LIMIT_S passes, QEMU ends without it, the outer kernel prints that it failed, the
# console has no heartbeat (HWHOST-ALIVE, every 15 s from tests/hwhost/init) for HWHOST_SILENT
# seconds (default 90: the emulated host froze; seen: a boot silent for 420 s, no kernel
# message), or no result for HWHOST_STALL seconds (default 420: every inner test has a shorter
# limit and prints a line when it ends), with the reason in HW_STALL.
hw_wait_done() {
    local end=$((SECONDS + $1)) stall=${HWHOST_STALL:-420} silent=${HWHOST_SILENT:-90} left
    local results=-1 now last_result=$SECONDS
    HW_STALL=
    while ! grep -qE '^HWHOST-(DONE|FAIL):' "$HW_CONSOLE"; do
        if grep -qE "$HW_KERNEL_FAILED" "$HW_CONSOLE"; then
            HW_STALL="the outer kernel failed"
            return 1
        fi
        # A heartbeat is life, not progress: only a new result line counts as progress.
        now=$(tr -d '\r' <"$HW_CONSOLE" | grep -cE '^(PASS|FAIL|SKIP) ')
        [ "$now" = "$results" ] || results=$now last_result=$SECONDS
        [ $((SECONDS - last_result)) -lt "$stall" ] || {
            HW_STALL="no result on the console for $stall s (the outer VM alive)"
            return 1
        }
        left=$((end - SECONDS))
        [ $left -gt 0 ] || { HW_STALL="over the time limit"; return 1; }
        kill -0 "$HW_QEMU_PID" 2>/dev/null || { HW_STALL="QEMU ended"; break; }
        hw_wait_console "^(PASS|FAIL|SKIP|HWHOST-)|$HW_KERNEL_FAILED" $((left < silent ? left : silent)) new &&
            continue
        grep -qE '^HWHOST-(DONE|FAIL):' "$HW_CONSOLE" && return 0
        kill -0 "$HW_QEMU_PID" 2>/dev/null || { HW_STALL="QEMU ended"; break; }
        [ $((end - SECONDS)) -gt 0 ] && HW_STALL="the outer VM fell silent: no heartbeat for $silent s"
        [ -n "$HW_STALL" ] || HW_STALL="over the time limit"
        return 1
    done
    grep -qE '^HWHOST-(DONE|FAIL):' "$HW_CONSOLE"
}

# The console's last lines, on one line, for a reason.
hw_console_tail() {
    tr -d '\r' <"$HW_CONSOLE" | grep -v -e '^$' -e '^HWHOST-ALIVE:' | tail -n 6 | tr '\n' '|' | sed 's/|$//; s/|/ | /g'
}

# hw_limit_matches NAME REASON FAILURE [LOGS]: whether a failure of test NAME (its REASON, its
# logs in LOGS, by default $HW_DIR/NAME) is the one a host-limits line describes. FAILURE is one or more terms joined by " && ", each an extended
# regex that must match: the failure's reason, or with "gdb.log:" the test's gdb session, with
# "console:" the guest's console, with "stderr:" kvmstub's messages; a term that starts with "!"
# must not match.
hw_limit_matches() {
    local n=$1 reason=$2 rest=$3 logs=${4:-$HW_DIR/$1} term seen negate file
    [ -n "$rest" ] || return 1 # a line without a FAILURE describes no failure
    while [ -n "$rest" ]; do
        term=${rest%% && *}
        if [ "$term" = "$rest" ]; then rest=; else rest=${rest#* && }; fi
        negate=
        if [ "${term#!}" != "$term" ]; then negate=1 term=${term#!}; fi
        file=
        case $term in
        gdb.log:*) term=${term#gdb.log:} file=$logs/gdb.log ;;
        console:*) term=${term#console:} file=$logs/console ;;
        stderr:*) term=${term#stderr:} file=$logs/stderr ;;
        *) seen=$reason ;;
        esac
        if [ -n "$file" ]; then
            [ -f "$file" ] || return 1 # nothing to tell it by: not this limit
            seen=$(tr -d '\r' <"$file")
        fi
        if printf '%s\n' "$seen" | grep -qE -- "$term"; then
            [ -z "$negate" ] || return 1
        else
            [ -n "$negate" ] || return 1
        fi
    done
    return 0
}

# hw_known_limit NAME REASON [LOGS]: print the limit of the emulated host that explains this
# failure of test NAME (tests/hwhost/host-limits), or return false when none does.
hw_known_limit() {
    local failure limit
    while IFS=$'\t' read -r failure limit; do
        if [ -n "$limit" ] && hw_limit_matches "$1" "$2" "$failure" "${3:-}"; then
            printf '%s\n' "$limit"
            return 0
        fi
    done < <(awk -F'\t' -v n="$1" '$1 == n { print $2 "\t" $3 }' tests/hwhost/host-limits)
    return 1
}

# hw_result_reason NAME FILE: the reason in a result file.
hw_result_reason() {
    hw_line_reason "$1" "$(tr '\n' ' ' <"$2" | sed 's/ *$//')"
}

# hw_line_reason NAME LINE: the reason in a result line ("VERDICT NAME: reason").
hw_line_reason() {
    local line=${2#* "$1"}
    printf '%s\n' "${line#: }"
}

# hw_collect NAMES...: one result per inner test, from the results share (its logs moved to
# $OUT/hw/NAME/), else from the line tests/run.sh printed on the console, else a failure.
hw_collect() {
    local n line from=$HW_DIR/share/out
    for n in "$@"; do
        if [ -f "$from/results/$n" ]; then
            line=$(tr '\n' ' ' <"$from/results/$n" | sed 's/ *$//')
        else
            line=$(tr -d '\r' <"$HW_CONSOLE" | grep -E "^(PASS|FAIL|SKIP) $n(: .*)? \([0-9]+ s\)$" | tail -n 1 |
                sed 's/ ([0-9]* s)$//')
        fi
        [ -d "$from/$n" ] && rm -rf "${HW_DIR:?}/$n" && mv "$from/$n" "$HW_DIR/$n"
        local first=$HW_DIR/$n.first-run
        if [ -z "$line" ] && [ -f "$first/result" ]; then
            # Run again (hwhost_lane) but no second result: the first run's stands, logs and all.
            line="$(tr '\n' ' ' <"$first/result" | sed 's/ *$//') (no result from its second run, in a new boot)"
            rm -rf "${HW_DIR:?}/$n"
            mv "$first" "$HW_DIR/$n" && rm -f "$HW_DIR/$n/result"
        fi
        if [ -z "$line" ] && [ -n "$HW_HOST_DIED" ]; then
            hw_result SKIP "hw-$n" "no result: $HW_HOST_DIED"
            continue
        fi
        if [ -z "$line" ]; then
            hw_result FAIL "hw-$n" "no result from inside the hardware host ($([ -n "$HW_WHY" ] &&
                echo 'the lane failed: see hwhost_lane' || echo "see $HW_DIR/console"))"
            continue
        fi
        # "VERDICT NAME: reason" → "VERDICT hw-NAME: reason", paths pointing at the copies here.
        line=${line//\/tmp\/hwout\//$HW_DIR/}
        local verdict=${line%% *} reason limit
        reason=$(hw_line_reason "$n" "$line")
        # A known limit of the emulated host (tests/hwhost/host-limits): skipped, with why.
        if [ "$verdict" = FAIL ] && limit=$(hw_known_limit "$n" "$reason"); then
            verdict=SKIP reason="limit of the emulated host: $limit (failed here: $reason)"
        fi
        # A second run (hwhost_lane): the first run's failure goes with the result.
        if [ -f "$HW_DIR/$n.first-run/result" ]; then
            local said
            said=$(hw_result_reason "$n" "$first/result")
            reason="${reason:+$reason; }the second run, in a new boot; the first failed: ${said//\/tmp\/hwout\//$first/} (its logs: $first)"
        fi
        hw_result "$verdict" "hw-$n" "$reason"
    done
}

hwhost_lane() {
    local names start=$SECONDS lane_start=$SECONDS limit=${HWHOST_TIMEOUT:-1500} again=
    mapfile -t names < <(hwhost_selected)
    HW_DIR=$OUT/hw HW_CONSOLE=$OUT/hw/console HW_WHY= HW_HOST_DIED=
    mkdir -p "$HW_DIR/share"
    local outer
    outer=$(bash tests/hwhost/build-outer.sh 2>"$HW_DIR/build.log" | tail -n 1)
    if [ ! -f "$outer/vmlinuz" ] || [ ! -f "$outer/initramfs.cpio" ]; then
        HW_WHY="building the outer VM failed: $(tail -n 2 "$HW_DIR/build.log" | tr '\n' ' ')"
        hw_result FAIL hwhost_lane "$HW_WHY"
        HW_CONSOLE=/dev/null hw_collect "${names[@]}"
        return
    fi

    # The Linux fixtures come from the cache inside (the cache is read-only there, and a kernel
    # build under TCG would take the lane's time), so they are there before the boot: built
    # here, or, where this machine's own Linux tests are building them at the same time, waited
    # for (build-kernel.sh holds a lock; ci56 on a fresh machine with /dev/kvm booted the lane
    # before they existed, and every Linux test inside failed).
    if [ "$LINUX_REQUESTED" = 1 ]; then
        . tests/linux/run.sh
        if linux_fixtures; then
            hw_result PASS linux_fixtures "$KERNEL_DIR, $INITRD"
        else
            hw_result FAIL linux_fixtures "building the kernel or initramfs failed (see tests/out/linux-build.log)"
        fi
    fi

    # Up to three boots, each with $limit seconds: a boot that dies after it started the job
    # (below) is followed by another for the tests that have no result yet.
    local n inner demo attempt dead='' left
    for attempt in 1 2 3; do
        # The job: tests/run.sh's names of the tests still to run as one exact regex, and the
        # demo on its own.
        left=()
        for n in "${names[@]}"; do
            [ -f "$HW_DIR/share/out/results/$n" ] || left+=("$n")
        done
        [ ${#left[@]} -gt 0 ] || break
        inner='' demo=0
        for n in "${left[@]}"; do
            if [ "$n" = demo ]; then demo=1; else inner+="${inner:+|}$n"; fi
        done
        inner=${inner:+^($inner)\$}
        [ "$attempt" = 1 ] || start=$SECONDS HW_WHY=
        printf 'exec bash %q %q %q %q %q' "$ROOT/tests/hwhost/inner.sh" "$ROOT" \
            "$inner" "$demo" "${KVMSTUB_CACHE:-$HOME/.cache/kvmstub}" >"$HW_DIR/share/job.sh"
        echo ' --no-sanitize --no-fuzz --no-hwhost' >>"$HW_DIR/share/job.sh"

        : >"$HW_CONSOLE"
        touch "$HW_DIR/boot.mark"
        hw_outer_start "$outer" "$HW_DIR/share" "$HW_CONSOLE" "$limit" "$HW_DIR/qemu.log"

        local booted=
        if ! hw_wait_console '^HWHOST-(KVM|FAIL):' 120; then
            if kill -0 "$HW_QEMU_PID" 2>/dev/null; then
                HW_WHY="the outer VM did not boot to /dev/kvm in 120 s: $(hw_console_tail)"
            else
                HW_WHY="QEMU ended before the outer VM had /dev/kvm: $(tail -n 2 "$HW_DIR/qemu.log" | tr '\n' ' ')$(hw_console_tail)"
            fi
        elif grep -q '^HWHOST-FAIL:' "$HW_CONSOLE"; then
            HW_WHY="$(grep -m1 '^HWHOST-FAIL:' "$HW_CONSOLE" | tr -d '\r'): $(hw_console_tail)"
        else
            booted=$((SECONDS - start))
            if ! hw_wait_done $((limit - (SECONDS - start) - 10)); then
                HW_WHY="no end of the job after $((SECONDS - start)) s (limit $limit s; $HW_STALL): stalled or too slow: $(hw_console_tail)"
            elif grep -q '^HWHOST-FAIL:' "$HW_CONSOLE"; then
                HW_WHY="$(grep -m1 '^HWHOST-FAIL:' "$HW_CONSOLE" | tr -d '\r'): $(hw_console_tail)"
            elif [ ! -d "$HW_DIR/share/out/results" ]; then
                HW_WHY="the job ended without copying its results: $(hw_console_tail)"
            fi
        fi
        # Where a boot that stopped answering left the outer VM's CPUs, for whoever reads why.
        if [ -n "$HW_WHY" ] && [ -n "$booted" ]; then
            timeout 30 python3 -u tests/hwhost/qemu_cpus.py "$HW_MONITOR" >"$HW_DIR/cpus.boot$attempt" 2>&1
        fi
        # QEMU ends at the init's poweroff; if not, it is killed.
        timeout 30 tail -f --pid="$HW_QEMU_PID" /dev/null
        kill -9 -- "-$HW_QEMU_PID" 2>/dev/null
        wait "$HW_QEMU_PID" 2>/dev/null
        rm -f "$HW_MONITOR"
        # A failure the emulated host explains (tests/hwhost/host-limits) is run once more in a
        # new boot while the lane has time (HWHOST_RETRY_BEFORE seconds into it): those limits
        # strike some runs, not every one, and a second run that passes shows the feature
        # working on this host kind, where a skip shows nothing (not a test that ran out of
        # gdb's time: ci67's second run of one did too, 240 s more). The first run's result and
        # logs are kept in $HW_DIR/NAME.first-run, and the final result names both.
        if [ -z "$HW_WHY" ] && [ "$attempt" -lt 3 ] &&
            [ $((SECONDS - lane_start)) -lt "${HWHOST_RETRY_BEFORE:-900}" ]; then
            local r reason retry=0
            for n in "${left[@]}"; do
                r=$HW_DIR/share/out/results/$n
                [ -f "$r" ] && grep -q '^FAIL' "$r" && [ ! -e "$HW_DIR/$n.first-run" ] || continue
                reason=$(hw_result_reason "$n" "$r")
                [ "$reason" != "gdb timed out" ] || continue # too slow here: it would be again
                hw_known_limit "$n" "$reason" "$HW_DIR/share/out/$n" >/dev/null || continue
                mkdir -p "$HW_DIR/$n.first-run"
                [ -d "$HW_DIR/share/out/$n" ] && mv "$HW_DIR/share/out/$n"/* "$HW_DIR/$n.first-run/" 2>/dev/null
                rm -rf "${HW_DIR:?}/share/out/$n"
                mv "$r" "$HW_DIR/$n.first-run/result"
                echo "hwhost_lane: $n failed as the emulated host sometimes makes it fail: running it again in a new boot" >&2
                retry=$((retry + 1))
            done
            if [ "$retry" -gt 0 ]; then
                again=$((${again:-0} + retry))
                cp "$HW_CONSOLE" "$HW_DIR/console.boot$attempt" # the next boot writes its own
                continue
            fi
        fi
        # A boot that booted and then stopped answering (a stall, a wedged or panicked outer
        # kernel, DESIGN.md §10: every inner test has its own time limit, so that is not a test
        # hanging) is the emulated host's failure: its FAILs are suspect too, and run again.
        local why
        why=$(tr -d '\r' <"$HW_CONSOLE" | grep -m1 -E "$HW_KERNEL_FAILED|stack guard page" | sed 's/^\[ *[0-9.]*\] //')
        [ -n "$HW_WHY" ] && [ -n "$booted" ] || break
        cp "$HW_CONSOLE" "$HW_DIR/console.boot$attempt"
        dead+="boot $attempt: ${why:-$HW_STALL}; "
        find "$HW_DIR/share/out/results" -type f -newer "$HW_DIR/boot.mark" -exec grep -l '^FAIL' {} + 2>/dev/null |
            xargs -r rm -f
        if [ "$attempt" -eq 3 ]; then
            HW_HOST_DIED="the emulated host stopped answering in three boots ($dead)"
            break
        fi
        echo "hwhost_lane: the outer VM failed (${why:-$HW_STALL}): booting again for the tests without a result" >&2
    done

    if [ -n "$HW_HOST_DIED" ]; then
        hw_result SKIP hwhost_lane "$HW_HOST_DIED; last: $HW_WHY"
    elif [ -n "$HW_WHY" ]; then
        hw_result FAIL hwhost_lane "$HW_WHY"
    else
        hw_result PASS hwhost_lane "outer VM with kvm_amd up in $booted s; ${#names[@]} test(s) run and reported in $((SECONDS - lane_start)) s${dead:+ (in a new boot after: ${dead%; })}${again:+; $again run again in a new boot after a failure the emulated host explains}"
    fi
    # Every selected test, and whatever else the inner run reported (linux_fixtures, ...).
    local extra=()
    for n in "$HW_DIR"/share/out/results/*; do
        [ -f "$n" ] || continue
        n=${n##*/}
        printf '%s\n' "${names[@]}" | grep -qx -- "$n" || extra+=("$n")
    done
    hw_collect "${names[@]}" "${extra[@]}"
}

# Start the lane in the background beside the job slots, if the filter selects any of it.
# (tests/run.sh's schedule() leaves HWHOST_LANE_PID out of its count of running jobs.)
schedule_hwhost_lane() {
    [ -n "$(hwhost_selected)" ] || return 0
    hwhost_lane &
    # shellcheck disable=SC2034 # read by tests/run.sh
    HWHOST_LANE_PID=$!
}
