; guest/straddle64.asm — an instruction that starts 3 bytes before the end of its page and ends
; in the next page, which holds a breakpoint: with that breakpoint an exec trap (its page out of
; the map), the instruction's own page is mapped but the fetch of its tail fails.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, again, straddle, past, target, count

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        xor ecx, ecx
again:
        jmp straddle

        times 0x1000 - 3 - ($ - $$) db 0xcc
straddle:
        add qword [count], 1            ; 48 83 05 | disp32 01: the page boundary after 3 bytes
past:
        out 0x80, al                    ; an exit between the two (see straddle_into_exec_trap.gdb)
target:
        inc ecx
        cmp ecx, 3
        jne again
        cmp qword [count], 3
        jne .bad
        PRINT msg_ok
        EXIT_PASS
.bad:   PRINT msg_bad
        EXIT_FAIL

section .rodata
msg_ok:  db "straddle64 OK", 10, 0
msg_bad: db "straddle64 FAILED", 10, 0

section .data
align 4096
count:  dq 0

section .bss
align 16
stack:  resb 4096
stack_top:
