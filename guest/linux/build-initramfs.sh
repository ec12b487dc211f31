#!/usr/bin/env bash
# Build the kvmstub test initramfs: an uncompressed newc cpio holding Debian's static busybox,
# applet links, /dev /proc /sys and guest/linux/init, and with a kernel directory of
# build-kernel.sh as argument, that kernel's test modules in /lib/modules (init loads them).
# Cached by its inputs as ${KVMSTUB_CACHE:-~/.cache/kvmstub}/initramfs-<key>.cpio, whose path
# is the last stdout line. The file appears by an atomic rename, so a killed build never leaves
# a partial cpio behind.
#
#   guest/linux/build-initramfs.sh [KERNEL_DIR]
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
script=$here/$(basename -- "$0")
init=$here/init
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"
kernel_dir=${1:-}
modules=()
if [ -n "$kernel_dir" ]; then
	modules=("$kernel_dir"/modules/*.ko)
	[ -f "${modules[0]}" ] || die "no test module (modules/*.ko) in $kernel_dir"
fi
busybox=/bin/busybox
deps=(busybox-static cpio)

# What /init uses, plus enough to look around from the kvmstub.shell prompt.
applets=(sh mount umount cat echo ls uname nproc reboot poweroff grep head tail sed sleep
	setsid cttyhack dmesg ps kill mkdir rm cp mv ln touch env printf test true false
	free uptime wc tr cut sync stty tty hexdump od less vi date id insmod lsmod)

# /dev/console must exist before /init runs (the kernel opens it for init's stdio). Creating the
# node needs root; without it the kernel's built-in default initramfs provides /dev/console.
dev_console=no
if [ "$(id -u)" = 0 ]; then dev_console=yes; fi

key_inputs() {
	echo "busybox-static: $(dpkg-query -W -f='${Version}' busybox-static)"
	echo "busybox: $(file_hash "$busybox")"
	echo "cpio: $(dpkg-query -W -f='${Version}' cpio)"
	echo "init: $(file_hash "$init")"
	echo "script: $(file_hash "$script") $(file_hash "$here/common.sh")"
	echo "dev_console: $dev_console"
	for m in "${modules[@]}"; do echo "module: ${m##*/} $(file_hash "$m")"; done
}

[ -f "$init" ] || die "no init script at $init"
install_deps "${deps[@]}"
[ -x "$busybox" ] || die "$busybox missing although busybox-static is installed"

key=$(key_inputs | sha256sum | cut -c1-16)
out=$cache_root/initramfs-$key.cpio
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

have=" $("$busybox" --list | tr '\n' ' ') "
for a in "${applets[@]}"; do
	case $have in *" $a "*) ;; *) die "$busybox has no applet '$a'" ;; esac
done

mkdir -p "$cache_root"
stage=$(mktemp -d "$cache_root/initramfs-$key.stage.XXXXXX")
tmp=$out.tmp.$$
trap 'rm -rf "$stage" "$tmp"' EXIT

umask 022
mkdir -p "$stage"/{bin,dev,proc,sys,root,tmp}
cp "$busybox" "$stage/bin/busybox"
for a in "${applets[@]}"; do
	ln -s busybox "$stage/bin/$a"
done
install -m 0755 "$init" "$stage/init"
if ((${#modules[@]})); then
	mkdir -p "$stage/lib/modules"
	cp "${modules[@]}" "$stage/lib/modules/"
fi
if [ $dev_console = yes ]; then
	mknod -m 0600 "$stage/dev/console" c 5 1
else
	say "not root: /dev/console comes from the kernel's built-in initramfs"
fi

# Same inputs, same bytes: fixed mtimes, sorted names, root ownership, renumbered inodes.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) >"$tmp" || die "cpio failed"
mv -f "$tmp" "$out"
say "built $out ($(stat -c %s "$out") bytes)"
echo "$out"
