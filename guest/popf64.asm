; guest/popf64.asm — a POPF and an IRETQ that load RFLAGS without the trap flag, each followed
; by instructions that make no exit. The CPU still traps after such an instruction when it was
; stepped, but the flag is gone from RFLAGS afterwards: a debugger's next step must set it
; again, or that step runs free. Ends through the exit port: 1 (pass) once its loop is done.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, popf_at, after_popf, iret_at, after_iret, done

LOOPS equ 100000
RFLAGS_TF equ 0x100

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        pushfq
        and qword [rsp], ~RFLAGS_TF
popf_at:
        popfq
after_popf:
        nop
        nop
        nop
        ; An IRETQ to the next instruction at the same privilege: SS, RSP, RFLAGS, CS, RIP.
        mov rdx, rsp
        xor eax, eax
        mov ax, ss
        push rax
        push rdx
        pushfq
        and qword [rsp], ~RFLAGS_TF
        mov ax, cs
        push rax
        lea rax, [after_iret]
        push rax
iret_at:
        iretq
after_iret:
        nop
        nop
        nop
        xor ecx, ecx
.loop:  inc ecx                         ; no exit here: a step that runs free leaves it
        cmp ecx, LOOPS
        jne .loop
done:
        PRINT msg_ok
        EXIT_PASS

section .rodata
msg_ok: db "popf64 OK", 10, 0

section .bss
align 16
stack:  resb 4096
stack_top:
