#!/usr/bin/env bash
# bench/nested.sh — `make bench` inside the hardware-host lane's nested host: kvm_amd in an
# outer VM that QEMU emulates with TCG (tests/hwhost/, DESIGN.md §10). bench/run.sh runs it on
# a machine whose own /dev/kvm is missing (this project's CI machines), and after its own run
# with BENCH_NESTED=1. The same scenarios run there, kvmstub against QEMU+KVM, both on the
# nested /dev/kvm: the times are the emulated host's, not hardware's, and only the ratios
# between the two stubs mean something.
#
#   bash bench/nested.sh            (BENCH_ARGS, BENCH_LINUX as for bench/run.sh; Linux rows
#                                    are left out unless BENCH_LINUX=1; BENCH_NESTED_TIMEOUT
#                                    seconds for the whole boot, default 2400)
# Writes bench/out/nested/results.txt (and the outer VM's console beside it).
set -euo pipefail

root=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
dir=$root/bench/out/nested
share=$dir/share
. tests/hwhost/outer.sh
say() { printf 'bench (nested): %s\n' "$*" >&2; }

command -v qemu-system-x86_64 >/dev/null || { say "qemu-system-x86_64 is missing"; exit 1; }
rm -rf "$dir"
mkdir -p "$share"
make --no-print-directory -C bench >&2 # built here: compiling under TCG takes minutes
outer=$(bash tests/hwhost/build-outer.sh 2>"$dir/build.log" | tail -n 1)
[ -f "$outer/vmlinuz" ] || { say "building the outer VM failed: $(tail -n 2 "$dir/build.log")"; exit 1; }

# The job, run by the outer VM's init in a chroot over this very tree (read-only, under a
# tmpfs overlay), with /dev/kvm from kvm_amd; the results come back through the share.
cat >"$share/job.sh" <<EOF
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
cd $(printf %q "$root") || exit 1
echo "HWHOST-INNER: bench on \$(nproc) CPUs"
# The outer kernel's KVM static keys held on, as in the test lane (tests/hwhost/kvm_keys.py).
python3 -u tests/hwhost/kvm_keys.py >/tmp/kvm_keys.out 2>&1 &
keys=\$!
timeout 60 grep -m1 -qE '^HWHOST-KEYS|kvm_keys:' < <(exec tail -n +1 -f --pid=\$keys /tmp/kvm_keys.out)
# The gdb rows' loops shortened: every exit costs ~100x hardware's here.
BENCH_NESTED=0 BENCH_LINUX=${BENCH_LINUX:-0} BENCH_ARGS=$(printf %q "${BENCH_ARGS:-}") \
    BENCH_GDB_HITS=${BENCH_GDB_HITS:-1000} BENCH_GDB_TOUCHES=${BENCH_GDB_TOUCHES:-2000} \
    BENCH_GDB_REPS=${BENCH_GDB_REPS:-3} BENCH_GDB=${BENCH_GDB:-1} \
    bash bench/run.sh >/hwhost/bench.log 2>&1
status=\$?
kill \$keys 2>/dev/null
cp bench/out/results.txt /hwhost/results.txt 2>/dev/null
sync
exit \$status
EOF

console=$dir/console
limit=${BENCH_NESTED_TIMEOUT:-2400}
say "booting the nested host (QEMU TCG, kvm_amd); the bench runs inside, up to $limit s"
: >"$console"
hw_outer_start "$outer" "$share" "$console" "$limit" "$dir/qemu.log"
qemu_pid=$HW_QEMU_PID
# The outer kernel under TCG sometimes wedges (HW_KERNEL_FAILED, tests/hwhost/outer.sh): then
# nothing more will come, and QEMU is stopped at once instead of at the time limit.
timeout "$limit" grep -m1 -qE "HWHOST-DONE|$HW_KERNEL_FAILED" \
    < <(exec tail -n +1 -f --pid="$qemu_pid" "$console" 2>/dev/null) || true
timeout 30 tail -f --pid="$qemu_pid" /dev/null || true
kill -9 -- "-$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
rm -f "$HW_MONITOR"
if ! grep -q '^HWHOST-DONE: job status 0' "$console"; then
    say "the nested run did not finish: $(tr -d '\r' <"$console" | grep -v '^$' | tail -n 4 | tr '\n' ' ')"
    [ -f "$share/bench.log" ] && tail -n 5 "$share/bench.log" >&2
    exit 1
fi
{
    echo "Inside the nested host: kvm_amd in QEMU's TCG (-cpu ${HWHOST_CPU:-max}), both stubs on"
    echo "its /dev/kvm. Absolute times are the emulated host's, not hardware's; compare the"
    echo "ratios between kvmstub and QEMU+KVM, not the microseconds."
    echo
    cat "$share/results.txt"
} >"$dir/results.txt"
cat "$dir/results.txt"
say "results: $dir/results.txt (bench log: $share/bench.log)"
