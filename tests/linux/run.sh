# tests/linux/run.sh — the Linux tests' lane (sourced by tests/run.sh).
#
# Builds (or finds in the cache) the fixture kernel and initramfs, then runs the Linux boot
# tests (tests/linux/suite_linux.sh) and the kernel debugging sessions
# (tests/gdb-scripts/linux_*.gdb) one after another in the background, beside the other tests:
# a Linux boot is long where guest kernel code is emulated (DESIGN.md §7). Each has 900 s
# (LINUX_TEST_TIMEOUT: the hardware-host lane, where a boot takes seconds, sets less).

linux_fixtures() {
    KERNEL_DIR=$(bash guest/linux/build-kernel.sh 2>"$OUT/linux-build.log" | tail -n 1)
    INITRD=$(bash guest/linux/build-initramfs.sh 2>>"$OUT/linux-build.log" | tail -n 1)
    [ -f "$KERNEL_DIR/bzImage" ] && [ -f "$KERNEL_DIR/vmlinux" ] && [ -f "$INITRD" ]
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
