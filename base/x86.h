/* base/x86.h — the x86 architecture facts kvmstub names: page size, control-register, EFER
 * and RFLAGS bits, page-table entry bits, exception vectors, MSRs, the INT3 and STI opcodes and
 * the few instruction prefixes kvmstub looks at.
 *
 * The one place for them (Intel SDM vol. 2 and 3; AMD APM vol. 2 and 3). Pure, no KVM.
 */
#ifndef KVMSTUB_BASE_X86_H
#define KVMSTUB_BASE_X86_H

#include <stdint.h>
#include <string.h>

/* Pages. */
#define X86_PAGE_SIZE    4096ULL
#define X86_PAGE_MASK    (~(X86_PAGE_SIZE - 1))
#define X86_PAGE_2M      0x200000ULL
#define X86_PT_ENTRIES   512
#define x86_page_of(a)   ((uint64_t)(a)&X86_PAGE_MASK)
#define x86_page_left(a) (X86_PAGE_SIZE - ((uint64_t)(a) & (X86_PAGE_SIZE - 1)))

/* Control registers and EFER. */
#define X86_CR0_PE   (1ULL << 0)
#define X86_CR0_MP   (1ULL << 1)
#define X86_CR0_ET   (1ULL << 4)
#define X86_CR0_NE   (1ULL << 5)
#define X86_CR0_WP   (1ULL << 16)
#define X86_CR0_PG   (1ULL << 31)
#define X86_CR4_PSE  (1ULL << 4)
#define X86_CR4_PAE  (1ULL << 5)
#define X86_CR4_LA57 (1ULL << 12)
#define X86_EFER_SCE (1ULL << 0) /* SYSCALL enabled */
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_EFER_NX  (1ULL << 11)

/* RFLAGS. */
#define X86_RFLAGS_CF       (1ULL << 0)
#define X86_RFLAGS_RESERVED (1ULL << 1) /* always one */
#define X86_RFLAGS_PF       (1ULL << 2)
#define X86_RFLAGS_AF       (1ULL << 4)
#define X86_RFLAGS_ZF       (1ULL << 6)
#define X86_RFLAGS_SF       (1ULL << 7)
#define X86_RFLAGS_TF       (1ULL << 8)
#define X86_RFLAGS_IF       (1ULL << 9)
#define X86_RFLAGS_DF       (1ULL << 10)
#define X86_RFLAGS_OF       (1ULL << 11)
#define X86_RFLAGS_NT       (1ULL << 14)
#define X86_RFLAGS_RF       (1ULL << 16)
#define X86_RFLAGS_VM       (1ULL << 17)
#define X86_RFLAGS_AC       (1ULL << 18)

#define X86_RFLAGS_IOPL(f) ((unsigned)((f) >> 12) & 3) /* the I/O privilege level */

/* The x87 control word and MXCSR after FNINIT / at reset. */
#define X86_FPU_FCW_DEFAULT 0x37F
#define X86_MXCSR_DEFAULT   0x1F80

/* Page-table entries (every paging mode shares the low bits). */
#define X86_PTE_PRESENT  (1ULL << 0)
#define X86_PTE_WRITE    (1ULL << 1)
#define X86_PTE_USER     (1ULL << 2)
#define X86_PTE_PWT      (1ULL << 3) /* page-level write-through */
#define X86_PTE_PCD      (1ULL << 4) /* page-level cache disable */
#define X86_PTE_ACCESSED (1ULL << 5)
#define X86_PTE_DIRTY    (1ULL << 6)  /* in a leaf entry */
#define X86_PTE_LARGE    (1ULL << 7)  /* PS: a large page at this level */
#define X86_PTE_GLOBAL   (1ULL << 8)  /* in a leaf entry */
#define X86_PTE_NX       (1ULL << 63) /* no execute (PAE, 4- and 5-level paging with EFER.NXE) */

/* Segment selectors. */
#define X86_SELECTOR_TI    0x4 /* the selector names an LDT entry */
#define X86_SELECTOR_INDEX (~7u)

/* Exception vectors: the first 32 of the IDT. */
#define X86_EXCEPTION_VECTORS 32
enum x86_vector {
    X86_VECTOR_DE = 0,  /* divide error */
    X86_VECTOR_DB = 1,  /* debug */
    X86_VECTOR_NMI = 2, /* non-maskable interrupt */
    X86_VECTOR_BP = 3,  /* breakpoint (INT3) */
    X86_VECTOR_OF = 4,
    X86_VECTOR_BR = 5,
    X86_VECTOR_UD = 6, /* invalid opcode */
    X86_VECTOR_NM = 7,
    X86_VECTOR_DF = 8, /* double fault */
    X86_VECTOR_TS = 10,
    X86_VECTOR_NP = 11,
    X86_VECTOR_SS = 12,
    X86_VECTOR_GP = 13, /* general protection */
    X86_VECTOR_PF = 14, /* page fault */
    X86_VECTOR_MF = 16,
    X86_VECTOR_AC = 17,
    X86_VECTOR_MC = 18,
    X86_VECTOR_XM = 19,
};

/* Where a 64-bit TSS keeps the stack pointers exception delivery loads: RSP0-2, IST1-7. */
#define X86_TSS64_RSP0 4
#define X86_TSS64_IST1 0x24
/* A 32-bit TSS: ESP0 and SS0 (then ESP1, SS1, ... every 8 bytes). */
#define X86_TSS32_ESP0 4
#define X86_TSS32_SS0  8

