; guest/crwrite64.asm — a control-register write, then instructions that make no exit. KVM may
; emulate the write without an exit to kvmstub (kvm_amd without decode assists, as on the
; lane's emulated SVM), and its emulator writes RFLAGS back without the trap flag of a
; single-step; a step after it must still be one instruction. Ends through the exit port: 1
; (pass) once its loop is done.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, cr_write, after_cr_write, done

LOOPS equ 100000

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        mov rax, cr4
cr_write:
        mov cr4, rax                    ; the same value: only the write matters
after_cr_write:
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
msg_ok: db "crwrite64 OK", 10, 0

section .bss
align 16
stack:  resb 4096
stack_top:
