/* vm/x86/delivery_check.c — would the CPU deliver this exception from here (see the header).
 *
 * The checks follow the CPU's order: the table entry within IDTR's limit and readable, a
 * present interrupt or trap gate, a present code segment of the right kind for its selector,
 * the stack the frame goes to (the current one, the TSS's for a privilege change, an IST
 * slot's), canonical in long mode, mapped and, with CR0.WP, writable for every byte the CPU
 * pushes. Not checked: the gate's DPL (it matters only for INT n, not for exceptions), segment
 * limits of flat protected-mode stacks, and shadow stacks.
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

#define TSS64_RSP0 4
#define TSS64_IST1 0x24
#define TSS32_ESP0 4

/* Formats into why, returns DELIVERY_FAULTS. */
__attribute__((format(printf, 3, 4))) static enum delivery faults(char *why, size_t len,
                                                                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return DELIVERY_FAULTS;
}

/* The table entry of `vector`: DELIVERY_OK with it in entry, or why not. */
static enum delivery read_entry(struct vcpu *vcpu, const struct kvm_sregs *s, int vector,
                                unsigned size, uint8_t *entry, char *why, size_t len)
{
    uint64_t at = s->idt.base + (uint64_t)vector * size;
    if ((uint64_t)vector * size + size - 1 > s->idt.limit)
        return faults(why, len, "its entry lies beyond the IDT's limit (0x%x)", s->idt.limit);
    if (!vcpu_mem_read(vcpu, at, entry, size))
        return faults(why, len, "its IDT entry at 0x%" PRIx64 " is not mapped", at);
    return DELIVERY_OK;
}

/* Whether the CPU can push `bytes` below linear address `top` (the frame's end). */
static enum delivery check_push(struct vcpu *vcpu, const struct kvm_sregs *s, uint64_t top,
                                unsigned bytes, char *why, size_t len)
{
    struct paging_ctx ctx;
    if (vcpu_paging(vcpu, &ctx) < 0)
        return DELIVERY_UNKNOWN;
    uint64_t ends[2] = {top - bytes, top - 1};
    for (int i = 0; i < 2; i++) {
        struct pagewalk_region r;
        linear_region(&vcpu->vm->ram, &ctx, ends[i], &r);
        if (!r.mapped)
            return faults(why, len, "its frame on the stack at 0x%" PRIx64 " is not mapped",
                          ends[i]);
        if (!r.write && (s->cr0 & X86_CR0_WP))
            return faults(why, len, "its frame on the stack at 0x%" PRIx64 " is read-only",
                          ends[i]);
    }
    return DELIVERY_OK;
}

static bool canonical(const struct kvm_sregs *s, uint64_t addr)
{
    int unused = (s->cr4 & X86_CR4_LA57) ? 7 : 16;
    return (uint64_t)((int64_t)(addr << unused) >> unused) == addr;
}

static enum delivery check_long_mode(struct vcpu *vcpu, const struct kvm_regs *r,
                                     const struct kvm_sregs *s, int vector, uint64_t *handler,
                                     char *why, size_t len)
{
    uint8_t entry[16];
    enum delivery d = read_entry(vcpu, s, vector, 16, entry, why, len);
    if (d != DELIVERY_OK)
        return d;
    struct idt_gate gate;
    exception_gate_decode(entry, true, &gate);
    if (!gate.present)
        return faults(why, len, "its gate is not present");
    if (gate.type != X86_GATE_INTERRUPT && gate.type != X86_GATE_TRAP)
        return faults(why, len, "its gate has type 0x%x, not an interrupt or trap gate", gate.type);
    struct kvm_segment cs;
    if (cpu_mode_load_descriptor(vcpu, s, gate.selector, &cs) < 0 || !cs.present || !cs.s ||
        !(cs.type & 8))
        return faults(why, len, "its code segment 0x%x is not a present code descriptor",
                      gate.selector);
    if (!cs.l)
        return faults(why, len, "its code segment 0x%x is not a 64-bit one", gate.selector);
    uint64_t rsp = r->rsp;
    const char *whose = "the stack pointer";
    if (gate.ist || cs.dpl < s->cs.dpl) {
        uint64_t at = (uint64_t)s->tr.base +
                      (gate.ist ? TSS64_IST1 + 8 * (gate.ist - 1u) : TSS64_RSP0 + 8u * cs.dpl);
        if (!vcpu_mem_read(vcpu, at, &rsp, 8))
            return faults(why, len, "its stack pointer in the TSS at 0x%" PRIx64 " is not mapped",
                          at);
        whose = gate.ist ? "its IST stack pointer" : "its privilege level's stack pointer";
    }
    if (!canonical(s, rsp))
        return faults(why, len, "%s 0x%" PRIx64 " is not canonical", whose, rsp);
    unsigned frame = 8 * (5 + exception_has_error_code(vector));
    d = check_push(vcpu, s, rsp & ~0xFULL, frame, why, len); /* the CPU aligns it to 16 */
    if (d == DELIVERY_OK)
        *handler = gate.offset;
    return d;
}

static enum delivery check_protected_mode(struct vcpu *vcpu, const struct kvm_regs *r,
                                          const struct kvm_sregs *s, int vector, uint64_t *handler,
                                          char *why, size_t len)
{
    uint8_t entry[8];
    enum delivery d = read_entry(vcpu, s, vector, 8, entry, why, len);
    if (d != DELIVERY_OK)
        return d;
    struct idt_gate gate;
    exception_gate_decode(entry, false, &gate);
    if (!gate.present)
        return faults(why, len, "its gate is not present");
    if ((gate.type & 7) != 6 && (gate.type & 7) != 7 && gate.type != 5)
        return faults(why, len, "its gate has type 0x%x, not an interrupt, trap or task gate",
                      gate.type);
    if (gate.type == 5) { /* a task gate: the task switch is beyond these checks */
        *handler = 0;
        return DELIVERY_OK;
    }
    struct kvm_segment cs;
    if (cpu_mode_load_descriptor(vcpu, s, gate.selector, &cs) < 0 || !cs.present || !cs.s ||
        !(cs.type & 8))
        return faults(why, len, "its code segment 0x%x is not a present code descriptor",
                      gate.selector);
    uint64_t top = s->ss.base + (uint32_t)r->rsp;
    unsigned words = 3 + exception_has_error_code(vector);
    if (cs.dpl < s->cs.dpl) { /* the stack of the handler's privilege level, from the TSS */
        uint32_t esp0;
        uint16_t ss0;
        struct kvm_segment ss;
        uint64_t at = (uint64_t)s->tr.base + TSS32_ESP0 + 8u * cs.dpl;
        if (!vcpu_mem_read(vcpu, at, &esp0, 4) || !vcpu_mem_read(vcpu, at + 4, &ss0, 2))
            return faults(why, len, "its stack in the TSS at 0x%" PRIx64 " is not mapped", at);
        if (cpu_mode_load_descriptor(vcpu, s, ss0, &ss) < 0 || !ss.present)
            return faults(why, len, "its stack segment 0x%x is not present", ss0);
        top = ss.base + esp0;
        words += 2;
    }
    d = check_push(vcpu, s, top, 4 * words, why, len);
    if (d == DELIVERY_OK)
        *handler = (uint32_t)(cs.base + gate.offset);
    return d;
}

static enum delivery check_real_mode(struct vcpu *vcpu, const struct kvm_regs *r,
                                     const struct kvm_sregs *s, int vector, uint64_t *handler,
                                     char *why, size_t len)
{
    uint16_t ivt[2];
    enum delivery d = read_entry(vcpu, s, vector, 4, (uint8_t *)ivt, why, len);
    if (d != DELIVERY_OK)
        return d;
    uint16_t sp = (uint16_t)r->rsp;
    if (sp > 0 && sp < 6)
        return faults(why, len, "its frame wraps the stack segment (SP 0x%x)", sp);
    *handler = ((uint64_t)ivt[1] << 4) + ivt[0];
    return DELIVERY_OK;
}

enum delivery delivery_check(struct vcpu *vcpu, int vector, uint64_t *handler, char *why,
                             size_t len)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return DELIVERY_UNKNOWN;
    if (s.efer & X86_EFER_LMA)
        return check_long_mode(vcpu, &r, &s, vector, handler, why, len);
    if (s.cr0 & X86_CR0_PE)
        return check_protected_mode(vcpu, &r, &s, vector, handler, why, len);
    return check_real_mode(vcpu, &r, &s, vector, handler, why, len);
}
