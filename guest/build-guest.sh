#!/bin/sh
# guest/build-guest.sh — assemble one test guest with nasm (a test-time tool).
# Usage: sh guest/build-guest.sh guest/NAME.asm OUTPUT
# The source's header says how:  "; build: bin"   flat binary (raw, real mode)
#                                "; build: elf32" or "; build: elf64"   linked at "; link: ADDR"
set -eu
src=$1
out=$2
kind=$(sed -n 's/^; build: *\([a-z0-9]*\).*/\1/p' "$src" | head -n 1)
addr=$(sed -n 's/^; link: *\(0x[0-9a-fA-F]*\).*/\1/p' "$src" | head -n 1)
obj=$out.o
case "$kind" in
bin)
    nasm -f bin -I "$(dirname "$src")/" -o "$out" "$src"
    ;;
elf32 | elf64)
    [ -n "$addr" ] || { echo "$src: '; link: ADDR' missing" >&2; exit 1; }
    emul=elf_i386
    [ "$kind" = elf64 ] && emul=elf_x86_64
    nasm -f "$kind" -g -F dwarf -I "$(dirname "$src")/" -o "$obj" "$src"
    ld -m "$emul" -nostdlib -static -z noexecstack -z noseparate-code --build-id=none \
        -Ttext="$addr" -e _start -o "$out" "$obj"
    rm -f "$obj"
    ;;
*)
    echo "$src: unknown or missing '; build:' line" >&2
    exit 1
    ;;
esac
