; guest/serial_input64.asm — reads a line from the 8250 UART the way Linux's 8250 driver comes
; up (run with --irqchip, input piped in at start): it probes the port (every interrupt enabled
; for a moment, as the driver's autoconfig does), waits a while, then resets the receive FIFO
; (as the driver does when the port starts), enables the receive interrupt, and only then polls
; for the line. Input that reached the FIFO before the reset would be gone; kvmstub must hold
; it until the guest listens. It echoes "got: LINE" on the debug console and passes when the
; line is "hello".
; build: elf64
; link: 0x100000

bits 64
default rel
global _start

%include "lib64.inc"

COM1_DATA equ 0x3F8
COM1_IER  equ 0x3F9
COM1_FCR  equ 0x3FA
COM1_LSR  equ 0x3FD
LSR_DR    equ 0x01
IER_RDI   equ 0x01
FCR_RESET equ 0x07                      ; FIFO on, clear receive and transmit FIFOs
EARLY_WAIT equ 20000                    ; iterations before the driver "comes up"
LINE_WAIT  equ 300000                   ; iterations to wait for each byte after that

section .text
_start:
        mov dx, COM1_IER                ; the driver probes the port: IER can hold every bit
        mov al, 0x0F
        out dx, al
        in al, dx
        xor al, al
        out dx, al
        mov ecx, EARLY_WAIT             ; (input piped at start arrives meanwhile)
.early: mov dx, COM1_LSR
        in al, dx
        dec ecx
        jnz .early
        mov dx, COM1_FCR                ; the driver starts: FIFO reset ...
        mov al, FCR_RESET
        out dx, al
        mov dx, COM1_IER                ; ... and the receive interrupt enabled
        mov al, IER_RDI
        out dx, al
        PRINT msg_got
        lea rdi, [line]
.next:  mov ecx, LINE_WAIT
.poll:  mov dx, COM1_LSR
        in al, dx
        test al, LSR_DR
        jnz .byte
        dec ecx
        jnz .poll
        jmp .fail                       ; nothing came
.byte:  mov dx, COM1_DATA
        in al, dx
        cmp al, 10
        je .done
        out 0xe9, al
        stosb
        lea rax, [line + 15]
        cmp rdi, rax
        jb .next
.done:  mov al, 10
        out 0xe9, al
        mov rax, [line]
        mov rdx, 0x6f6c6c6568           ; "hello" (little endian)
        cmp rax, rdx
        jne .fail
        EXIT_PASS
.fail:  EXIT_FAIL

section .rodata
msg_got: db "got: ", 0

section .bss
line:   resb 16
