; guest/lines64.asm — source lines of many instructions, a hot loop and a memory window with a
; hole, for what gdb does in fewer round trips with kvmstub (issue 12): range stepping over a
; line (`times N` puts N instructions on one source line), breakpoint conditions and dprintf
; evaluated in the stub, and `find` (qSearch:memory) over pages that are not all mapped.
;   - fifty, fifty2: 50 `add rax, 1` each, one line apiece; wline: 20 writes to wvar on a
;     line; pfline: 8 lodsq from the window's first page on, the fourth of which reads the
;     hole (#PF: its handler ends the guest, unless a debugger skips the line); call_line
;     and call_line2 call leaf;
;   - hot: a loop of HOT_LOOPS iterations counting in rcx, alone in its page (exec traps
;     there cost only its own fetches); it sums rcx into hot_sum;
;   - the window at WINDOW (PML4 slot 0x80, mapped by the guest itself): page 0 is win_a,
;     page 1 is not present, page 2 is win_b, which holds PATTERN at offset 0x100.
; With --cpus 2, CPU 1 counts in `spin` all the while. The guest ends
; through the exit port: 1 when rax, wvar and hot_sum add up, 3 otherwise.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, fifty, fifty2, after_fifty2, wline, after_wline, pfline
global after_pfline, call_line, call_line2, after_call, leaf, hot, hot_end, done
global wvar, spin, hot_sum, win_a, win_b

WINDOW    equ 0x400000000000
PATTERN   equ 0x1122334455667788
HOT_LOOPS equ 1000

%include "lib64.inc"

section .text
_start:
        CPU_NUMBER
        test ebx, ebx
        jnz spinner
        lea rsp, [stack_top]
        call load_idt
        mov edi, 14                     ; #PF: pfline's, unless a debugger skips it
        lea rsi, [pf_handler]
        call install_idt_gate
        call map_window
        xor eax, eax
fifty:
        times 50 add rax, 1
fifty2:
        times 50 add rax, 1
after_fifty2:
        lea rdi, [wvar]
wline:
        times 20 add qword [rdi], 1
after_wline:
        mov rsi, WINDOW + 0x1000 - 24   ; three quadwords before the hole
pfline:
        times 8 lodsq
after_pfline:
        mov rax, 100
call_line:
        call leaf
call_line2:
        call leaf
after_call:
        cmp rax, 102                    ; 100 + leaf's 1 twice (the adds' sum is overwritten)
        jne fail
        cmp qword [wvar], 20
        jne fail
        call hot_loop
        mov rax, HOT_LOOPS * (HOT_LOOPS - 1) / 2
        cmp [hot_sum], rax
        jne fail
done:
        PRINT msg_ok
        EXIT_PASS
fail:
        PRINT msg_bad
        EXIT_FAIL



; Map win_a at WINDOW and win_b at WINDOW + 0x2000 in the tables kvmstub built (identity
; mapped, so their physical addresses are usable as they are), leaving WINDOW + 0x1000 out.
map_window:
        mov rax, cr3
        and rax, ~0xfff
        lea rdx, [win_pdpt + 3]
        mov [rax + (WINDOW >> 39) * 8], rdx
        lea rdx, [win_pd + 3]
        mov [win_pdpt], rdx
        lea rdx, [win_pt + 3]
        mov [win_pd], rdx
        lea rdx, [win_a + 3]
        mov [win_pt], rdx
        lea rdx, [win_b + 3]
        mov [win_pt + 2 * 8], rdx
        mov rax, PATTERN
        mov [win_b + 0x100], rax
        mov rax, cr3
        mov cr3, rax
        ret

; CPU 1's loop, leaf and the #PF handler have pages of their own too: on a host where
; breakpoints are exec traps (the code's page leaves the memory map), a catch on the handler
; or a breakpoint in CPU 0's code does not make every fetch of the others exit, and the
; breakpoint gdb puts at a call's return address is reached by a fetch from another page.
section .spin progbits alloc exec nowrite align=4096
spinner:                                ; CPU 1..: count until the guest ends
        inc qword [spin]
        jmp spinner
        align 4096

section .leaf progbits alloc exec nowrite align=4096
leaf:                                   ; returns into CPU 0's page from another one
        inc rax
        ret
        align 4096

section .handler progbits alloc exec nowrite align=4096
pf_handler:
        PRINT msg_pf
        EXIT_FAIL
        align 4096

section .hot progbits alloc exec nowrite align=4096
hot_loop:
        xor ecx, ecx
hot:
        add [hot_sum], rcx
        inc rcx
        cmp rcx, HOT_LOOPS
        jne hot
hot_end:
        ret
        align 4096                      ; nothing else in this page

section .rodata
msg_ok:  db "lines64 OK", 10, 0
msg_bad: db "lines64 FAILED", 10, 0
msg_pf:  db "lines64 FAILED: a page fault (pfline's, not skipped by a debugger)", 10, 0

section .data
align 4096
wvar:    dq 0
align 4096
spin:    dq 0
align 4096
hot_sum: dq 0
align 4096
win_a:   times 4096 db 0
win_b:   times 4096 db 0

section .bss
alignb 4096
win_pdpt: resb 4096
win_pd:   resb 4096
win_pt:   resb 4096
stack:    resb 8192
stack_top:
