#!/bin/sh
# guest/build-guest.sh — assemble one test guest with nasm (a test-time tool).
# Usage: sh guest/build-guest.sh guest/NAME.asm OUTPUT
# The source's header says how:  "; build: bin"   flat binary (raw, real mode)
#                                "; build: elf32" or "; build: elf64"   linked at "; link: ADDR"
#                                (and loaded at "; load: ADDR" when that differs)
set -eu
src=$1
out=$2
kind=$(sed -n 's/^; build: *\([a-z0-9]*\).*/\1/p' "$src" | head -n 1)
addr=$(sed -n 's/^; link: *\(0x[0-9a-fA-F]*\).*/\1/p' "$src" | head -n 1)
load=$(sed -n 's/^; load: *\(0x[0-9a-fA-F]*\).*/\1/p' "$src" | head -n 1)
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
    if [ -n "$load" ]; then
        # Linked at ADDR, loaded at LOAD (a higher-half kernel that maps itself): a script,
        # since ld's options set the load address of no section; the sections after .text keep
        # its distance between the two.
        printf 'SECTIONS {\n . = %s;\n .text : AT(%s) { *(.text) }\n .rodata : { *(.rodata) }\n .data : { *(.data) }\n .bss : { *(.bss) }\n}\n' \
            "$addr" "$load" >"$out.ld"
        ld -m "$emul" -nostdlib -static -z noexecstack -z noseparate-code --build-id=none \
            --no-warn-rwx-segments -T "$out.ld" -e _start -o "$out" "$obj"
        rm -f "$out.ld"
    else
        ld -m "$emul" -nostdlib -static -z noexecstack -z noseparate-code --build-id=none \
            -Ttext="$addr" -e _start -o "$out" "$obj"
    fi
    rm -f "$obj"
    ;;
*)
    echo "$src: unknown or missing '; build:' line" >&2
    exit 1
    ;;
esac
