; guest/multiboot.asm — a multiboot (v1) kernel: runs the same under kvmstub and under
; `qemu-system-x86_64 -kernel`. It checks the boot loader's magic and information structure,
; prints the command line and the memory it was given, and reports through the exit port.
; build: elf32
; link: 0x100000

bits 32
global _start

MBI_MEMORY      equ 1 << 0
MBI_CMDLINE     equ 1 << 2
MBI_MMAP        equ 1 << 6

%include "lib32.inc"
%include "multiboot.inc"

_start:
        mov esp, stack_top
        cmp eax, MB_BOOT_MAGIC
        jne fail
        mov ebp, ebx                    ; the information structure
        mov eax, [ebp]                  ; flags
        and eax, MBI_MEMORY | MBI_CMDLINE | MBI_MMAP
        cmp eax, MBI_MEMORY | MBI_CMDLINE | MBI_MMAP
        jne fail
        cmp dword [ebp + 8], 1024       ; mem_upper: at least 1 MiB above 1 MiB
        jb fail
        cmp dword [ebp + 44], 0         ; mmap_length
        je fail

        PRINT msg_cmdline
        mov esi, [ebp + 16]             ; cmdline
        call print_string
        PRINT msg_upper
        mov eax, [ebp + 8]
        shr eax, 10                     ; KiB -> MiB
        call print_decimal
        PRINT msg_mib
        PRINT ok
        EXIT_PASS
fail:
        PRINT bad
        EXIT_FAIL

; print EAX in decimal
print_decimal:
        mov ecx, 10
        xor ebx, ebx
.digits:
        xor edx, edx
        div ecx
        push edx
        inc ebx
        test eax, eax
        jnz .digits
.out:
        pop eax
        add al, '0'
        out 0xe9, al
        dec ebx
        jnz .out
        ret

section .data
msg_cmdline: db "multiboot cmdline: ", 0
msg_upper:   db 10, "upper memory: ", 0
msg_mib:     db " MiB", 10, 0
ok:          db "multiboot OK", 10, 0
bad:         db "multiboot FAILED", 10, 0

section .bss
align 16
stack: resb 4096
stack_top:
