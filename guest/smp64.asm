; guest/smp64.asm — a 64-bit guest for several vCPUs (run with --cpus 2): every vCPU starts at
; _start (kvmstub's convention for bare-metal guests), finds its APIC id, and spins in its own
; loop bumping its own counter — CPU 0 in loop0, the others in loop1 — until `release` is set.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, loop0, loop1, counters, release

%include "lib64.inc"

section .text
_start:
        CPU_NUMBER
        lea rdi, [counters + rbx * 8]
        test ebx, ebx
        jnz loop1
loop0:
        inc qword [rdi]
        cmp qword [release], 0
        je loop0
        PRINT msg_ok
        EXIT_PASS
loop1:
        inc qword [rdi]
        cmp qword [release], 0
        je loop1
        cli
        hlt

section .rodata
msg_ok: db "smp64 OK", 10, 0

section .data
align 4096
counters: times 8 dq 0
release:  dq 0
