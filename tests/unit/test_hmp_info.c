/* tests/unit/test_hmp_info.c — QEMU's `info test_mem`, `info tlb` and `info registers` text over
 * synthetic page tables and register states, line for line, and what pwndbg and gef read from
 * it (END - START == SIZE, the GDT=/IDT=/RIP= patterns). */
#include <regex.h>

#include "check.h"
#include "phys_mem.h"
#include "vm/x86/hmp_info.h"

/* The output, lines joined with '\n' (each line ends with one). */
static char text[16384];
static int nlines;

static void collect(void *ctx, const char *line)
{
    (void)ctx;
    size_t len = strlen(text);
    snprintf(text + len, sizeof(text) - len, "%s\n", line);
    nlines++;
}

static const char *info_mem(enum paging_mode mode, uint64_t cr3, bool pse)
{
    text[0] = 0, nlines = 0;
    hmp_info_mem(mode, cr3, pse, read_mem, NULL, collect, NULL);
    return text;
}

static const char *info_tlb(enum paging_mode mode, uint64_t cr3, bool pse)
{
    text[0] = 0, nlines = 0;
    hmp_info_tlb(mode, cr3, pse, read_mem, NULL, collect, NULL);
    return text;
}

static const char *info_registers(const struct hmp_cpu_state *c)
{
    text[0] = 0, nlines = 0;
    hmp_info_registers(c, collect, NULL);
    return text;
}

/* pwndbg's parse of every `info test_mem` line: START-END SIZE PERM, and END - START == SIZE. */
static void check_pwndbg_invariant(const char *out)
{
    char copy[sizeof(text)];
    snprintf(copy, sizeof(copy), "%s", out);
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned __int128 v[3] = {0, 0, 0};
        const char *p = line;
        for (int i = 0; i < 3; i++, p++) {
            for (; *p && *p != '-' && *p != ' '; p++)
                v[i] = v[i] * 16 + (unsigned)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
            CHECK(*p == (i == 0 ? '-' : ' '));
        }
        CHECK(v[1] - v[0] == v[2]);
        CHECK(strlen(p) == 3 && p[1] == 'r');
    }
}

/* 4-level: user and supervisor pages, read-only ones, a gap, 2 MiB and 1 GiB pages in both
 * halves, a table outside RAM, a range that reaches the top of the address space. */
static void build_4level(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    /* lower half: PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000 -> PT 0x13000, all user rw */
    put64(0x10000 + 8 * 0, 0x11000 | 0x7);
    put64(0x11000 + 8 * 0, 0x12000 | 0x7);
    put64(0x12000 + 8 * 0, 0x13000 | 0x7);
    put64(0x13000 + 8 * 0x10, 0x50000 | 0x7);                /* user rw */
    put64(0x13000 + 8 * 0x11, 0x51000 | 0x85);               /* user read-only; bit 7 is PAT here */
    put64(0x13000 + 8 * 0x12, 0x52000 | 0x3);                /* supervisor rw */
    put64(0x13000 + 8 * 0x13, 0x53000 | 0x63);               /* the same, accessed and dirty */
    put64(0x13000 + 8 * 0x20, 0x60000 | 0x11f | 1ULL << 63); /* after a gap: G, PCD, PWT, NX */
    put64(0x12000 + 8 * 1, 0x400000 | 0x83);                 /* 2 MiB, supervisor rw */
    put64(0x12000 + 8 * 2, 0x600000 | 0x1000 | 0x81);        /* 2 MiB read-only, PAT bit 12 */
    put64(0x11000 + 8 * 1, 0x40000000 | 0x87);               /* 1 GiB, user rw */
    put64(0x10000 + 8 * 1, 0x7ffffff000ULL | 0x7);           /* a PDPT outside RAM */
    /* upper half: PML4 511 (supervisor) -> PDPT 0x14000 */
    put64(0x10000 + 8 * 511, 0x14000 | 0x3);
    put64(0x14000 + 8 * 510, 0x15000 | 0x7);
    put64(0x15000 + 8 * 0, 0x0 | 0x183);         /* 0xffffffff80000000: 2 MiB, global */
    put64(0x15000 + 8 * 1, 0x16000 | 0x7);       /* a page table, user at this level only */
    put64(0x16000 + 8 * 0, 0x70000 | 0x5);       /* 0xffffffff80200000: read-only */
    put64(0x14000 + 8 * 511, 0x80000000 | 0x83); /* 0xffffffffc0000000: 1 GiB to the top */
}

static void info_mem_4level(void)
{
    build_4level();
    const char *out = info_mem(PAGING_4LEVEL, 0x10000, false);
    CHECK_STR(out, "0000000000010000-0000000000011000 0000000000001000 urw\n"
                   "0000000000011000-0000000000012000 0000000000001000 ur-\n"
                   "0000000000012000-0000000000014000 0000000000002000 -rw\n"
                   "0000000000020000-0000000000021000 0000000000001000 urw\n"
                   "0000000000200000-0000000000400000 0000000000200000 -rw\n"
                   "0000000000400000-0000000000600000 0000000000200000 -r-\n"
                   "0000000040000000-0000000080000000 0000000040000000 urw\n"
                   "ffffffff80000000-ffffffff80200000 0000000000200000 -rw\n"
                   "ffffffff80200000-ffffffff80201000 0000000000001000 -r-\n"
                   "ffffffffc0000000-10000000000000000 0000000040000000 -rw\n");
    check_pwndbg_invariant(out);
}

static void info_tlb_4level(void)
{
    build_4level();
    CHECK_STR(info_tlb(PAGING_4LEVEL, 0x10000, false),
              "0000000000010000: 0000000000050000 -------UW\n"
              "0000000000011000: 0000000000051000 -------U-\n"
              "0000000000012000: 0000000000052000 --------W\n"
              "0000000000013000: 0000000000053000 ---DA---W\n"
              "0000000000020000: 0000000000060000 XG---CTUW\n"
              "0000000000200000: 0000000000400000 --P-----W\n"
              "0000000000400000: 0000000000600000 --P------\n"
              "0000000040000000: 0000000040000000 --P----UW\n"
              "ffffffff80000000: 0000000000000000 -GP-----W\n"
              "ffffffff80200000: 0000000000070000 -------U-\n"
              "ffffffffc0000000: 0000000080000000 --P-----W\n");
}

/* 5-level: an upper-half address is sign-extended from bit 56. */
static void five_level_addresses_are_canonical(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    put64(0x30000 + 8 * 256, 0x31000 | 0x3);
    put64(0x31000 + 8 * 0, 0x32000 | 0x3);
    put64(0x32000 + 8 * 0, 0x0 | 0x83);
    CHECK_STR(info_mem(PAGING_5LEVEL, 0x30000, false),
              "ff00000000000000-ff00000040000000 0000000040000000 -rw\n");
    CHECK_STR(info_tlb(PAGING_5LEVEL, 0x30000, false),
              "ff00000000000000: 0000000000000000 --P-----W\n");
}

/* 32-bit paging: 4 KiB pages, 4 MiB pages with CR4.PSE (one above 4 GiB by PSE-36), one that
 * ends at 4 GiB; without CR4.PSE the PS bit is ignored. */
static void build_32bit(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    put32(0x1000 + 4 * 0x001, 0x2000 | 0x7);
    put32(0x2000 + 4 * 5, 0x7000 | 0x7);
    put32(0x2000 + 4 * 6, 0x8000 | 0x7);
    put32(0x2000 + 4 * 7, 0x9000 | 0x85); /* read-only; bit 7 is PAT in a PTE */
    put32(0x1000 + 4 * 0x300, 0x00800000 | 0x83);
    put32(0x1000 + 4 * 0x301, 0x00C00000 | 0x2000 | 0x83); /* PSE-36: physical bits 39:32 = 1 */
    put32(0x1000 + 4 * 0x3ff, 0xFFC00000 | 0x87);
}