/* Instructions. */
#define X86_INSN_INT3      0xCC
#define X86_INSN_INT_IMM8  0xCD /* int imm8 */
#define X86_INSN_STI       0xFB /* sti */
#define X86_INSN_SYSCALL0  0x0F /* syscall: 0F 05 */
#define X86_INSN_SYSCALL1  0x05
#define X86_INSN_MAX_BYTES 15

/* A legacy prefix other than REP/REPNE (F3/F2, which some opcodes also use as part of
 * themselves): operand and address size, segment override, LOCK. */
static inline int x86_is_legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0x2E || b == 0x3E || b == 0x26 || b == 0x36 ||
           b == 0x64 || b == 0x65 || b == 0xF0;
}

/* Where the opcode starts in bytes (len of them): past the prefixes the CPU takes with an
 * instruction (legacy, REP/REPNE, and in 64-bit mode REX bytes, in any order: a REX not right
 * before the opcode is ignored; elsewhere 0x40-0x4F are INC/DEC). len when they are all
 * prefixes. */
static inline unsigned x86_opcode_offset(const uint8_t *bytes, unsigned len, int mode64)
{
    unsigned i = 0;
    while (i < len && (x86_is_legacy_prefix(bytes[i]) || bytes[i] == 0xF2 || bytes[i] == 0xF3 ||
                       (mode64 && (bytes[i] & 0xF0) == 0x40)))
        i++;
    return i;
}

/* Whether bytes (len of them) start a REP/REPNE string instruction: prefixes with F2 or F3
 * among them, then MOVS, CMPS, STOS, LODS, SCAS, INS or OUTS, within the 15-byte limit. */
static inline int x86_is_rep_string(const uint8_t *bytes, unsigned len, int mode64)
{
    unsigned i = x86_opcode_offset(bytes, len, mode64);
    int rep = memchr(bytes, 0xF2, i) != NULL || memchr(bytes, 0xF3, i) != NULL;
    if (!rep || i >= len || i >= X86_INSN_MAX_BYTES)
        return 0;
    uint8_t op = bytes[i];
    return (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || (op >= 0x6C && op <= 0x6F);
}

/* Whether bytes (len of them) are a UD2 (0F 0B) behind any prefixes, within the 15-byte limit
 * (beyond it the CPU raises #GP): it raises #UD all the same. */
static inline int x86_is_ud2(const uint8_t *bytes, unsigned len, int mode64)
{
    unsigned i = x86_opcode_offset(bytes, len, mode64);
    return i + 1 < len && i + 2 <= X86_INSN_MAX_BYTES && bytes[i] == 0x0F && bytes[i + 1] == 0x0B;
}

/* Whether the instruction in bytes (len of them) may leave RFLAGS.TF other than it found it:
 * it loads RFLAGS (POPF, IRET, SYSRET, SYSEXIT, RSM), delivers an event or enters a handler
 * that clears TF (INT3, INT n, INTO, INT1, SYSCALL, SYSENTER), may switch tasks or worlds
 * (a far JMP or CALL, 0F 01's VMRUN and the like), or delays the single-step trap past the
 * next instruction, which may be one of these (MOV SS, POP SS). Also when bytes do not hold a whole
 * opcode (an unreadable pc): the caller then assumes the worst. */
static inline int x86_may_change_tf(const uint8_t *bytes, unsigned len, int mode64)
{
    unsigned i = x86_opcode_offset(bytes, len, mode64);
    if (i >= len || i >= X86_INSN_MAX_BYTES)
        return 1;
    switch (bytes[i]) {
    case 0x9D: /* popf */
    case 0xCF: /* iret */
    case 0xCC: /* int3 */
    case 0xCD: /* int n */
    case 0xCE: /* into */
    case 0xF1: /* int1 */
    case 0xEA: /* jmp far (a task gate or TSS: a task switch loads EFLAGS) */
    case 0x9A: /* call far */ return 1;
    case 0x17: /* pop ss: the trap comes after the next instruction, which may be any of these */
        return 1;
    case 0x8E: /* mov ss, r/m (reg 2): the same */
        return i + 1 >= len || ((bytes[i + 1] >> 3) & 7) == 2;
    case 0xFF: /* call far /3, jmp far /5 */
        if (i + 1 >= len)
            return 1;
        return ((bytes[i + 1] >> 3) & 7) == 3 || ((bytes[i + 1] >> 3) & 7) == 5;
    case 0x0F:
        if (i + 1 >= len)
            return 1;
        /* syscall, sysret, sysenter, sysexit, rsm, group 7 (vmrun, vmcall, ...) */
        return bytes[i + 1] == 0x05 || bytes[i + 1] == 0x07 || bytes[i + 1] == 0x34 ||
               bytes[i + 1] == 0x35 || bytes[i + 1] == 0xAA || bytes[i + 1] == 0x01;
    default: return 0;
    }
}

/* Model-specific registers. */
#define X86_MSR_APIC_BASE           0x1B
#define X86_MSR_IA32_MISC_ENABLE    0x1A0
#define X86_MSR_MTRR_DEF_TYPE       0x2FF
#define X86_MSR_STAR                0xC0000081 /* SYSCALL's segments */
#define X86_MSR_LSTAR               0xC0000082 /* its entry from 64-bit mode */
#define X86_MSR_CSTAR               0xC0000083 /* ... from compatibility mode */
#define X86_MSR_FMASK               0xC0000084 /* the RFLAGS bits it clears */
#define X86_MSR_KERNEL_GS_BASE      0xC0000102
#define X86_MISC_ENABLE_FAST_STRING 0x1
#define X86_MTRR_DEF_TYPE_ENABLE_WB 0x806 /* MTRRs enabled, default type write-back */

#endif
