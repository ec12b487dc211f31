#!/usr/bin/env bash
# tests/hwhost/build-outer.sh — the outer VM of the hardware-host lane: Debian's distribution
# kernel (the package linux-image-amd64 depends on, fetched with apt-get download and unpacked
# with dpkg-deb, never installed) and an initramfs of Debian's static busybox, the modules for
# kvm_amd, virtio 9p and overlayfs, and tests/hwhost/init. Owns nothing else: booting the VM
# and running tests in it is tests/hwhost/run.sh.
#
#   bash tests/hwhost/build-outer.sh     # → ${KVMSTUB_CACHE:-~/.cache/kvmstub}/hwhost-<key>
#
# The output directory holds vmlinuz, initramfs.cpio, kernelrelease and inputs.txt; it is keyed
# by a hash of every input (package names and versions, this script, the init, common.sh) and
# printed as the last line on stdout. It appears only by an atomic rename, like the Linux
# fixtures (guest/linux/build-kernel.sh): a killed build leaves a hwhost-<key>.tmp.<pid>
# directory at most, which the next build removes. Also installs QEMU if it is missing.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
script=$here/$(basename -- "$0")
init=$here/init
# shellcheck source-path=SCRIPTDIR source=../../guest/linux/common.sh
. "$here/../../guest/linux/common.sh"

busybox=/bin/busybox
deps=(busybox-static cpio qemu-system-x86)
meta_pkg=linux-image-amd64

# Loaded by the init in this order (each after what it depends on): KVM for AMD SVM, then
# virtio PCI and 9p for the shares, then overlayfs for a writable layer over the host's root.
modules=(irqbypass kvm ccp kvm-amd
	virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p overlay)
applets=(sh mount umount mkdir ln insmod ip chroot poweroff cat cut tail dmesg uname nproc sync)

# The kernel package the meta package depends on now (its name carries the ABI number).
kernel_pkg() {
	apt-cache depends "$meta_pkg" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' |
		head -n 1
}

# Everything that determines the output; the cache key is a hash of it.
key_inputs() {
	echo "kernel: $kpkg $(apt-cache show --no-all-versions "$kpkg" | sed -n 's/^SHA256: //p')"
	echo "busybox-static: $(dpkg-query -W -f='${Version}' busybox-static)"
	echo "busybox: $(file_hash "$busybox")"
	echo "modules: ${modules[*]}"
	echo "init: $(file_hash "$init")"
	echo "script: $(file_hash "$script") $(file_hash "$here/../../guest/linux/common.sh")"
}

[ -f "$init" ] || die "no init script at $init"
install_deps "${deps[@]}"
[ -x "$busybox" ] || die "$busybox missing although busybox-static is installed"
kpkg=$(kernel_pkg)
if [ -z "$kpkg" ]; then
	# apt's package lists may not be there yet on a fresh machine.
	say "apt-cache does not know $meta_pkg: apt-get update"
	apt_locked apt-get update >&2 || die "apt-get update failed"
	kpkg=$(kernel_pkg)
	[ -n "$kpkg" ] || die "apt-cache: no linux-image-* dependency of $meta_pkg"
fi

key=$(key_inputs | sha256sum | cut -c1-16)
out=$cache_root/hwhost-$key
if [ -d "$out" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache_root"
exec 9>"$out.lock"
if ! flock -n 9; then
	say "waiting for another build of $out"
	flock 9
fi
if [ -d "$out" ]; then
	echo "$out"
	exit 0
fi
# Temporary directories of builds that were killed (the suffix is the builder's pid).
for stale in "$cache_root"/hwhost-*.tmp.*; do
	if [ -d "$stale" ] && ! kill -0 "${stale##*.}" 2>/dev/null; then
		rm -rf "$stale"
	fi
done
tmp=$out.tmp.$$
mkdir -p "$tmp/dl"
key_inputs >"$tmp/inputs.txt"
start=$(date +%s)

say "downloading $kpkg"
(cd "$tmp/dl" && apt_locked apt-get download "$kpkg" >&2) || die "apt-get download $kpkg failed"
dpkg-deb -x "$tmp"/dl/"$kpkg"_*.deb "$tmp/dl/root" || die "dpkg-deb -x failed"
kroot=$tmp/dl/root
vmlinuz=$(find "$kroot/boot" -name 'vmlinuz-*' | head -n 1)
[ -f "$vmlinuz" ] || die "no boot/vmlinuz-* in $kpkg"
cp "$vmlinuz" "$tmp/vmlinuz"
release=${vmlinuz##*/vmlinuz-}
echo "$release" >"$tmp/kernelrelease"

# The initramfs: busybox and its applets, the modules flat in /modules with their load order.
stage=$tmp/stage
mkdir -p "$stage"/{bin,dev,proc,sys,modules}
cp "$busybox" "$stage/bin/busybox"
have=" $("$busybox" --list | tr '\n' ' ') "
for a in "${applets[@]}"; do
	case $have in *" $a "*) ln -s busybox "$stage/bin/$a" ;; *) die "$busybox has no applet '$a'" ;; esac
done
for m in "${modules[@]}"; do
	ko=$(find "$kroot/lib/modules/$release/kernel" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || die "$kpkg has no module $m.ko (compressed modules are not handled)"
	cp "$ko" "$stage/modules/"
	echo "$m" >>"$stage/modules/order"
done
install -m 0755 "$init" "$stage/init"
[ "$(id -u)" = 0 ] && mknod -m 0600 "$stage/dev/console" c 5 1
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) >"$tmp/initramfs.cpio" || die "cpio failed"
rm -rf "$tmp/dl" "$stage"

mv -T "$tmp" "$out"
say "built $out in $(($(date +%s) - start)) s: kernel $release, initramfs $(stat -c %s "$out/initramfs.cpio") bytes"
echo "$out"
