; guest/multiboot2_info.asm — a multiboot2 ELF32 kernel that checks the boot information it is
; given, as a kernel booted by GRUB 2 would read it: EAX = 0x36D76289, EBX 8-byte aligned,
; total_size, tags 8-byte aligned up to the end tag, no framebuffer tag. It prints the command
; line (between brackets, to show it exactly), the boot loader name, the basic memory
; information and every memory map entry (base, length, type in hex), and reports through the
; exit port. Its header asks (required) for the command line, memory information and memory
; map, and carries an optional framebuffer tag and a module alignment tag.
; build: elf32
; link: 0x100000

bits 32
global _start

TAG_END         equ 0
TAG_CMDLINE     equ 1
TAG_LOADER_NAME equ 2
TAG_MEMINFO     equ 4
TAG_MMAP        equ 6
TAG_FRAMEBUFFER equ 8

%include "lib32.inc"
%include "multiboot2.inc"

MB2_HEADER_BEGIN
        dw 1, 0                         ; information request (required)
        dd 20
        dd TAG_CMDLINE, TAG_MEMINFO, TAG_MMAP
        align 8
        dw 5, MB2_OPTIONAL              ; framebuffer (optional): kvmstub has none
        dd 20
        dd 1024, 768, 32
        align 8
        dw 6, 0                         ; module alignment
        dd 8
MB2_HEADER_END

_start:
        mov esp, stack_top
        cmp eax, MB2_BOOT_MAGIC
        jne fail
        test ebx, 7
        jnz fail
        mov ebp, ebx                    ; the boot information
        mov edi, ebx
        add edi, [ebx]                  ; its end (total_size)
        test dword [ebx], 7
        jnz fail
        lea ebx, [ebp + 8]              ; the first tag
.tag:   cmp ebx, edi
        jae fail                        ; past total_size without an end tag
        test ebx, 7
        jnz fail
        mov eax, [ebx]
        cmp eax, TAG_END
        je .end
        cmp eax, TAG_FRAMEBUFFER
        je fail
        cmp eax, TAG_CMDLINE
        jne .not_cmdline
        or byte [seen], 1
        PRINT msg_cmdline
        lea esi, [ebx + 8]
        call print_string
        PRINT msg_close
        jmp .next
.not_cmdline:
        cmp eax, TAG_LOADER_NAME
        jne .not_name
        PRINT msg_loader
        lea esi, [ebx + 8]
        call print_string
        PRINT msg_newline
        jmp .next
.not_name:
        cmp eax, TAG_MEMINFO
        jne .not_meminfo
        or byte [seen], 2
        PRINT msg_lower
        mov eax, [ebx + 8]
        call print_hex32
        PRINT msg_upper
        mov eax, [ebx + 12]
        call print_hex32
        PRINT msg_newline
        jmp .next
.not_meminfo:
        cmp eax, TAG_MMAP
        jne .next
        or byte [seen], 4
        cmp dword [ebx + 8], 24         ; entry_size
        jne fail
        lea esi, [ebx + 16]
        mov edx, ebx
        add edx, [ebx + 4]              ; the tag's end
.entry: cmp esi, edx
        jae .next
        push esi
        PRINT msg_mmap
        pop esi
        mov eax, [esi + 4]
        call print_hex32
        mov eax, [esi]
        call print_hex32
        mov al, ' '
        out 0xe9, al
        mov eax, [esi + 12]
        call print_hex32
        mov eax, [esi + 8]
        call print_hex32
        mov al, ' '
        out 0xe9, al
        mov eax, [esi + 16]
        call print_hex32
        mov al, 10
        out 0xe9, al
        add esi, 24
        jmp .entry
.next:  mov eax, [ebx + 4]              ; size, then up to the next 8-byte boundary
        add eax, 7
        and eax, ~7
        add ebx, eax
        jmp .tag
.end:   cmp byte [seen], 7
        jne fail
        PRINT msg_ok
        EXIT_PASS
fail:
        PRINT msg_bad
        EXIT_FAIL

; print EAX as 8 hex digits (ESI preserved)
print_hex32:
        push esi
        mov ecx, 8
.digit: rol eax, 4
        mov esi, eax
        and esi, 0xf
        push eax
        mov al, [hex_digits + esi]
        out 0xe9, al
        pop eax
        loop .digit
        pop esi
        ret

section .data
hex_digits:  db "0123456789abcdef"
msg_cmdline: db "multiboot2 cmdline: [", 0
msg_close:   db "]", 10, 0
msg_loader:  db "multiboot2 loader: ", 0
msg_lower:   db "multiboot2 memory: lower ", 0
msg_upper:   db " upper ", 0
msg_mmap:    db "multiboot2 mmap: ", 0
msg_newline: db 10, 0
msg_ok:      db "multiboot2 info OK", 10, 0
msg_bad:     db "multiboot2 info FAILED", 10, 0
seen:        db 0

section .bss
alignb 16
stack: resb 4096
stack_top:
