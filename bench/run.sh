#!/usr/bin/env bash
# bench/run.sh — kvmstub against QEMU+KVM, side by side (`make bench` builds kvmstub and the
# guests, then runs this). Installs QEMU if it is missing, builds the benchmark client, finds
# the bench guest's symbols and the Linux fixtures, runs everything and prints one table
# (also written to bench/out/results.txt; logs and consoles in bench/out/logs/).
#
#   make bench                      everything (Linux boots take minutes on emulating hosts)
#   BENCH_LINUX=0 make bench        skip the Linux boots
#   BENCH_CPUS=all make bench       do not pin to one CPU (the default is BENCH_CPUS=0)
#   BENCH_ARGS='--reps 3' make bench      extra options for bench/out/kvmstub-bench (--help)
#   BENCH_GDB=0 make bench          skip the rows real gdb drives (bench/gdb_rows.sh; its
#                                   BENCH_GDB_REPS, _HITS, _TOUCHES: bench/gdb_rows.py)
#   BENCH_NESTED=1 make bench       also inside the hardware-host lane's nested host (the
#                                   default where this machine has no /dev/kvm; 0: never)
#
# The client and both stubs run pinned to one CPU by default: on a VM (our machines are), a
# thread woken on another, idle vCPU waits for the hypervisor to schedule that vCPU (measured
# here: a loopback request/reply takes ~19 us within one CPU and ~95 us across two idle ones),
# which would make every latency depend on what else the machine is doing.
set -euo pipefail

root=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
out=bench/out
logs=$out/logs
image=build/guest/bench.img
pvm_module=/sys/module/kvm_pvm

say() { printf 'bench: %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

[ -x ./kvmstub ] || { say "./kvmstub is missing: run 'make bench' (it builds it)"; exit 1; }
[ -f "$image" ] || { say "$image is missing: run 'make bench' (it builds the guests)"; exit 1; }
if [ ! -e /dev/kvm ] && [ "${BENCH_NESTED:-}" != 0 ]; then
	say "no /dev/kvm here: running the bench inside the hardware-host lane's nested host"
	exec bash bench/nested.sh
fi
[ -w /dev/kvm ] || { say "/dev/kvm is not usable by $(id -un)"; exit 1; }

if ! command -v qemu-system-x86_64 >/dev/null; then
	say "installing qemu-system-x86 to compare with"
	as_root apt-get install -y qemu-system-x86 >&2 ||
		say "could not install QEMU: measuring kvmstub alone"
fi
qemu=$(command -v qemu-system-x86_64 || true)

make --no-print-directory -C bench >&2
mkdir -p "$logs"
nm "$image" >"$out/bench.sym"

args=(--kvmstub ./kvmstub --image "$image" --symbols "$out/bench.sym" --logs "$logs"
	--out "$out/results.txt")
[ -n "$qemu" ] && args+=(--qemu "$qemu")

if [ "${BENCH_LINUX:-1}" != 0 ]; then
	say "Linux fixtures (built once, then cached; a cold kernel build takes minutes)"
	if kdir=$(guest/linux/build-kernel.sh | tail -n1) && initrd=$(guest/linux/build-initramfs.sh | tail -n1) &&
		[ -f "$kdir/bzImage" ] && [ -f "$kdir/vmlinux" ] && [ -f "$initrd" ]; then
		args+=(--bzimage "$kdir/bzImage" --vmlinux "$kdir/vmlinux" --initrd "$initrd")
		if [ -e "$pvm_module" ]; then
			# Linux user space cannot run on PVM hosts (DESIGN.md §7): /init never
			# prints its marker, so the boot ends where the kernel starts it.
			args+=(--marker 'Run /init as init process'
				--marker-note ' (PVM host: user space cannot run here, so the initramfs marker KVMSTUB-INIT-OK never appears)')
		else
			args+=(--marker KVMSTUB-INIT-OK)
		fi
	else
		say "no Linux fixtures: skipping the Linux boots"
	fi
else
	say "BENCH_LINUX=0: skipping the Linux boots"
fi

pin=()
cpus=${BENCH_CPUS-0}
if [ "$cpus" != all ] && [ -n "$cpus" ]; then
	if command -v taskset >/dev/null; then
		pin=(taskset -c "$cpus")
	else
		say "taskset not found: not pinning to CPU $cpus"
	fi
fi

say "load average: $(cut -d' ' -f1-3 /proc/loadavg) (the numbers are only comparable on an idle machine)"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
"${pin[@]}" "$out/kvmstub-bench" "${args[@]}" ${BENCH_ARGS:-}
if [ "${BENCH_GDB:-1}" != 0 ]; then
	say "the rows real gdb drives (bench/gdb_rows.sh)"
	"${pin[@]}" bash bench/gdb_rows.sh ./kvmstub "$image" "$out/bench.sym" "$qemu" | tee -a "$out/results.txt"
fi
say "results: $out/results.txt"
if [ "${BENCH_NESTED:-}" = 1 ]; then
	bash bench/nested.sh
fi
