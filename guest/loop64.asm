; guest/loop64.asm — the 64-bit guest most gdb tests drive. Symbols are in the ELF, so
; `gdb build/guest/loop64.img` can `break count_loop`.
;   - count_loop runs LOOPS times, calling bump() which writes `counter` and reads `limit`;
;   - it fills the 16-byte `buffer` one byte at a time;
;   - it executes its own INT3 three times, handled by its own #BP handler;
;   - it ends through the exit port: 1 (pass) when everything added up, 3 otherwise.
; Watched data sits in its own page (watchpoints may trap whole pages).
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, count_loop, bump, fill_buffer, own_int3, bp_handler, done, long_walk
global counter, limit, buffer, int3_count, walk_sum

LOOPS equ 5

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        call load_idt
        mov edi, 3                      ; #BP
        lea rsi, [bp_handler]
        call install_idt_gate

        xor ecx, ecx
count_loop:
        call bump
        inc ecx
        cmp ecx, LOOPS
        jne count_loop

        call fill_buffer
        call long_walk
own_int3:
        int3                            ; the guest's own breakpoints: its handler counts them
        int3
        int3
        cmp dword [int3_count], 3
        jne fail
        cmp qword [counter], LOOPS
        jne fail
        cmp qword [walk_sum], 500500
        jne fail
done:
        PRINT msg_ok
        EXIT_PASS
fail:
        PRINT msg_bad
        EXIT_FAIL

bump:
        mov rax, [limit]                ; a read
        mov rdx, [counter]
        inc rdx                         ; a write
        mov [counter], rdx
        ret

fill_buffer:
        xor eax, eax
.next:  mov [buffer + rax], al
        inc eax
        cmp eax, 16
        jne .next
        ret

; a loop long enough to step through a thousand instructions: sum 1..1000
long_walk:
        xor eax, eax
        mov ecx, 1
.add:   add rax, rcx
        inc ecx
        cmp ecx, 1001
        jne .add
        mov [walk_sum], rax
        ret

bp_handler:
        inc dword [int3_count]
        iretq

section .rodata
msg_ok:  db "loop64 OK", 10, 0
msg_bad: db "loop64 FAILED", 10, 0

section .data
align 4096
counter:    dq 0
limit:      dq 1000
int3_count: dd 0
align 64
buffer:     times 16 db 0xee
walk_sum:   dq 0
align 4096
pad:        dq 0

section .bss
align 16
stack:  resb 8192
stack_top:
