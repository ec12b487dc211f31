; guest/catch64.asm — a 64-bit guest that raises a #DE, a #UD, a #GP and a #PF, one each, and
; handles them itself: each handler counts its exception and returns past the instruction
; (all its faulting instructions are 2 or 3 bytes, as the handlers assume). It passes when
; every handler ran exactly once. The handlers live in a page of their own and begin with a
; port write, and each return point is a port write too: exits that end a step there. They
; were put there when the hardware-host lane was thought to lose a single-step after a trapped
; fetch; measured on 2026-12-07, it does not (DESIGN.md §7).
; Before it checks the counts it waits while `release` is 0 (it starts at 1), so a test can
; detach at a caught exception and attach again before the guest ends.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, de_insn, ud_insn, gp_insn, pf_insn, de_handler, ud_handler, gp_handler
global pf_handler, counts, idt_ready, release, waiting

%include "lib64.inc"

NONCANONICAL equ 0x8000000000000000
UNMAPPED     equ 0x8000000000        ; 512 GiB: beyond kvmstub's identity map

section .text
_start:
        lea rsp, [stack_top]
        call load_idt
        mov edi, 0
        lea rsi, [de_handler]
        call install_idt_gate
        mov edi, 6
        lea rsi, [ud_handler]
        call install_idt_gate
        mov edi, 13
        lea rsi, [gp_handler]
        call install_idt_gate
        mov edi, 14
        lea rsi, [pf_handler]
        call install_idt_gate
idt_ready:
        out 0x81, al                    ; the IDT is complete (a port breakpoint stops here)

        xor ecx, ecx
        mov eax, 7
        xor edx, edx
de_insn:
        div ecx                         ; #DE (2 bytes)
        out 0x80, al
ud_insn:
        ud2                             ; #UD (2 bytes)
        out 0x80, al
        mov rbx, NONCANONICAL
gp_insn:
        mov rax, [rbx]                  ; #GP(0) (3 bytes)
        out 0x80, al
        mov rbx, UNMAPPED
pf_insn:
        mov rax, [rbx]                  ; #PF, CR2 = UNMAPPED (3 bytes)
        out 0x80, al

waiting:
        pause
        cmp byte [release], 0
        je waiting

        cmp dword [counts], 1
        jne fail
        cmp dword [counts + 4], 1
        jne fail
        cmp dword [counts + 8], 1
        jne fail
        cmp dword [counts + 12], 1
        jne fail
        PRINT msg_ok
        EXIT_PASS
fail:
        PRINT msg_bad
        EXIT_FAIL

align 4096
de_handler:
        out 0x80, al
        inc dword [counts]
        add qword [rsp], 2
        iretq
ud_handler:
        out 0x80, al
        inc dword [counts + 4]
        add qword [rsp], 2
        iretq
gp_handler:
        out 0x80, al
        inc dword [counts + 8]
        add rsp, 8                      ; the error code
        add qword [rsp], 3
        iretq
pf_handler:
        out 0x80, al
        inc dword [counts + 12]
        add rsp, 8
        add qword [rsp], 3
        iretq

section .rodata
msg_ok:  db "catch64 OK", 10, 0
msg_bad: db "catch64 FAILED", 10, 0

section .data
align 4096
counts:  dd 0, 0, 0, 0
release: db 1

section .bss
align 16
stack:  resb 8192
stack_top:
