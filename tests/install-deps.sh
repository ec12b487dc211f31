#!/bin/sh
# tests/install-deps.sh — install the test-time tools kvmstub's tests need, if missing:
# nasm (test guests), gdb and lldb (real debugger sessions), clang (fuzzers), clang-format and cppcheck
# (lint), QEMU (side-by-side runs); the Linux fixture scripts install what they need
# themselves. Runs apt-get update first when something must be installed.
set -eu
need=""
command -v nasm >/dev/null 2>&1 || need="$need nasm"
command -v gdb >/dev/null 2>&1 || need="$need gdb"
command -v lldb >/dev/null 2>&1 || need="$need lldb"
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v clang-format >/dev/null 2>&1 || need="$need clang-format"
command -v cppcheck >/dev/null 2>&1 || need="$need cppcheck"
command -v ld >/dev/null 2>&1 || need="$need binutils"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v timeout >/dev/null 2>&1 || need="$need coreutils"
command -v pkill >/dev/null 2>&1 || need="$need procps"
# QEMU runs the multiboot guest side by side with kvmstub (and the benchmarks compare the two).
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
    ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
    need="$need libclang-rt-14-dev"
if [ -n "$need" ]; then
    echo "tests: installing$need" >&2
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >&2
fi
