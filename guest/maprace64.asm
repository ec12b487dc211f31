; guest/maprace64.asm — two vCPUs against one trapped page (run with --cpus 2 under a
; watchpoint on `watched`). CPU 0 loops in code that shares a page with `watched`, so while the
; page is trapped each of its instructions is stepped with the page mapped back for a moment.
; CPU 1 meanwhile writes and re-reads RAM elsewhere and, when a debugger set `shared`, a word of
; its own in the trapped page (each access there exits and is completed by the debugger), reads
; a constant and fetches its own code. Should the memory map ever change while CPU 1 runs (its RAM absent for a moment), a
; write of its is lost, a read sees all ones or a fetch fails: it checks every value and fails
; the guest (status 3) at the first wrong one. When CPU 0 is done, CPU 1 passes the guest
; (status 1).
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, cpu0_loop, cpu1_loop, watched, done, shared

%include "lib64.inc"

ROUNDS     equ 1000
DONE_MAGIC equ 0x600d600d600d600d
PATTERN    equ 0x0123456789abcdef

section .text
_start:                                 ; not in the trapped page: only CPU 0's loop is
        CPU_NUMBER
        test ebx, ebx
        jnz cpu1
        jmp cpu0

section .cpu0 progbits alloc exec align=4096
cpu0:
        mov ecx, ROUNDS
cpu0_loop:                              ; every instruction here is in the trapped page
        dec ecx
        jnz cpu0_loop
        mov rax, DONE_MAGIC
        mov [done], rax
        cli
        hlt
align 8
watched: dq 0                           ; in the same page as cpu0_loop
cpu1_word: dq 0                         ; CPU 1's, in the same page too

section .cpu1 progbits alloc exec align=4096
cpu1:
        xor r8, r8
cpu1_loop:
        inc r8
        mov [scratch], r8
        mov rax, [scratch]
        cmp rax, r8
        jne .bad
        cmp byte [shared], 0
        je .own
        mov [cpu1_word], r8             ; in the trapped page
        mov rax, [cpu1_word]
        cmp rax, r8
        jne .bad
.own:   mov rax, [pattern]
        mov rdx, PATTERN
        cmp rax, rdx
        jne .bad
        mov rax, [done]
        mov rdx, DONE_MAGIC
        cmp rax, rdx
        jne cpu1_loop
        EXIT_PASS
.bad:   EXIT_FAIL

section .data align=4096
pattern: dq PATTERN
scratch: dq 0
done:    dq 0
shared:  db 0                           ; set by a debugger: CPU 1 uses the trapped page too
