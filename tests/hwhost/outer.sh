# tests/hwhost/outer.sh — how the hardware-host lane's outer VM is started: QEMU in TCG mode
# (no KVM for it) with an emulated AMD CPU that has SVM, Debian's kernel and this lane's
# initramfs (tests/hwhost/build-outer.sh), the host's / shared read-only (9p tag host0) and a
# writable share for the job and its results (tag results; tests/hwhost/init). Sourced by
# tests/hwhost/run.sh (the tests) and bench/nested.sh (the bench), so both run on the same host.

# What the outer kernel prints when it has failed (a wedged CPU, a panic, an RCU stall: each
# time one showed, no test finished again in that boot).
# shellcheck disable=SC2034 # read by the scripts that source this one
HW_KERNEL_FAILED='soft lockup|Kernel panic|rcu_preempt detected stalls'

# hw_outer_start OUTER SHARE CONSOLE LIMIT_S LOG: boot the outer VM from OUTER (vmlinuz,
# initramfs.cpio) in the background, in a session of its own under a hard LIMIT_S, its
# console on the file CONSOLE and QEMU's own messages in LOG; HW_QEMU_PID is QEMU's, and its
# monitor listens on the unix socket HW_MONITOR (for tests/hwhost/qemu_cpus.py; under $TMPDIR,
# as a socket's path must be short; gone with QEMU). Kernel
# messages of warning level and above reach the console (a wedge's stack traces, for every
# CPU at a soft lockup); HWHOST_CPU is QEMU's -cpu (default max: SVM with nested paging),
# HWHOST_TCG_THREAD its TCG threading (default multi: a host thread per CPU; single halves the
# speed); HWHOST_KVM_AMD is kvm_amd's parameters, as kvm_amd.NAME=VALUE words (the init passes
# them to its insmod), by default kvm_amd.npt=0 kvm_amd.vgif=0: KVM shadows the guests' page
# tables instead of using QEMU's emulated nested paging, under which the outer kernel died in
# most lane runs and guests took faults nothing raised, and does not use QEMU's emulated
# virtual GIF, with which an outer CPU running a guest was seen not to leave it for an
# interrupt (soft lockups, RCU stalls: DESIGN.md §10).
hw_outer_start() {
    HW_MONITOR=$(mktemp -u "${TMPDIR:-/tmp}/kvmstub-qemu-monitor.XXXXXX")
    setsid timeout -k 5 "$4" qemu-system-x86_64 -accel "tcg,thread=${HWHOST_TCG_THREAD:-multi}" -cpu "${HWHOST_CPU:-max}" -smp 2 -m 4G \
        -display none -no-reboot -nodefaults -monitor "unix:$HW_MONITOR,server=on,wait=off" -serial "file:$3" \
        -kernel "$1/vmlinuz" -initrd "$1/initramfs.cpio" \
        -append "console=ttyS0 panic=-1 loglevel=5 softlockup_all_cpu_backtrace=1 ${HWHOST_KVM_AMD-kvm_amd.npt=0 kvm_amd.vgif=0}" \
        -virtfs local,path=/,mount_tag=host0,security_model=none,readonly=on,multidevs=remap \
        -virtfs "local,path=$2,mount_tag=results,security_model=none" \
        </dev/null >"$5" 2>&1 &
    HW_QEMU_PID=$!
}
