; guest/bench.asm — the benchmark guest (bench/): a multiboot (v1) kernel that runs the same
; under kvmstub and `qemu-system-x86_64 -enable-kvm -kernel`. It fills a 1 MiB region with a
; known pattern, stops at `bench_ready`, then spins. The benchmark client moves the PC to the
; code each scenario needs; the symbols below are its contract (bench/run.sh reads them with nm):
;   bench_ready        reached once the pattern is complete (the client puts a breakpoint here)
;   bench_spin         a loop that never ends (Ctrl-C latency), up to bench_spin_end
;   bench_step         BENCH_STEP_COUNT instructions of BENCH_STEP_LEN bytes each, then a jump
;   bench_step_end     back to bench_step: single-steps walk this predictable stream
;   bench_bp           a two-instruction loop: bench_bp adds one to the dword bench_counter
;   bench_bp_next      (breakpoint cycles are checked against it), bench_bp_next jumps back
;   bench_pattern      BENCH_PATTERN_SIZE bytes, byte i = (i * 7 + 3) & 255
; and for the rows real gdb drives (bench/gdb_rows.py), which set the pc and registers:
;   bench_line         one source line of 50 instructions, then bench_line_next (`next`)
;   bench_body         a loop body of four lines (`step` x100)
;   bench_count_entry  one instruction before bench_count (gdb starts there, so that the first
;                      pass at bench_count hits a breakpoint there: gdb steps over one at the
;                      pc it stopped at without a hit)
;   bench_count        ecx iterations (set by gdb), each adding one to bench_touch, then
;   bench_count_done   spins here, in a page of its own (conditions, dprintf, the watched-page
;                      loop); bench_watched shares bench_touch's page and nothing writes it
; 32-bit protected mode, paging off, interrupts off (IRET is not emulated on PVM hosts).
; build: elf32
; link: 0x100000

bits 32
global _start, bench_ready, bench_spin, bench_step, bench_step_end, bench_bp
global bench_spin_end, bench_bp_next, bench_counter, bench_pattern
global bench_line, bench_line_next, bench_body, bench_count_entry, bench_count, bench_count_done
global bench_touch, bench_watched

BENCH_PATTERN_SIZE equ 1 << 20
BENCH_PATTERN_MUL  equ 7
BENCH_PATTERN_ADD  equ 3
PATTERN_PERIOD     equ 256             ; (i * 7 + 3) & 255 repeats every 256 bytes
BENCH_STEP_COUNT   equ 4096
BENCH_STEP_LEN     equ 3               ; add eax, 1 (83 C0 01)

%include "multiboot.inc"

_start:
        cli
        cld
        mov esp, stack_top
        ; One period byte by byte (256 emulated iterations) ...
        mov edi, bench_pattern
        xor ecx, ecx
.period:
        mov eax, ecx
        imul eax, eax, BENCH_PATTERN_MUL
        add eax, BENCH_PATTERN_ADD
        mov [edi + ecx], al
        inc ecx
        cmp ecx, PATTERN_PERIOD
        jne .period
        ; ... then an overlapping forward copy repeats it: dword k of the destination is read
        ; after the copy wrote it one period earlier. One instruction for the whole MiB.
        mov esi, bench_pattern
        lea edi, [esi + PATTERN_PERIOD]
        mov ecx, (BENCH_PATTERN_SIZE - PATTERN_PERIOD) / 4
        rep movsd
bench_ready:
bench_spin:
        inc ecx
        jmp bench_spin
bench_spin_end:

align 16
bench_bp:
        inc dword [bench_counter]
bench_bp_next:
        jmp bench_bp

align 16
bench_step:
%rep BENCH_STEP_COUNT
        add eax, 1
%endrep
bench_step_end:
        jmp bench_step

align 16
bench_line:
        times 50 add eax, 1
bench_line_next:
        jmp bench_line

align 16
bench_body:
        times 5 add eax, 1
        times 5 add ebx, 1
        times 5 add edx, 1
        jmp bench_body

align 16
bench_count_entry:
        nop                             ; gdb starts here: the first pass at bench_count is a hit
bench_count:
        inc dword [bench_touch]
        dec ecx
        jnz bench_count
        jmp bench_count_done
; In a page of its own: where a breakpoint here is an exec trap (a host that reports neither
; INT3 nor debug registers), the loop's page stays mapped and the loop runs at full speed.
align 4096
bench_count_done:
        jmp bench_count_done

section .bss
alignb 4096
bench_pattern: resb BENCH_PATTERN_SIZE
bench_counter: resd 1
alignb 16
stack: resb 4096
stack_top:
alignb 4096
bench_touch: resd 1
bench_watched: resd 1
