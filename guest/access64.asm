; guest/access64.asm — port and MSR accesses for `monitor break io|msr` (run with --cpus 2):
; CPU 0 writes port 0x510, reads port 0x511, writes and reads MSR 0x174 (SYSENTER_CS), waits
; for `go`, then writes port 0x510 once more and passes; every other CPU writes port 0x520 over
; and over until CPU 0 sets `release`.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, after_port_write, after_port_read, after_wrmsr, after_rdmsr, go, release
global others

%include "lib64.inc"

section .text
_start:
        CPU_NUMBER
        test ebx, ebx
        jnz others
        mov dx, 0x510
        mov al, 0x5a
        out dx, al
after_port_write:
        mov dx, 0x511
        in al, dx                       ; no device: 0xff
after_port_read:
        cmp al, 0xff
        jne fail
        mov ecx, 0x174
        mov eax, 0x10
        xor edx, edx
        wrmsr
after_wrmsr:
        xor eax, eax
        rdmsr
after_rdmsr:
        cmp eax, 0x10
        jne fail
wait_go:
        pause
        cmp qword [go], 0
        je wait_go
        mov qword [release], 1
        mov dx, 0x510
        out dx, al
        PRINT msg_ok
        EXIT_PASS
fail:
        PRINT msg_bad
        EXIT_FAIL

others:
        mov dx, 0x520
.write: inc eax
        out dx, al
        cmp qword [release], 0
        je .write
        hlt
        jmp others

section .rodata
msg_ok:  db "access64 OK", 10, 0
msg_bad: db "access64 FAILED", 10, 0

section .data
align 4096
go:      dq 0
release: dq 0
