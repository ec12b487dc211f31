#!/usr/bin/env bash
# Check the Linux fixtures under QEMU with software emulation (TCG, never KVM): bzImage and the
# PVH entry of vmlinux, with 1 and 2 CPUs, must print KVMSTUB-INIT-OK and the expected facts and
# end by rebooting; with kvmstub.shell a command typed on the console must run. Builds the
# fixtures if needed. Prints one line per case with its time; exit status 0 when all pass.
#
#   guest/linux/qemu-check.sh              # logs: ${KVMSTUB_CACHE:-~/.cache/kvmstub}/qemu-check/
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

boot_timeout=${BOOT_TIMEOUT:-120}
mem_mb=256
cmdline='console=ttyS0 earlyprintk=serial,ttyS0 reboot=t panic=-1'

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"
kdir=$("$here/build-kernel.sh" | tail -n1)
initramfs=$("$here/build-initramfs.sh" "$kdir" | tail -n1)
release=$(cat "$kdir/kernelrelease")
logs=$cache_root/qemu-check
mkdir -p "$logs"

# -smp N,sockets=N: without ACPI the kernel finds CPUs only in SeaBIOS's MP table, which lists
# one CPU per package; with QEMU's default topology (N cores in one socket) it would see one.
qemu_run() { # IMAGE CPUS CMDLINE
	timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -nographic -no-reboot -m "$mem_mb" \
		-smp "$2,sockets=$2,cores=1,threads=1" -kernel "$kdir/$1" -initrd "$initramfs" -append "$3"
}

failed=0
report() { # NAME SECONDS WHY LOG: passed when WHY is empty
	if [ -z "$3" ]; then
		printf '%-22s %6.1f s  ok\n' "$1" "$2"
	else
		printf '%-22s %6.1f s  FAIL: %s (log: %s)\n' "$1" "$2" "$3" "$4"
		failed=1
	fi
}

# fact LOG KEY: the value of "kvmstub-fact: KEY=value" (console line endings stripped).
fact() { tr -d '\r' <"$1" | sed -n "s/^kvmstub-fact: $2=//p" | head -n1; }

check_boot() { # IMAGE CPUS
	local name="$1 cpus=$2" log=$logs/$1-smp$2.log start end why=''
	start=$(date +%s.%N)
	qemu_run "$1" "$2" "$cmdline" </dev/null >"$log" 2>&1 ||
		why="qemu exit status $? (124: timeout after ${boot_timeout} s)"
	end=$(date +%s.%N)
	if [ -z "$why" ]; then
		if ! grep -q '^KVMSTUB-INIT-OK' <(tr -d '\r' <"$log"); then
			why="no KVMSTUB-INIT-OK"
		elif [ "$(fact "$log" release)" != "$release" ]; then
			why="release=$(fact "$log" release), want $release"
		elif [ "$(fact "$log" cpus)" != "$2" ]; then
			why="cpus=$(fact "$log" cpus), want $2"
		elif [ "$(fact "$log" cmdline)" != "$cmdline" ]; then
			why="cmdline=$(fact "$log" cmdline)"
		elif [ "$(fact "$log" modules)" != "kvmstub_probe " ]; then
			why="modules=$(fact "$log" modules), want the test module kvmstub_probe"
		elif ! [ "$(fact "$log" memtotal_kb)" -gt $((mem_mb * 1024 * 3 / 4)) ] 2>/dev/null; then
			why="memtotal_kb=$(fact "$log" memtotal_kb)"
		elif ! grep -q 'reboot: Restarting system' "$log"; then
			why="did not end by reboot"
		fi
	fi
	report "$name" "$(echo "$end - $start" | bc)" "$why" "$log"
}

# wait_for LOG PATTERN SECONDS: poll the console log until a line matches.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		if tr -d '\r' <"$1" | grep -q -- "$2"; then return 0; fi
		sleep 0.1
	done
	return 1
}

check_shell() {
	local log=$logs/shell.log fifo start end why='' pid
	fifo=$(mktemp -u "$logs/shell.in.XXXXXX")
	mkfifo "$fifo"
	start=$(date +%s.%N)
	qemu_run bzImage 1 "$cmdline kvmstub.shell" <"$fifo" >"$log" 2>&1 &
	pid=$!
	exec 7>"$fifo"
	rm "$fifo"
	if ! wait_for "$log" 'kvmstub# ' "$boot_timeout"; then
		why="no shell prompt"
	else
		# shellcheck disable=SC2016 # expanded by the guest's shell: proves it ran the command
		echo 'echo shell-says-$((6 * 7))' >&7
		wait_for "$log" '^shell-says-42' 10 || why="command did not run"
		echo 'exit' >&7
	fi
	exec 7>&-
	wait "$pid" || why=${why:-"qemu exit status $?"}
	end=$(date +%s.%N)
	report "bzImage kvmstub.shell" "$(echo "$end - $start" | bc)" "$why" "$log"
}

echo "kernel $release: $kdir"
echo "initramfs: $initramfs"
for image in bzImage vmlinux; do
	for cpus in 1 2; do
		check_boot "$image" "$cpus"
	done
done
check_shell
exit $failed
