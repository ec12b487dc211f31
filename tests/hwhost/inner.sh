#!/usr/bin/env bash
# tests/hwhost/inner.sh — the hardware-host lane's job INSIDE the outer VM (run by the job.sh
# that tests/hwhost/run.sh writes into the results share; tests/hwhost/init runs that in a
# chroot over the host's own tree, where /dev/kvm is kvm_amd on QEMU's emulated SVM).
#
#   bash tests/hwhost/inner.sh REPO FILTER DEMO CACHE RUN_ARGS...
#
# REPO: the repository's path (the same inside as outside); FILTER: an extended regex of the
# tests/run.sh names to run (empty: none); DEMO: 1 to run tests/demo.sh as the test "demo";
# CACHE: the Linux fixtures' cache ($KVMSTUB_CACHE outside; init's $HOME is not the host's);
# RUN_ARGS: tests/run.sh's options for the inner run.
# Test output is in the overlay's tmpfs layer (/tmp/hwout: unix sockets cannot be bound on 9p); at the end it is
# copied, sockets left out, to /hwhost/out in the results share. Results stream to the console
# as tests/run.sh prints them, so a stalled VM still tells what finished.
set -u
repo=$1 filter=$2 demo=$3
export KVMSTUB_CACHE=$4
shift 4
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
export TEST_OUT=/tmp/hwout
# Tighter limits than on the host, where a Linux boot may take minutes: here a boot takes
# seconds, and a test that hangs must not take the lane's whole time with it. (120 s was too
# tight: under TCG the outer VM has slow spells, and test_vm_core and a Linux boot, 14-18 s
# and 11 s in other runs, both ran out of 120 s in one.)
export TEST_TIMEOUT=300 LINUX_TEST_TIMEOUT=300 GDB_TIMEOUT=90
share=/hwhost
cd "$repo" || exit 1
echo "HWHOST-INNER: $(nproc) CPUs, $(sed -n 's/^MemTotal: *//p' /proc/meminfo), /sys/module/kvm_pvm" \
    "$([ -e /sys/module/kvm_pvm ] && echo present || echo absent)"

# The demo (`make demo`) is a script of its own, not one of tests/run.sh's tests: run it the way
# run_one runs a test (own process group, time limit) and judge it by its status and session.
# It runs beside tests/run.sh, in a directory of its own (tests/run.sh empties $TEST_OUT).
run_demo() {
    local d=$1 t=$SECONDS rc r
    mkdir -p "$d"
    setsid timeout -k 5 60 bash tests/demo.sh >"$d/log" 2>&1 </dev/null &
    local pid=$!
    wait "$pid"
    rc=$?
    kill -9 -- "-$pid" 2>/dev/null
    if [ $rc != 0 ]; then
        r="FAIL demo: tests/demo.sh exited with status $rc$([ $rc = 124 ] && echo ' (timed out after 60 s)'): $(grep -v '^guest|' "$d/log" | grep -v '^$' | tail -n 3 | tr '\n' ' ')"
    elif ! grep -q '^Breakpoint 1, ' "$d/log"; then
        r="FAIL demo: gdb never stopped at the breakpoint"
    elif ! grep -q 'exited normally' "$d/log"; then
        r="FAIL demo: gdb did not see the guest exit normally"
    else
        r="PASS demo"
    fi
    echo "$r" >"$d/result"
    echo "$r ($((SECONDS - t)) s)"
}

# KVM's static keys held on for the whole job (tests/hwhost/kvm_keys.py says why): its line, or
# its error, goes to the console; a keeper that fails leaves the lane as it was without it.
python3 -u tests/hwhost/kvm_keys.py >/tmp/kvm_keys.out 2>&1 &
keys_pid=$!
# shellcheck disable=SC2016 # the inner shell expands them
timeout 60 bash -c 'grep -m1 -qE "^HWHOST-KEYS|kvm_keys:" < <(exec tail -n +1 -f --pid="$1" "$2")' \
    keys "$keys_pid" /tmp/kvm_keys.out
cat /tmp/kvm_keys.out

start=$SECONDS
# (Results of an earlier boot of the same lane, which wedged, stay: tests/hwhost/run.sh.)
export RESULTS_MIRROR=$share/out
[ "$demo" = 1 ] && run_demo /tmp/hwdemo &
demo_pid=$!
if [ -n "$filter" ]; then
    # The inner run's own summary line and status do not matter: the outer runner reads the
    # result of each test. (tests/run.sh starts by emptying $TEST_OUT.)
    bash tests/run.sh --filter "$filter" "$@" </dev/null 2>&1
fi
wait "$demo_pid"
mkdir -p "$TEST_OUT/results"
if [ "$demo" = 1 ]; then
    mv /tmp/hwdemo/result "$TEST_OUT/results/demo"
    mv /tmp/hwdemo "$TEST_OUT/demo"
fi
echo "HWHOST-INNER: tests ran in $((SECONDS - start)) s"
kill "$keys_pid" 2>/dev/null

# Logs back to the host (tar leaves out the sockets: 9p cannot hold them).
mkdir -p "$share/out"
tar -C "$TEST_OUT" -cf - . 2>/dev/null | tar -C "$share/out" -xf - ||
    echo "HWHOST-INNER: copying $TEST_OUT to the results share failed"
sync
