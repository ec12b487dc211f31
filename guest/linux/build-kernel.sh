#!/usr/bin/env bash
# Build the kvmstub test kernel from Debian's linux-source package: tinyconfig + kernel.config.
# Outputs bzImage, vmlinux (DWARF, PVH note), the kernel's gdb scripts and the test module
# (modules/kvmstub_probe.ko, from guest/linux/module/, with its source) into a cache directory
# keyed by every input, and prints that directory as the last line on stdout. Build noise goes
# to build.log in the cache directory; progress and errors go to stderr.
#
#   guest/linux/build-kernel.sh            # → ${KVMSTUB_CACHE:-~/.cache/kvmstub}/linux-<key>
#
# A complete cache directory only ever appears by an atomic rename, so a killed build leaves at
# most a stale linux-<key>.tmp.* directory, which the next run removes.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
script=$here/$(basename -- "$0")
fragment=$here/kernel.config
module_src=$here/module
module_files=(Kbuild kvmstub_probe.c)
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$here/common.sh"

src_pkg=linux-source-6.1
src_tar=/usr/src/linux-source-6.1.tar.xz
build_deps=("$src_pkg" bc flex bison libelf-dev libssl-dev lz4 cpio xz-utils gcc make libc6-dev binutils)

# Everything that determines the output; the cache key is a hash of it.
key_inputs() {
	echo "linux-source: $src_pkg $(dpkg-query -W -f='${Version}' "$src_pkg")"
	echo "fragment: $(file_hash "$fragment")"
	echo "script: $(file_hash "$script") $(file_hash "$here/common.sh")"
	for f in "${module_files[@]}"; do echo "module: $f $(file_hash "$module_src/$f")"; done
	echo "gcc: $(gcc --version | head -n1)"
	echo "ld: $(ld --version | head -n1)"
}

# Extract the source tarball once per package version into $cache_root/linux-source-<version>.
# It is kept (read only in use: the kernel is built out of tree) so gdb can list kernel source.
extract_source() {
	local srcdir=$1 tmp
	[ -d "$srcdir" ] && return 0
	exec 8>"$srcdir.lock"
	flock 8
	if [ ! -d "$srcdir" ]; then
		rm -rf "$srcdir".tmp.*
		tmp=$srcdir.tmp.$$
		mkdir -p "$tmp"
		say "extracting $src_tar"
		tar -xJf "$src_tar" -C "$tmp" --strip-components=1 || die "cannot extract $src_tar"
		mv -T "$tmp" "$srcdir"
	fi
	exec 8>&-
}

# Every line of the fragment must hold in the final .config: "CONFIG_X=v" literally, and
# "# CONFIG_X is not set" as that line or as an absent symbol (kconfig omits unreachable ones).
verify_config() {
	local config=$1 line sym got bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} ;;
		*) continue ;;
		esac
		got=$(grep -E "^(# )?${sym}[= ]" "$config" || true)
		if [ "$got" = "$line" ] || { [ -z "$got" ] && [ "${line:0:2}" = "# " ]; }; then
			continue
		fi
		say "kconfig did not keep '$line' (final .config: '${got:-absent}')"
		bad=1
	done <"$fragment"
	return $bad
}

[ -f "$fragment" ] || die "no config fragment at $fragment"
install_deps "${build_deps[@]}"
[ -f "$src_tar" ] || die "$src_tar missing although $src_pkg is installed"

key=$(key_inputs | sha256sum | cut -c1-16)
out=$cache_root/linux-$key
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

src_version=$(dpkg-query -W -f='${Version}' "$src_pkg" | tr -c 'A-Za-z0-9.+~\n-' '_')
srcdir=$cache_root/linux-source-$src_version
extract_source "$srcdir"

# Temporary directories of builds that were killed: ours (we hold the lock) and any whose
# process is gone (the suffix is the builder's pid).
rm -rf "$out".tmp.*
for stale in "$cache_root"/linux-*.tmp.*; do
	if [ -d "$stale" ] && ! kill -0 "${stale##*.}" 2>/dev/null; then
		rm -rf "$stale"
	fi
done
tmp=$out.tmp.$$
obj=$tmp/build
log=$tmp/build.log
mkdir -p "$obj"
key_inputs >"$tmp/inputs.txt"

fail() {
	say "$1 failed; last lines of $log:"
	tail -n 30 "$log" >&2
	exit 1
}
kmake() {
	echo "+ make $*" >>"$log"
	make -C "$srcdir" O="$obj" ARCH=x86_64 "$@" >>"$log" 2>&1
}
# "Linux version ... (kvmstub@kvmstub)": the banner names the fixture, not the build machine.
export KBUILD_BUILD_USER=kvmstub KBUILD_BUILD_HOST=kvmstub

start=$(date +%s)
say "building in $tmp (log: $log)"
kmake tinyconfig || fail "make tinyconfig"
"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >>"$log" 2>&1 ||
	fail "merge_config.sh"
kmake olddefconfig || fail "make olddefconfig"
verify_config "$obj/.config" || die "config fragment not honoured by kconfig (see above); build dir: $tmp"
# `modules` (there are no in-tree ones) writes Module.symvers, which the external build needs.
kmake -j"$(nproc)" bzImage vmlinux modules scripts_gdb || fail "kernel build"
say "kernel built in $(($(date +%s) - start)) s"

# The test module, built out of tree; its DWARF names the directory the source is kept in
# ($out/modules after the rename below), so gdb lists it.
mkdir -p "$obj/module"
for f in "${module_files[@]}"; do cp "$module_src/$f" "$obj/module/"; done
kmake M="$obj/module" KCFLAGS="-fdebug-prefix-map=$obj/module=$out/modules" modules ||
	fail "module build"
mkdir -p "$tmp/modules"
cp "$obj/module/kvmstub_probe.ko" "$module_src/kvmstub_probe.c" "$tmp/modules/" ||
	die "the module build made no kvmstub_probe.ko; see $log"

# The PVH entry point: an ELF note of type XEN_ELFNOTE_PHYS32_ENTRY (18) owned by "Xen".
readelf -n "$obj/vmlinux" | grep -E '^ +Xen +0x[0-9a-f]+[[:space:]]+.*\(0x0*12\)' >>"$log" ||
	die "vmlinux has no XEN_ELFNOTE_PHYS32_ENTRY (PVH) note; build dir: $tmp"

cp "$obj/arch/x86/boot/bzImage" "$obj/vmlinux" "$obj/System.map" "$tmp/"
cp "$obj/.config" "$tmp/config"
make -s -C "$srcdir" O="$obj" ARCH=x86_64 kernelrelease >"$tmp/kernelrelease"
# vmlinux-gdb.py is a symlink into the source tree and scripts/gdb/linux/ mixes symlinks with
# the generated constants.py: copy the resolved files so the directory stands alone.
cp -L "$obj/vmlinux-gdb.py" "$tmp/"
mkdir -p "$tmp/scripts/gdb/linux"
cp -L "$obj"/scripts/gdb/linux/*.py "$tmp/scripts/gdb/linux/"
rm -rf "$obj"

if command -v gdb >/dev/null; then
	gdb -nx -batch -iex "add-auto-load-safe-path $tmp" -ex 'help lx-dmesg' "$tmp/vmlinux" \
		>"$tmp/gdb-check.txt" 2>&1 || true
	cat "$tmp/gdb-check.txt" >>"$log"
	grep -q 'kernel log buffer' "$tmp/gdb-check.txt" ||
		die "gdb did not load the kernel's gdb scripts (lx-dmesg missing); see $log"
	rm "$tmp/gdb-check.txt"
else
	say "gdb not installed: skipped the check that the gdb scripts load"
fi

mv -T "$tmp" "$out"
say "done in $(($(date +%s) - start)) s: $(cat "$out/kernelrelease")"
echo "$out"
