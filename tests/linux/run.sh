# tests/linux/run.sh — the Linux tests' lane (sourced by tests/run.sh).
#
# Builds (or finds in the cache) the fixture kernel and initramfs, then runs the Linux boot
# tests (tests/linux/suite_linux.sh) and the kernel debugging sessions
# (tests/gdb-scripts/linux_*.gdb) one after another in the background, beside the other tests:
# a Linux boot is long where guest kernel code is emulated (DESIGN.md §7). Each has 900 s
# (LINUX_TEST_TIMEOUT: the hardware-host lane, where a boot takes seconds, sets less).

linux_fixtures() {
    KERNEL_DIR=$(bash guest/linux/build-kernel.sh 2>"$OUT/linux-build.log" | tail -n 1)
    INITRD=$(bash guest/linux/build-initramfs.sh "$KERNEL_DIR" 2>>"$OUT/linux-build.log" | tail -n 1)
    [ -f "$KERNEL_DIR/bzImage" ] && [ -f "$KERNEL_DIR/vmlinux" ] && [ -f "$INITRD" ]
}

# The snapshot fixture (issue 11.2: one boot, many sessions): the PVH vmlinux with two vCPUs
# and the initramfs, stopped by gdb once the kernel printed its banner and written to a file,
# from which kernel tests start (`# args: --restore $KERNEL_SNAP`) instead of booting. Kept in
# the cache, keyed by the kernel, the initramfs, this kvmstub's version (only the version that
# wrote a file reads it) and the host's CPU (the guest's CPUID must fit it); where the cache cannot be
# written (inside the hardware-host lane) it is made in $OUT, once for the run. Sets
# KERNEL_SNAP, or KERNEL_SNAP_WHY and returns 1.
linux_snapshot_fixture() {
    local key dir d=$OUT/kernel-snap pid port
    key=$({
        echo "$KERNEL_DIR" "$INITRD"
        "$ROOT/kvmstub" --version
        grep -m1 -E '^(model name|flags)' /proc/cpuinfo
    } | sha256sum | cut -c1-16)
    dir=${KVMSTUB_CACHE:-$HOME/.cache/kvmstub}
    KERNEL_SNAP=$dir/kernel-banner-$key.snap
    [ -s "$KERNEL_SNAP" ] && return 0
    mkdir -p "$dir" 2>/dev/null
    [ -w "$dir" ] || KERNEL_SNAP=$OUT/kernel-banner-$key.snap
    [ -s "$KERNEL_SNAP" ] && return 0
    mkdir -p "$d"
    "$ROOT/kvmstub" --gdb 127.0.0.1:0 --cpus 2 --initrd "$INITRD" "$KERNEL_DIR/vmlinux" \
        >"$d/console" 2>"$d/stderr" </dev/null &
    pid=$!
    if ! wait_for_line "$d/stderr" 'waiting for gdb on' 20 "$pid"; then
        KERNEL_SNAP_WHY="kvmstub did not listen: $(tail -n 2 "$d/stderr" | tr '\n' ' ')"
        kill -9 "$pid" 2>/dev/null
        return 1
    fi
    port=$(sed -n 's/.*waiting for gdb on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$d/stderr" | head -n 1)
    # Stopped with Ctrl-C once the kernel prints its banner: a breakpoint set before paging
    # (break start_kernel) is an exec trap on hosts whose debug registers are dead, and on the
    # lane's emulated SVM getting through its page (which also holds clear_bss) is too slow to
    # rely on (DESIGN.md §7); after the banner the kernel's text is mapped, so the tests' own
    # breakpoints are INT3s.
    gdb_continue_until_console "$d/console" "Linux version" "${LINUX_TEST_TIMEOUT:-900}" >"$d/write.gdb"
    cat >>"$d/write.gdb" <<GDB
monitor snapshot save start
monitor snapshot write start $KERNEL_SNAP
printf "FIXTURE-STOPPED %#lx\\n", \$pc
kill
GDB
    # Away from any terminal, as run_one runs tests.
    setsid timeout "${LINUX_TEST_TIMEOUT:-900}" "${GDB_BATCH[@]}" "$KERNEL_DIR/vmlinux" \
        -ex "target remote 127.0.0.1:$port" -x "$d/write.gdb" >"$d/gdb.log" 2>&1 </dev/null
    wait_pid "$pid" 30
    if ! grep -q '^FIXTURE-STOPPED 0x' "$d/gdb.log" || [ ! -s "$KERNEL_SNAP" ]; then
        KERNEL_SNAP_WHY="gdb did not write it (see $d/gdb.log)"
        rm -f "$KERNEL_SNAP"
        return 1
    fi
    echo "kernel snapshot fixture: $KERNEL_SNAP" >&2
}

linux_lane() {
    if ! linux_fixtures; then
        echo "FAIL linux_fixtures: building the kernel or initramfs failed (see tests/out/linux-build.log)" |
            tee "$OUT/results/linux_fixtures"
        return
    fi
    echo "PASS linux_fixtures: $KERNEL_DIR, $INITRD" | tee "$OUT/results/linux_fixtures"
    export KERNEL_DIR INITRD
    for fn in $(grep -o '^test_[a-z0-9_]*' tests/linux/suite_linux.sh); do
        echo "${fn#test_}" | grep -qE -- "$FILTER" || continue
        SUITE=tests/linux/suite_linux.sh TEST_TIMEOUT=${LINUX_TEST_TIMEOUT:-900} run_one "${fn#test_}" "$ROOT/kvmstub" "$fn"
    done
    for script in tests/gdb-scripts/linux/*.gdb; do
        [ -e "$script" ] || continue
        local name
        name="gdb_$(basename "${script%.gdb}")"
        echo "$name" | grep -qE -- "$FILTER" || continue
        # shellcheck disable=SC2016 # the header's literal $KERNEL_SNAP
        if grep -q '^# args:.*\$KERNEL_SNAP' "$script" && [ -z "${KERNEL_SNAP:-}" ]; then
            linux_snapshot_fixture || KERNEL_SNAP=${KERNEL_SNAP:-none}
            export KERNEL_SNAP KERNEL_SNAP_WHY
        fi
        TEST_TIMEOUT=${LINUX_TEST_TIMEOUT:-900} run_one "$name" "$ROOT/kvmstub" gdb_script "$script"
    done
}

# Every Linux test's name, one per line.
linux_test_names() {
    grep -o '^test_[a-z0-9_]*' tests/linux/suite_linux.sh | sed 's/^test_//'
    for f in tests/gdb-scripts/linux/*.gdb; do [ -e "$f" ] && echo "gdb_$(basename "${f%.gdb}")"; done
}

schedule_linux_tests() {
    local names
    names=$(linux_test_names | grep -E -- "$FILTER")
    [ -n "$names" ] || return 0
    linux_lane &
    LINUX_LANE_PID=$!
    # The Linux lane takes one core for minutes; the other tests share the other.
    JOBS=1
}
