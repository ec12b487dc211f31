# shellcheck shell=bash
# Shared by build-kernel.sh and build-initramfs.sh (sourced): messages, the cache location and
# installing missing Debian packages.

prog=${0##*/}
# shellcheck disable=SC2034 # used by the scripts that source this file
cache_root=${KVMSTUB_CACHE:-$HOME/.cache/kvmstub}

say() { echo "$prog: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# apt_locked COMMAND...: run an apt command holding our own lock, so that the fixture builds,
# which run side by side (kernel, initramfs, the hardware host's outer VM), take turns with apt
# instead of failing on its lock ("Could not get lock /var/lib/apt/lists/lock").
apt_locked() {
	flock -w 900 /tmp/kvmstub-apt.lock "$@"
}

# Install whichever of the given Debian packages is missing (as root, or with sudo -n).
install_deps() {
	local missing=() p sudo=()
	for p in "$@"; do
		if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
			missing+=("$p")
		fi
	done
	((${#missing[@]})) || return 0
	if [ "$(id -u)" != 0 ]; then
		if ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
			die "missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
		fi
		sudo=(sudo -n)
	fi
	say "installing ${missing[*]}"
	apt_locked "${sudo[@]}" apt-get update >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt_locked "${sudo[@]}" apt-get install -y --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# sha256 of a file, hex only.
file_hash() { sha256sum <"$1" | cut -d' ' -f1; }
