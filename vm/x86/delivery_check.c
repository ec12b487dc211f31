/* vm/x86/delivery_check.c — would the CPU deliver this exception from here (see the header).
 *
 * The checks follow the CPU's order: the table entry within IDTR's limit and readable (#GP,
 * #PF), a present gate (#NP) of an interrupt or trap type (#GP), a present code segment of the
 * right kind (#NP, #GP) whose privilege is not above the current one (#GP), the stack the
 * frame goes to (the current one, the TSS's for a privilege change, an IST slot's: #TS or #PF
 * when it cannot be read), canonical in long mode (#SS), mapped and, with CR0.WP, writable
 * for every byte the CPU pushes (#PF). Not followed: task gates (a task switch: said so), the
 * gate's DPL (checked for INT n, INT3 and INTO only, not for exceptions), 16-bit gates' smaller
 * frames (counted as 32-bit ones), segment limits, SMAP and shadow stacks.
 */
#include "vm/x86/delivery_check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/exception.h"
#include "vm/x86/linear_mem.h"

#define SEG_TYPE_CODE 0x8 /* a code segment descriptor's type bit */

/* One check's state: the vCPU, its registers, and where the answer goes. */
struct check {
    struct vcpu *vcpu;
    struct kvm_regs r;
    struct kvm_sregs s;
    int *raised;
    char *why;
    size_t len;
};

/* The delivery raises exception `raised`, for the reason fmt says. */
__attribute__((format(printf, 3, 4))) static enum delivery faults(struct check *c, int raised,
                                                                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->len, fmt, ap);
    va_end(ap);
    *c->raised = raised;
    return DELIVERY_FAULTS;
}

/* The table entry of `vector`: DELIVERY_OK with it in entry, or why not. */
static enum delivery read_entry(struct check *c, int vector, unsigned size, uint8_t *entry)
{
    uint64_t at = c->s.idt.base + (uint64_t)vector * size;
    if ((uint64_t)vector * size + size - 1 > c->s.idt.limit)
        return faults(c, X86_VECTOR_GP, "its entry lies beyond the IDT's limit (0x%x)",
                      c->s.idt.limit);
    if (!vcpu_mem_read(c->vcpu, at, entry, size))
        return faults(c, X86_VECTOR_PF, "its IDT entry at 0x%" PRIx64 " is not mapped", at);
    return DELIVERY_OK;
}

static bool canonical(const struct kvm_sregs *s, uint64_t addr)
{
    int unused = (s->cr4 & X86_CR4_LA57) ? 7 : 16;
    return (uint64_t)((int64_t)(addr << unused) >> unused) == addr;
}

/* Whether the CPU can push `bytes` below linear address `top` (the frame's end); wrap32: the
 * addresses wrap at 4 GiB (outside long mode). */
static enum delivery check_push(struct check *c, uint64_t top, unsigned bytes, bool wrap32)
{
    struct paging_ctx ctx;
    if (vcpu_paging(c->vcpu, &ctx) < 0)
        return DELIVERY_UNKNOWN;
    uint64_t ends[2] = {top - bytes, top - 1};
    for (int i = 0; i < 2; i++) {
        if (wrap32)
            ends[i] = (uint32_t)ends[i];
        else if (!canonical(&c->s, ends[i]))
            return faults(c, X86_VECTOR_SS,
                          "its frame on the stack at 0x%" PRIx64 " is not canonical", ends[i]);
        struct pagewalk_region r;
        linear_region(&c->vcpu->vm->ram, &ctx, ends[i], &r);
        if (!r.mapped)
            return faults(c, X86_VECTOR_PF, "its frame on the stack at 0x%" PRIx64 " is not mapped",
                          ends[i]);
        if (!r.write && (c->s.cr0 & X86_CR0_WP))
            return faults(c, X86_VECTOR_PF, "its frame on the stack at 0x%" PRIx64 " is read-only",
                          ends[i]);
    }
    return DELIVERY_OK;
}

/* The gate's code segment: loaded into *cs, or why the delivery faults on it. */
static enum delivery check_code_segment(struct check *c, uint16_t selector, struct kvm_segment *cs)
{
    if (cpu_mode_load_descriptor(c->vcpu, &c->s, selector, cs) < 0 || !cs->s ||
        !(cs->type & SEG_TYPE_CODE))
        return faults(c, X86_VECTOR_GP, "its code segment 0x%x is not a code descriptor", selector);
    if (!cs->present)
        return faults(c, X86_VECTOR_NP, "its code segment 0x%x is not present", selector);
    if (cs->dpl > c->s.cs.dpl)
        return faults(c, X86_VECTOR_GP,
                      "its code segment 0x%x has privilege %u, above the current %u", selector,
                      cs->dpl, c->s.cs.dpl);
    return DELIVERY_OK;
}

/* The gate of `vector` and its code segment: decoded into *gate and *cs, or why the delivery
 * faults. */
static enum delivery check_gate(struct check *c, int vector, bool long_mode, struct idt_gate *gate,
                                struct kvm_segment *cs)
{
    uint8_t entry[16];
    enum delivery d = read_entry(c, vector, long_mode ? 16 : 8, entry);
    if (d != DELIVERY_OK)
        return d;
    exception_gate_decode(entry, long_mode, gate);
    if (!gate->present)
        return faults(c, X86_VECTOR_NP, "its gate is not present");
    unsigned type = long_mode ? gate->type : gate->type & 0x7; /* 16- and 32-bit alike */
    if (!long_mode && type == X86_GATE_TASK) {
        snprintf(c->why, c->len, "it goes through a task gate (TSS 0x%x), which is not checked",
                 gate->selector);
        return DELIVERY_UNKNOWN;
    }
    if (type != (long_mode ? X86_GATE_INTERRUPT : (X86_GATE_INTERRUPT & 0x7)) &&
        type != (long_mode ? X86_GATE_TRAP : (X86_GATE_TRAP & 0x7)))
        return faults(c, X86_VECTOR_GP, "its gate has type 0x%x, not an interrupt or trap gate",
                      gate->type);
    return check_code_segment(c, gate->selector, cs);
}

static enum delivery check_long_mode(struct check *c, int vector, uint64_t *handler)
{
    struct idt_gate gate;
    struct kvm_segment cs;
    enum delivery d = check_gate(c, vector, true, &gate, &cs);
    if (d != DELIVERY_OK)
        return d;
    if (!cs.l)
        return faults(c, X86_VECTOR_GP, "its code segment 0x%x is not a 64-bit one", gate.selector);
    uint64_t rsp, slot;
    if (!exception_stack64(c->vcpu, &c->r, &c->s, gate.ist, cs.dpl, &rsp, &slot))
        return faults(c, X86_VECTOR_PF,
                      "its stack pointer in the TSS at 0x%" PRIx64 " is not mapped", slot);
    const char *whose = !slot      ? "the stack pointer"
                        : gate.ist ? "its IST stack pointer"
                                   : "its privilege level's stack pointer";
    if (!canonical(&c->s, rsp))
        return faults(c, X86_VECTOR_SS, "%s 0x%" PRIx64 " is not canonical", whose, rsp);
    unsigned frame = 8 * (5 + exception_has_error_code(vector));
    d = check_push(c, rsp & ~0xFULL, frame, false); /* the CPU aligns it to 16 */
    if (d == DELIVERY_OK)
        *handler = gate.offset;
    return d;
}

static enum delivery check_protected_mode(struct check *c, int vector, uint64_t *handler)
{
    struct idt_gate gate;
    struct kvm_segment cs;
    enum delivery d = check_gate(c, vector, false, &gate, &cs);
    if (d != DELIVERY_OK)
        return d;
    uint64_t top = c->s.ss.base + (uint32_t)c->r.rsp;
    unsigned words = 3 + exception_has_error_code(vector);
    if (cs.dpl < c->s.cs.dpl) { /* the stack of the handler's privilege level, from the TSS */
        uint32_t esp0;
        uint16_t ss0;
        struct kvm_segment ss;
        uint64_t at = (uint64_t)c->s.tr.base + 8u * cs.dpl;
        if (!vcpu_mem_read(c->vcpu, at + X86_TSS32_ESP0, &esp0, 4) ||
            !vcpu_mem_read(c->vcpu, at + X86_TSS32_SS0, &ss0, 2))
            return faults(c, X86_VECTOR_PF, "its stack in the TSS at 0x%" PRIx64 " is not mapped",
                          at + X86_TSS32_ESP0);
        if (cpu_mode_load_descriptor(c->vcpu, &c->s, ss0, &ss) < 0 || !ss.present)
            return faults(c, X86_VECTOR_TS, "its stack segment 0x%x in the TSS is not present",
                          ss0);
        top = ss.base + esp0;
        words += 2;
    }
    d = check_push(c, (uint32_t)top, 4 * words, true);
    if (d == DELIVERY_OK)
        *handler = (uint32_t)(cs.base + gate.offset);
    return d;
}

static enum delivery check_real_mode(struct check *c, int vector, uint64_t *handler)
{
    uint16_t ivt[2];
    enum delivery d = read_entry(c, vector, sizeof(ivt), (uint8_t *)ivt);
    if (d != DELIVERY_OK)
        return d;
    uint16_t sp = (uint16_t)c->r.rsp;
    if ((sp & 1) && sp < 6) /* a word pushed across the segment's end (SS:FFFF) */
        return faults(c, X86_VECTOR_SS, "its frame wraps the stack segment (SP 0x%x)", sp);
    *handler = ((uint64_t)ivt[1] << 4) + ivt[0];
    return DELIVERY_OK;
}

enum delivery delivery_check(struct vcpu *vcpu, int vector, uint64_t *handler, int *raised,
                             char *why, size_t len)
{
    struct check c = {.vcpu = vcpu, .raised = raised, .why = why, .len = len};
    if (len)
        why[0] = '\0';
    if (cpu_get_regs(vcpu, &c.r) < 0 || cpu_get_sregs(vcpu, &c.s) < 0)
        return DELIVERY_UNKNOWN;
    if (c.s.efer & X86_EFER_LMA)
        return check_long_mode(&c, vector, handler);
    if (c.s.cr0 & X86_CR0_PE)
        return check_protected_mode(&c, vector, handler);
    return check_real_mode(&c, vector, handler);
}