static void paging_32bit_with_pse(void)
{
    build_32bit();
    const char *out = info_mem(PAGING_32, 0x1000, true);
    CHECK_STR(out, "0000000000405000-0000000000407000 0000000000002000 urw\n"
                   "0000000000407000-0000000000408000 0000000000001000 ur-\n"
                   "00000000c0000000-00000000c0800000 0000000000800000 -rw\n"
                   "00000000ffc00000-0000000100000000 0000000000400000 urw\n");
    check_pwndbg_invariant(out);
    CHECK_STR(info_tlb(PAGING_32, 0x1000, true), "0000000000405000: 0000000000007000 -------UW\n"
                                                 "0000000000406000: 0000000000008000 -------UW\n"
                                                 "0000000000407000: 0000000000009000 -------U-\n"
                                                 "00000000c0000000: 0000000000800000 --P-----W\n"
                                                 "00000000c0400000: 0000000100c00000 --P-----W\n"
                                                 "00000000ffc00000: 00000000ffc00000 --P----UW\n");
    /* Without PSE those PDEs point at page tables, here outside RAM: only the 4 KiB pages. */
    info_tlb(PAGING_32, 0x1000, false);
    CHECK_EQ(nlines, 3);
}

/* PAE: the PDPTE has no U/S or R/W bit and does not take them away. */
static void pae_leaves_the_pdpte_out(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    put64(0x3000 + 8 * 0, 0x4000 | 0x1);
    put64(0x4000 + 8 * 0, 0x5000 | 0x7);
    put64(0x5000 + 8 * 1, 0xa000 | 0x7);
    put64(0x4000 + 8 * 1, 0x600000 | 0x83 | 1ULL << 63);
    put64(0x3000 + 8 * 3, 0x6000 | 0x1);
    put64(0x6000 + 8 * 511, 0x200000 | 0x87);
    const char *out = info_mem(PAGING_PAE, 0x3000, false);
    CHECK_STR(out, "0000000000001000-0000000000002000 0000000000001000 urw\n"
                   "0000000000200000-0000000000400000 0000000000200000 -rw\n"
                   "00000000ffe00000-0000000100000000 0000000000200000 urw\n");
    check_pwndbg_invariant(out);
    CHECK_STR(info_tlb(PAGING_PAE, 0x3000, false),
              "0000000000001000: 000000000000a000 -------UW\n"
              "0000000000200000: 0000000000600000 X-P-----W\n"
              "00000000ffe00000: 0000000000200000 --P----UW\n");
}

static void paging_off_is_pg_disabled(void)
{
    CHECK_STR(info_mem(PAGING_NONE, 0, false), "PG disabled\n");
    CHECK_STR(info_tlb(PAGING_NONE, 0, false), "PG disabled\n");
    memset(test_mem, 0, sizeof(test_mem)); /* paging on, nothing mapped: no line at all */
    CHECK_STR(info_mem(PAGING_4LEVEL, 0x10000, false), "");
}

static struct kvm_segment seg(uint16_t sel, uint64_t base, uint32_t limit, uint8_t type, uint8_t s,
                              uint8_t dpl, uint8_t db, uint8_t l, uint8_t g)
{
    return (struct kvm_segment){.selector = sel,
                                .base = base,
                                .limit = limit,
                                .type = type,
                                .s = s,
                                .dpl = dpl,
                                .db = db,
                                .l = l,
                                .g = g,
                                .present = 1};
}

/* A 64-bit kernel-like state. */
static void registers_long_mode(void)
{
    struct hmp_cpu_state c = {0};
    struct kvm_regs *r = &c.regs;
    r->rax = 1, r->rbx = 2, r->rcx = 3, r->rdx = 4, r->rsi = 5, r->rdi = 6, r->rbp = 7;
    r->rsp = 0xffffffff80108000ULL, r->r8 = 8, r->r9 = 9, r->r10 = 10, r->r11 = 11;
    r->r12 = 12, r->r13 = 13, r->r14 = 14, r->r15 = 0xfedcba9876543210ULL;
    r->rip = 0xffffffff80100010ULL, r->rflags = 0x246;
    struct kvm_sregs *s = &c.sregs;
    s->cs = seg(0x08, 0, 0xffffffff, 0xb, 1, 0, 0, 1, 1);
    s->ds = s->es = s->ss = seg(0x10, 0, 0xffffffff, 0x3, 1, 0, 1, 0, 1);
    s->fs = seg(0, 0, 0xffffffff, 0x3, 1, 0, 1, 0, 1);
    s->fs.unusable = 1;
    s->gs = seg(0, 0xffff888000000000ULL, 0xffff, 0x3, 1, 0, 0, 0, 0);
    s->ldt = seg(0, 0, 0xffff, 0x2, 0, 0, 0, 0, 0);
    s->tr = seg(0x18, 0x1000, 0x67, 0xb, 0, 0, 0, 0, 0);
    s->gdt.base = 0x500, s->gdt.limit = 0x27;
    s->idt.base = 0xffffffff81e00000ULL, s->idt.limit = 0xfff;
    s->cr0 = 0x80050033, s->cr2 = 0xdeadbeef000ULL, s->cr3 = 0x1000, s->cr4 = 0xa0;
    s->efer = 0xd01;
    c.debugregs.db[0] = 0xffffffff81000000ULL, c.debugregs.dr6 = 0xffff0ff0;
    c.debugregs.dr7 = 0x400;
    c.interrupt_shadow = true;
    const char *out = info_registers(&c);
    CHECK_STR(
        out, "RAX=0000000000000001 RBX=0000000000000002 RCX=0000000000000003 RDX=0000000000000004\n"
             "RSI=0000000000000005 RDI=0000000000000006 RBP=0000000000000007 RSP=ffffffff80108000\n"
             "R8 =0000000000000008 R9 =0000000000000009 R10=000000000000000a R11=000000000000000b\n"
             "R12=000000000000000c R13=000000000000000d R14=000000000000000e R15=fedcba9876543210\n"
             "RIP=ffffffff80100010 RFL=00000246 [---Z-P-] CPL=0 II=1 A20=1 SMM=0 HLT=0\n"
             "ES =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
             "CS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"
             "SS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
             "DS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
             "FS =0000 0000000000000000 ffffffff 00c01300\n"
             "GS =0000 ffff888000000000 0000ffff 00009300 DPL=0 DS   [-WA]\n"
             "LDT=0000 0000000000000000 0000ffff 00008200 DPL=0 LDT\n"
             "TR =0018 0000000000001000 00000067 00008b00 DPL=0 TSS64-busy\n"
             "GDT=     0000000000000500 00000027\n"
             "IDT=     ffffffff81e00000 00000fff\n"
             "CR0=80050033 CR2=00000deadbeef000 CR3=0000000000001000 CR4=000000a0\n"
             "DR0=ffffffff81000000 DR1=0000000000000000 DR2=0000000000000000 "
             "DR3=0000000000000000 \n"
             "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
             "EFER=0000000000000d01\n");
}

/* Compatibility mode: 32-bit registers and segments, but long mode's tables and CRs. */
static void registers_compatibility_mode(void)
{
    struct hmp_cpu_state c = {0};
    c.regs.rip = 0x8048000, c.regs.rflags = 0x202;
    c.sregs.cs = seg(0x23, 0, 0xffffffff, 0xb, 1, 3, 1, 0, 1);
    c.sregs.ss = seg(0x2b, 0, 0xffffffff, 0x3, 1, 3, 1, 0, 1);
    c.sregs.ds = seg(0x2b, 0, 0xffff, 0x3, 1, 3, 0, 0, 0); /* not DS16: long mode is active */
    c.sregs.efer = 0x500, c.sregs.cr0 = 0x80000011, c.sregs.gdt.base = 0xfffffe0000001000ULL;
    const char *out = info_registers(&c);
    CHECK(strstr(out, "EIP=08048000 EFL=00000202 [-------] CPL=3 II=0 A20=1 SMM=0 HLT=0\n"));
    CHECK(strstr(out, "CS =0023 00000000 ffffffff 00c0fb00 DPL=3 CS32 [-RA]\n"));
    CHECK(strstr(out, "DS =002b 00000000 0000ffff 0000f300 DPL=3 DS   [-WA]\n"));
    CHECK(strstr(out, "ES =0000 00000000 00000000 00000000\n")); /* not present */
    CHECK(strstr(out, "GDT=     fffffe0000001000 00000000\n"));
}

/* A vCPU at reset: no DPL part anywhere (CR0.PE is clear), 32-bit forms. */
static void registers_real_mode(void)
{
    struct hmp_cpu_state c = {0};
    c.regs.rip = 0xfff0, c.regs.rflags = 0x2, c.regs.rdx = 0x600;
    struct kvm_sregs *s = &c.sregs;
    s->cs = seg(0xf000, 0xffff0000, 0xffff, 0xb, 1, 0, 0, 0, 0);
    s->ds = s->es = s->ss = s->fs = s->gs = seg(0, 0, 0xffff, 0x3, 1, 0, 0, 0, 0);
    s->ldt = seg(0, 0, 0xffff, 0x2, 0, 0, 0, 0, 0);
    s->tr = seg(0, 0, 0xffff, 0xb, 0, 0, 0, 0, 0);
    s->idt.limit = 0x3ff, s->gdt.limit = 0xffff, s->cr0 = 0x60000010;
    c.debugregs.dr6 = 0xffff0ff0, c.debugregs.dr7 = 0x400;
    CHECK_STR(info_registers(&c), "EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000600\n"
                                  "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00000000\n"
                                  "EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 "
                                  "HLT=0\n"
                                  "ES =0000 00000000 0000ffff 00009300\n"
                                  "CS =f000 ffff0000 0000ffff 00009b00\n"
                                  "SS =0000 00000000 0000ffff 00009300\n"
                                  "DS =0000 00000000 0000ffff 00009300\n"
                                  "FS =0000 00000000 0000ffff 00009300\n"
                                  "GS =0000 00000000 0000ffff 00009300\n"
                                  "LDT=0000 00000000 0000ffff 00008200\n"
                                  "TR =0000 00000000 0000ffff 00008b00\n"
                                  "GDT=     00000000 0000ffff\n"
                                  "IDT=     00000000 000003ff\n"
                                  "CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000\n"
                                  "DR0=0000000000000000 DR1=0000000000000000 "
                                  "DR2=0000000000000000 DR3=0000000000000000 \n"
                                  "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
                                  "EFER=0000000000000000\n");
}

static struct hmp_cpu_state prot32_state(void)
{
    struct hmp_cpu_state c = {0};
    c.regs.rax = 0x1234567890abcdefULL, c.regs.rsp = 0x7000, c.regs.rip = 0x100020;
    c.regs.rflags = 0xcd7; /* every flag shown */
    struct kvm_sregs *s = &c.sregs;
    s->cs = seg(0x08, 0, 0xffffffff, 0xb, 1, 0, 1, 0, 1);
    s->ds = s->es = s->ss = seg(0x10, 0, 0xffffffff, 0x3, 1, 0, 1, 0, 1);
    s->fs = seg(0x18, 0x12345, 0xffff, 0x5, 1, 0, 0, 0, 0); /* 16-bit, expand-down, read-only */
    s->gs = seg(0x2b, 0, 0xffffffff, 0x3, 1, 3, 1, 0, 1);
    s->ldt = seg(0, 0, 0, 0x2, 0, 0, 0, 0, 0);
    s->ldt.present = 0;
    s->tr = seg(0x28, 0x1000, 0x67, 0xb, 0, 0, 0, 0, 0);
    s->gdt.base = 0x500, s->gdt.limit = 0x2f, s->idt.base = 0x12000, s->idt.limit = 0x7ff;
    s->cr0 = 0x80000011, s->cr2 = 0xc0001234, s->cr3 = 0x1000, s->cr4 = 0x10;
    c.debugregs.db[3] = 0x12345678, c.debugregs.dr6 = 0xffff0ff0, c.debugregs.dr7 = 0x400;
    c.smm = true, c.halted = true;
    return c;
}

