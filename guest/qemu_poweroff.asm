; guest/qemu_poweroff.asm — a test kernel written for QEMU, as QEMU's own x86 test kernels are:
; booted by `qemu-system-x86_64 -kernel` (multiboot), it prints on the serial port (COM1, which
; -nographic and -serial stdio show) and ends with an ACPI power-off: SLP_EN with SLP_TYP 0
; written to the PM1a control register, port 0x604, as a 16-bit write; then it halts in a loop,
; as they do. It prints a line after the power-off that must never show: kvmstub ends the guest
; at the write. With interrupts enabled, its HLT would wait forever under an interrupt
; controller (kvmstub --irqchip), as it does when the power-off is not honoured.
; build: elf32
; link: 0x100000

bits 32
global _start, kmain

COM1            equ 0x3F8
COM1_LSR        equ COM1 + 5
LSR_THRE        equ 0x20
PM1A_CNT        equ 0x604
SLP_EN          equ 1 << 13         ; with SLP_TYP (bits 12:10) 0: QEMU's S5, soft off

%include "lib32.inc"
%include "multiboot.inc"

section .text
_start:
        mov esp, stack_top
        cmp eax, MB_BOOT_MAGIC
        jne .bad
        mov esi, [ebx + 16]             ; the command line (multiboot information)
        call kmain
.bad:   mov esi, msg_bad
        call serial_print
        jmp poweroff

kmain:
        push esi
        mov esi, msg_hello
        call serial_print
        pop esi
        call serial_print               ; the command line, as the loader gave it
        mov esi, msg_newline
        call serial_print
poweroff:
        mov dx, PM1A_CNT
        mov ax, SLP_EN
        out dx, ax
        mov esi, msg_after
        call serial_print
        sti
.halt:  hlt
        jmp .halt

; print the zero-terminated string at ESI on COM1
serial_print:
        lodsb
        test al, al
        jz .done
        mov ah, al
        mov dx, COM1_LSR
.wait:  in al, dx
        test al, LSR_THRE
        jz .wait
        mov al, ah
        mov dx, COM1
        out dx, al
        jmp serial_print
.done:  ret

section .data
msg_hello:   db "qemu test kernel: ", 0
msg_newline: db 13, 10, 0
msg_bad:     db "qemu test kernel: not booted by multiboot", 13, 10, 0
msg_after:   db "still running after the power-off", 13, 10, 0

section .bss
alignb 16
stack: resb 4096
stack_top:
