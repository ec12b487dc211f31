/* vm/x86/hmp_info.c — QEMU's `info mem`, `info tlb` and `info registers` text, from the page
 * walk and a vCPU's registers (the formats of QEMU's target/i386/monitor.c and cpu-dump.c). */
#include "vm/x86/hmp_info.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/x86.h"

#define HMP_LINE 160

/* A line put together piece by piece. */
struct hmp_line {
    char text[HMP_LINE];
    size_t len;
};

static void add(struct hmp_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct hmp_line *l, const char *fmt, ...)
{
    if (l->len >= sizeof(l->text) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n;
    if (l->len > sizeof(l->text) - 1)
        l->len = sizeof(l->text) - 1;
}

static void emit(hmp_line_fn line, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emit(hmp_line_fn line, void *ctx, const char *fmt, ...)
{
    char text[HMP_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    line(ctx, text);
}

#define PG_DISABLED "PG disabled"

/* ---- info mem ------------------------------------------------------------------------------ */

/* The range of pages alike being gathered. */
struct mem_range {
    bool open;
    uint64_t start, end; /* end is 0 when the range reaches the top of the address space */
    bool user, write;
    hmp_line_fn line;
    void *ctx;
};

static void mem_range_print(struct mem_range *r)
{
    if (!r->open)
        return;
    char end[20];
    if (r->end == 0) /* 2^64: one digit more than QEMU's width, so that END - START == SIZE */
        snprintf(end, sizeof(end), "1%016x", 0);
    else
        snprintf(end, sizeof(end), "%016" PRIx64, r->end);
    emit(r->line, r->ctx, "%016" PRIx64 "-%s %016" PRIx64 " %c%c%c", r->start, end,
         r->end - r->start, r->user ? 'u' : '-', 'r', r->write ? 'w' : '-');
    r->open = false;
}

static int mem_leaf(void *fnctx, const struct pagewalk_leaf *leaf)
{
    struct mem_range *r = fnctx;
    if (r->open && r->end == leaf->linear && r->user == leaf->user && r->write == leaf->write) {
        r->end = leaf->linear + leaf->size;
        return 0;
    }
    mem_range_print(r);
    *r = (struct mem_range){.open = true,
                            .start = leaf->linear,
                            .end = leaf->linear + leaf->size,
                            .user = leaf->user,
                            .write = leaf->write,
                            .line = r->line,
                            .ctx = r->ctx};
    return 0;
}

void hmp_info_mem(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                  void *read_ctx, hmp_line_fn line, void *ctx)
{
    if (mode == PAGING_NONE) {
        line(ctx, PG_DISABLED);
        return;
    }
    struct mem_range r = {.line = line, .ctx = ctx};
    pagewalk_each_leaf(mode, cr3, pse, read, read_ctx, mem_leaf, &r);
    mem_range_print(&r);
}

/* ---- info tlb ------------------------------------------------------------------------------ */

struct tlb_print {
    hmp_line_fn line;
    void *ctx;
};

static int tlb_leaf(void *fnctx, const struct pagewalk_leaf *leaf)
{
    const struct tlb_print *p = fnctx;
    uint64_t e = leaf->entry;
    emit(p->line, p->ctx, "%016" PRIx64 ": %016" PRIx64 " %c%c%c%c%c%c%c%c%c", leaf->linear,
         leaf->gpa, e & X86_PTE_NX ? 'X' : '-', e & X86_PTE_GLOBAL ? 'G' : '-',
         leaf->large ? 'P' : '-', e & X86_PTE_DIRTY ? 'D' : '-', e & X86_PTE_ACCESSED ? 'A' : '-',
         e & X86_PTE_PCD ? 'C' : '-', e & X86_PTE_PWT ? 'T' : '-', e & X86_PTE_USER ? 'U' : '-',
         e & X86_PTE_WRITE ? 'W' : '-');
    return 0;
}

void hmp_info_tlb(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                  void *read_ctx, hmp_line_fn line, void *ctx)
{
    if (mode == PAGING_NONE) {
        line(ctx, PG_DISABLED);
        return;
    }
    struct tlb_print p = {.line = line, .ctx = ctx};
    pagewalk_each_leaf(mode, cr3, pse, read, read_ctx, tlb_leaf, &p);
}

/* ---- info registers ------------------------------------------------------------------------ */

/* A segment's attributes as QEMU keeps them: where they sit in a descriptor's high dword. */
#define SEG_TYPE_SHIFT 8
#define SEG_TYPE_MASK  (0xFu << SEG_TYPE_SHIFT)
#define SEG_A          (1u << 8)  /* code and data: accessed */
#define SEG_RW         (1u << 9)  /* code: readable; data: writable */
#define SEG_CE         (1u << 10) /* code: conforming; data: expand-down */
#define SEG_CODE       (1u << 11)
#define SEG_S          (1u << 12) /* code or data, not a system segment */
#define SEG_DPL_SHIFT  13
#define SEG_P          (1u << 15)
#define SEG_AVL        (1u << 20)
#define SEG_L          (1u << 21)
#define SEG_DB         (1u << 22)
#define SEG_G          (1u << 23)
#define SEG_SHOWN      0x00ffff00u /* the bits QEMU prints */

static uint32_t segment_flags(const struct kvm_segment *s)
{
    return (uint32_t)s->type << SEG_TYPE_SHIFT | (s->s ? SEG_S : 0) |
           (uint32_t)s->dpl << SEG_DPL_SHIFT | (s->present && !s->unusable ? SEG_P : 0) |
           (s->avl ? SEG_AVL : 0) | (s->l ? SEG_L : 0) | (s->db ? SEG_DB : 0) | (s->g ? SEG_G : 0);
}

/* System segment and gate types by name, outside long mode and in it. */
static const char *const system_types[2][16] = {
    {"Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16",
     "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32", "Reserved",
     "IntGate32", "TrapGate32"},
    {"<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved",
     "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64", "Reserved", "IntGate64",
     "TrapGate64"},
};

static void segment_line(const struct hmp_cpu_state *c, const char *name,
                         const struct kvm_segment *s, bool cs64, hmp_line_fn line, void *ctx)
{
    bool lma = c->sregs.efer & X86_EFER_LMA;
    uint32_t flags = segment_flags(s);
    struct hmp_line l = {.len = 0};
    if (cs64)
        add(&l, "%-3s=%04x %016" PRIx64 " %08x %08x", name, s->selector, (uint64_t)s->base,
            s->limit, flags & SEG_SHOWN);
    else
        add(&l, "%-3s=%04x %08x %08x %08x", name, s->selector, (uint32_t)s->base, s->limit,
            flags & SEG_SHOWN);
    if ((c->sregs.cr0 & X86_CR0_PE) && (flags & SEG_P)) {
        add(&l, " DPL=%u ", (flags >> SEG_DPL_SHIFT) & 3);
        if (!(flags & SEG_S)) {
            add(&l, "%s", system_types[lma][(flags & SEG_TYPE_MASK) >> SEG_TYPE_SHIFT]);
        } else if (flags & SEG_CODE) {
            add(&l, "%s [%c%c%c]",
                flags & SEG_L    ? "CS64"
                : flags & SEG_DB ? "CS32"
                                 : "CS16",
                flags & SEG_CE ? 'C' : '-', flags & SEG_RW ? 'R' : '-', flags & SEG_A ? 'A' : '-');
        } else {
            add(&l, "%s [%c%c%c]", (flags & SEG_DB) || lma ? "DS  " : "DS16",
                flags & SEG_CE ? 'E' : '-', flags & SEG_RW ? 'W' : '-', flags & SEG_A ? 'A' : '-');
        }
    }
    line(ctx, l.text);
}

static char flag(uint64_t rflags, uint64_t bit, char letter)
{
    return rflags & bit ? letter : '-';
}

void hmp_info_registers(const struct hmp_cpu_state *c, hmp_line_fn line, void *ctx)
{
    const struct kvm_regs *r = &c->regs;
    const struct kvm_sregs *s = &c->sregs;
    bool lma = s->efer & X86_EFER_LMA;
    bool cs64 = lma && s->cs.l;
    /* CPL is SS.DPL, as KVM and QEMU take it (CS.DPL differs in a conforming code segment). */
    unsigned cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl : 0;
    uint64_t fl = r->rflags;
    char flags[8] = {flag(fl, X86_RFLAGS_DF, 'D'), flag(fl, X86_RFLAGS_OF, 'O'),
                     flag(fl, X86_RFLAGS_SF, 'S'), flag(fl, X86_RFLAGS_ZF, 'Z'),
                     flag(fl, X86_RFLAGS_AF, 'A'), flag(fl, X86_RFLAGS_PF, 'P'),
                     flag(fl, X86_RFLAGS_CF, 'C'), 0};
    if (cs64) {
        emit(line, ctx, "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx", r->rax, r->rbx, r->rcx,
             r->rdx);
        emit(line, ctx, "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx", r->rsi, r->rdi, r->rbp,
             r->rsp);
        emit(line, ctx, "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx", r->r8, r->r9, r->r10,
             r->r11);
        emit(line, ctx, "R12=%016llx R13=%016llx R14=%016llx R15=%016llx", r->r12, r->r13, r->r14,
             r->r15);
        emit(line, ctx, "RIP=%016llx RFL=%08x [%s] CPL=%u II=%d A20=1 SMM=%d HLT=%d", r->rip,
             (uint32_t)fl, flags, cpl, c->interrupt_shadow, c->smm, c->halted);
    } else {
        emit(line, ctx, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x", (uint32_t)r->rax, (uint32_t)r->rbx,
             (uint32_t)r->rcx, (uint32_t)r->rdx);
        emit(line, ctx, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x", (uint32_t)r->rsi, (uint32_t)r->rdi,
             (uint32_t)r->rbp, (uint32_t)r->rsp);
        emit(line, ctx, "EIP=%08x EFL=%08x [%s] CPL=%u II=%d A20=1 SMM=%d HLT=%d", (uint32_t)r->rip,
             (uint32_t)fl, flags, cpl, c->interrupt_shadow, c->smm, c->halted);
    }
    const struct {
        const char *name;
        const struct kvm_segment *seg;
    } segs[] = {{"ES", &s->es}, {"CS", &s->cs}, {"SS", &s->ss},   {"DS", &s->ds},
                {"FS", &s->fs}, {"GS", &s->gs}, {"LDT", &s->ldt}, {"TR", &s->tr}};
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        segment_line(c, segs[i].name, segs[i].seg, cs64, line, ctx);
    const struct kvm_debugregs *d = &c->debugregs;
    if (lma) {
        emit(line, ctx, "GDT=     %016llx %08x", s->gdt.base, s->gdt.limit);
        emit(line, ctx, "IDT=     %016llx %08x", s->idt.base, s->idt.limit);
        emit(line, ctx, "CR0=%08x CR2=%016llx CR3=%016llx CR4=%08x", (uint32_t)s->cr0, s->cr2,
             s->cr3, (uint32_t)s->cr4);
    } else {
        emit(line, ctx, "GDT=     %08x %08x", (uint32_t)s->gdt.base, s->gdt.limit);
        emit(line, ctx, "IDT=     %08x %08x", (uint32_t)s->idt.base, s->idt.limit);
        emit(line, ctx, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x", (uint32_t)s->cr0, (uint32_t)s->cr2,
             (uint32_t)s->cr3, (uint32_t)s->cr4);
    }
    /* The debug registers are 16 digits in every mode in qemu-system-x86_64; QEMU ends the
     * DR0-3 line with a space. */
    emit(line, ctx, "DR0=%016llx DR1=%016llx DR2=%016llx DR3=%016llx ", d->db[0], d->db[1],
         d->db[2], d->db[3]);
    emit(line, ctx, "DR6=%016llx DR7=%016llx", d->dr6, d->dr7);
    emit(line, ctx, "EFER=%016llx", s->efer);
}