static void registers_protected_32bit(void)
{
    struct hmp_cpu_state c = prot32_state();
    CHECK_STR(info_registers(&c), "EAX=90abcdef EBX=00000000 ECX=00000000 EDX=00000000\n"
                                  "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00007000\n"
                                  "EIP=00100020 EFL=00000cd7 [DOSZAPC] CPL=0 II=0 A20=1 SMM=1 "
                                  "HLT=1\n"
                                  "ES =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
                                  "CS =0008 00000000 ffffffff 00c09b00 DPL=0 CS32 [-RA]\n"
                                  "SS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
                                  "DS =0010 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
                                  "FS =0018 00012345 0000ffff 00009500 DPL=0 DS16 [E-A]\n"
                                  "GS =002b 00000000 ffffffff 00c0f300 DPL=3 DS   [-WA]\n"
                                  "LDT=0000 00000000 00000000 00000200\n"
                                  "TR =0028 00001000 00000067 00008b00 DPL=0 TSS32-busy\n"
                                  "GDT=     00000500 0000002f\n"
                                  "IDT=     00012000 000007ff\n"
                                  "CR0=80000011 CR2=c0001234 CR3=00001000 CR4=00000010\n"
                                  "DR0=0000000000000000 DR1=0000000000000000 "
                                  "DR2=0000000000000000 DR3=0000000012345678 \n"
                                  "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
                                  "EFER=0000000000000000\n");
}

/* The first match of pattern's first and second groups in text. */
static bool match2(const char *pattern, const char *in, char *a, char *b, size_t len)
{
    regex_t re;
    regmatch_t m[3];
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
        return false;
    bool ok = regexec(&re, in, 3, m, 0) == 0;
    regfree(&re);
    if (!ok)
        return false;
    snprintf(a, len, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), in + m[1].rm_so);
    snprintf(b, len, "%.*s", (int)(m[2].rm_eo - m[2].rm_so), in + m[2].rm_so);
    return true;
}

/* gef's and others' patterns find the GDT, IDT, instruction pointer and CR3 in both forms. */
static void front_end_patterns_match(void)
{
    char a[32], b[32];
    struct hmp_cpu_state c = prot32_state();
    const char *out = info_registers(&c);
    CHECK(match2("GDT[[:space:]]*=[[:space:]]*([^[:space:]]+) ([^[:space:]]+)", out, a, b, 32));
    CHECK(strtoull(a, NULL, 16) == 0x500 && strtoull(b, NULL, 16) == 0x2f);
    CHECK(match2("^IDT=[[:space:]]*([0-9a-fA-F]+)[[:space:]]+([0-9a-fA-F]+)", out, a, b, 32));
    CHECK(strtoull(a, NULL, 16) == 0x12000 && strtoull(b, NULL, 16) == 0x7ff);
    CHECK(match2("(R|E)IP=([0-9a-fA-F]+)", out, a, b, 32));
    CHECK_STR(a, "E");
    CHECK(strtoull(b, NULL, 16) == 0x100020);
    CHECK(match2("(CR3)=([0-9a-fA-F]+)", out, a, b, 32));
    CHECK(strtoull(b, NULL, 16) == 0x1000);
    c.sregs.efer = 0x500, c.sregs.cs.l = 1, c.sregs.cs.db = 0;
    c.sregs.idt.base = 0xfffffe0000000000ULL, c.regs.rip = 0xffffffff81000000ULL;
    out = info_registers(&c);
    CHECK(match2("^IDT=[[:space:]]*([0-9a-fA-F]+)[[:space:]]+([0-9a-fA-F]+)", out, a, b, 32));
    CHECK(strtoull(a, NULL, 16) == 0xfffffe0000000000ULL);
    CHECK(match2("(R|E)IP=([0-9a-fA-F]+)", out, a, b, 32));
    CHECK_STR(a, "R");
    CHECK(strtoull(b, NULL, 16) == 0xffffffff81000000ULL);
}

int main(void)
{
    RUN(info_mem_4level);
    RUN(info_tlb_4level);
    RUN(five_level_addresses_are_canonical);
    RUN(paging_32bit_with_pse);
    RUN(pae_leaves_the_pdpte_out);
    RUN(paging_off_is_pg_disabled);
    RUN(registers_long_mode);
    RUN(registers_compatibility_mode);
    RUN(registers_real_mode);
    RUN(registers_protected_32bit);
    RUN(front_end_patterns_match);
    return CHECK_DONE();
}
