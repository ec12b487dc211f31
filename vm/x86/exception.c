/* vm/x86/exception.c — deliver an exception the way the CPU does, in software: read the gate from
 * the guest's IDT, switch stacks if the gate or privilege says so, push the frame, and load
 * CS:RIP and RFLAGS.
 *
 * kvmstub needs this for software interrupts: the guest's own INT3 and INT n on hosts whose
 * emulator refuses them (PVM, DESIGN.md §7; vm/x86/emulation_failure.c), where an exception
 * injected with KVM_SET_VCPU_EVENTS is not delivered under single-step either, so a step would
 * run past the guest's handler; and gdb's step over INT n on every host (vm/x86/own_step.c).
 * Delivering it here and stopping at the handler's first instruction is what a CPU does when
 * it single-steps one.
 */
#include "vm/x86/exception.h"

#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/linear_mem.h"

#define RFLAGS_CLEARED_ON_DELIVERY (X86_RFLAGS_TF | X86_RFLAGS_NT | X86_RFLAGS_RF | X86_RFLAGS_VM)

void exception_gate_decode(const uint8_t *e, bool long_mode, struct idt_gate *g)
{
    g->offset = (uint64_t)(e[0] | e[1] << 8) | (uint64_t)(e[6] | e[7] << 8) << 16;
    if (long_mode)
        g->offset |= (uint64_t)(e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24) << 32;
    g->selector = e[2] | e[3] << 8;
    g->type = e[5] & 0xF;
    g->dpl = (e[5] >> 5) & 3;
    g->present = e[5] >> 7;
    g->ist = long_mode ? e[4] & 7 : 0;
}

const char *exception_gate_name(unsigned type)
{
    return type == X86_GATE_INTERRUPT ? "interrupt gate"
           : type == X86_GATE_TRAP    ? "trap gate"
                                      : "gate";
}

unsigned exception_entry_size(bool real_mode, bool long_mode)
{
    return real_mode ? 4 : long_mode ? 16 : 8;
}

static bool usable_gate(const struct idt_gate *g)
{
    return g->present && (g->type == X86_GATE_INTERRUPT || g->type == X86_GATE_TRAP);
}

static bool read_linear(struct vcpu *vcpu, uint64_t addr, void *buf, size_t len)
{
    return vcpu_mem_read(vcpu, addr, buf, len);
}

static bool write_linear(struct vcpu *vcpu, uint64_t addr, const void *buf, size_t len)
{
    return vcpu_mem_write(vcpu, addr, buf, len);
}

/* Load the hidden part of a code or stack segment from its GDT descriptor. */
static bool load_descriptor(struct vcpu *vcpu, const struct kvm_sregs *s, uint16_t selector,
                            struct kvm_segment *seg)
{
    return cpu_mode_load_descriptor(vcpu, s, selector, seg) == 0 && seg->present;
}

/* The frame is pushed: switch to the handler as the gate says. */
static void enter_handler(struct kvm_regs *r, struct kvm_sregs *s, const struct kvm_segment *cs,
                          uint64_t rsp, uint64_t target, unsigned gate_type)
{
    s->cs = *cs;
    r->rsp = rsp;
    r->rip = target;
    r->rflags &= ~RFLAGS_CLEARED_ON_DELIVERY;
    if (gate_type == X86_GATE_INTERRUPT)
        r->rflags &= ~X86_RFLAGS_IF;
}

bool exception_stack64(struct vcpu *vcpu, const struct kvm_regs *r, const struct kvm_sregs *s,
                       unsigned ist, unsigned new_cpl, uint64_t *rsp, uint64_t *slot)
{
    *rsp = r->rsp;
    *slot = 0;
    if (!ist && new_cpl >= s->cs.dpl)
        return true;
    *slot = (uint64_t)s->tr.base +
            (ist ? X86_TSS64_IST1 + 8 * (ist - 1u) : X86_TSS64_RSP0 + 8u * new_cpl);
    return read_linear(vcpu, *slot, rsp, 8);
}

/* Bytes per IDT (IVT) entry in the vCPU's mode. */
static unsigned entry_size(const struct kvm_sregs *s)
{
    return exception_entry_size(!(s->cr0 & X86_CR0_PE), s->efer & X86_EFER_LMA);
}

/* Read the IDT (IVT) entry of `vector` in the vCPU's mode into entry (4, 8 or 16 bytes): its
 * size, or 0 when it lies beyond IDTR's limit or cannot be read. */
static unsigned read_gate_entry(struct vcpu *vcpu, const struct kvm_sregs *s, int vector,
                                uint8_t entry[16])
{
    unsigned size = entry_size(s);
    if ((uint64_t)vector * size + size - 1 > s->idt.limit ||
        !read_linear(vcpu, s->idt.base + (uint64_t)vector * size, entry, size))
        return 0;
    return size;
}

/* Whether a software interrupt may go through `gate` from privilege level cpl: a present
 * interrupt or trap gate of DPL >= CPL (else the CPU raises #GP or #NP, or switches tasks). */
static bool soft_int_gate(const struct idt_gate *g, unsigned cpl)
{
    return usable_gate(g) && g->dpl >= cpl;
}

/* Whether a 64-bit address is canonical for 48-bit linear addresses (a 5-level-paging address
 * that is not is left to KVM). */
static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static int deliver_long_mode(struct vcpu *vcpu, struct kvm_regs *r, struct kvm_sregs *s, int vector,
                             uint64_t return_rip)
{
    uint8_t entry[16];
    if (!read_gate_entry(vcpu, s, vector, entry))
        return -1;
    struct idt_gate gate;
    exception_gate_decode(entry, true, &gate);
    if (!soft_int_gate(&gate, s->cs.dpl))
        return -1;
    unsigned ist = gate.ist;
    struct kvm_segment cs = s->cs;
    if (!load_descriptor(vcpu, s, gate.selector, &cs) || !cs.l || cs.dpl > s->cs.dpl ||
        (cs.type & 0x4) || !canonical(gate.offset))
        return -1; /* a less privileged handler is a #GP, a conforming one keeps the CPL: KVM's */
    unsigned old_cpl = s->cs.dpl, new_cpl = cs.dpl;
    uint64_t rsp, slot;
    if (!exception_stack64(vcpu, r, s, ist, new_cpl, &rsp, &slot) || !canonical(rsp))
        return -1;
    rsp &= ~0xFULL;
    uint64_t frame[5] = {return_rip, s->cs.selector, r->rflags, r->rsp, s->ss.selector};
    rsp -= sizeof(frame);
    if (!write_linear(vcpu, rsp, frame, sizeof(frame)))
        return -1;
    if (new_cpl < old_cpl) {
        memset(&s->ss, 0, sizeof(s->ss));
        s->ss.selector = new_cpl;
        s->ss.unusable = 1;
        s->ss.dpl = new_cpl;
    }
    enter_handler(r, s, &cs, rsp, gate.offset, gate.type);
    return 0;
}

static int deliver_protected_mode(struct vcpu *vcpu, struct kvm_regs *r, struct kvm_sregs *s,
                                  int vector, uint64_t return_rip)
{
    uint8_t entry[16];
    if (!read_gate_entry(vcpu, s, vector, entry))
        return -1;
    struct idt_gate gate;
    exception_gate_decode(entry, false, &gate);
    if (!soft_int_gate(&gate, s->cs.dpl))
        return -1;
    struct kvm_segment cs = s->cs;
    if (!load_descriptor(vcpu, s, gate.selector, &cs) || cs.dpl != s->cs.dpl || !s->ss.db)
        return -1; /* a privilege change needs the TSS stack, a 16-bit stack wraps: KVM's */
    uint32_t frame[3] = {(uint32_t)return_rip, s->cs.selector, (uint32_t)r->rflags};
    uint64_t esp = (uint32_t)(r->rsp - sizeof(frame));
    if (!write_linear(vcpu, s->ss.base + esp, frame, sizeof(frame)))
        return -1;
    enter_handler(r, s, &cs, esp, (uint32_t)gate.offset, gate.type);
    return 0;
}

static int deliver_real_mode(struct vcpu *vcpu, struct kvm_regs *r, struct kvm_sregs *s, int vector,
                             uint64_t return_rip)
{
    uint8_t entry[16];
    if (!read_gate_entry(vcpu, s, vector, entry))
        return -1;
    uint16_t ivt[2] = {(uint16_t)(entry[0] | entry[1] << 8), (uint16_t)(entry[2] | entry[3] << 8)};
    uint16_t frame[3] = {(uint16_t)return_rip, s->cs.selector, (uint16_t)r->rflags};
    uint16_t sp = (uint16_t)(r->rsp - sizeof(frame));
    if (!write_linear(vcpu, s->ss.base + sp, frame, sizeof(frame)))
        return -1;
    s->cs.selector = ivt[1];
    s->cs.base = (uint64_t)ivt[1] << 4;
    r->rsp = (r->rsp & ~0xFFFFULL) | sp;
    r->rip = ivt[0];
    r->rflags &= ~(X86_RFLAGS_TF | X86_RFLAGS_IF | X86_RFLAGS_AC);
    return 0;
}

int exception_deliver_int(struct vcpu *vcpu, const struct kvm_regs *regs,
                          const struct kvm_sregs *sregs, int vector, uint64_t return_rip)
{
    struct kvm_regs r = *regs;
    struct kvm_sregs s = *sregs;
    int rc;
    /* By the tables the CPU uses: long mode's (also from compatibility mode), protected
     * mode's, the IVT. */
    if (s.efer & X86_EFER_LMA)
        rc = deliver_long_mode(vcpu, &r, &s, vector, return_rip);
    else if (s.cr0 & X86_CR0_PE)
        rc = deliver_protected_mode(vcpu, &r, &s, vector, return_rip);
    else
        rc = deliver_real_mode(vcpu, &r, &s, vector, return_rip);
    if (rc < 0)
        return -1;
    if (cpu_set_sregs(vcpu, &s) < 0 || cpu_set_regs(vcpu, &r) < 0)
        return EXCEPTION_REFUSED;
    return 0;
}

bool exception_has_error_code(int vector)
{
    switch (vector) {
    case X86_VECTOR_DF:
    case X86_VECTOR_TS:
    case X86_VECTOR_NP:
    case X86_VECTOR_SS:
    case X86_VECTOR_GP:
    case X86_VECTOR_PF:
    case X86_VECTOR_AC:
    case 21: /* #CP */
    case 29: /* #VC */
    case 30: /* #SX */ return true;
    default: return false;
    }
}

/* The handler of the gate (or IVT entry) at `entry`, read from the table: 0, or -1. */
static int handler_of(struct vcpu *vcpu, const struct kvm_sregs *s, const uint8_t *entry,
                      uint64_t *linear)
{
    if (!(s->cr0 & X86_CR0_PE)) {
        *linear = ((uint64_t)(entry[2] | entry[3] << 8) << 4) + (entry[0] | entry[1] << 8);
        return 0;
    }
    struct idt_gate gate;
    exception_gate_decode(entry, s->efer & X86_EFER_LMA, &gate);
    if (!usable_gate(&gate))
        return -1;
    if (s->efer & X86_EFER_LMA) {
        *linear = gate.offset;
        return 0;
    }
    struct kvm_segment cs;
    if (!load_descriptor(vcpu, s, gate.selector, &cs))
        return -1;
    *linear = (uint32_t)(cs.base + gate.offset);
    return 0;
}

/* Where the table ends: a real-mode IVT is 1 KiB whatever IDTR's limit says (0xffff from
 * reset). */
static uint64_t table_end(const struct kvm_sregs *s)
{
    bool ivt = !(s->cr0 & X86_CR0_PE) && s->idt.limit >= 0x400;
    return s->idt.base + (ivt ? 0x400 : (uint64_t)s->idt.limit + 1);
}

/* The handler of the table's entry, or -1 for none: no present gate, or an address inside the
 * table itself (a real-mode IVT that was never filled has every entry 0:0). */
static int handler_in(struct vcpu *vcpu, const struct kvm_sregs *s, const uint8_t *entry,
                      uint64_t *linear)
{
    if (handler_of(vcpu, s, entry, linear) < 0)
        return -1;
    return *linear >= s->idt.base && *linear < table_end(s) ? -1 : 0;
}

int exception_handler_address(struct vcpu *vcpu, int vector, uint64_t *linear)
{
    struct kvm_sregs s;
    uint8_t entry[16];
    if (cpu_get_sregs(vcpu, &s) < 0 || !read_gate_entry(vcpu, &s, vector, entry))
        return -1;
    return handler_in(vcpu, &s, entry, linear);
}

uint32_t exception_handler_addresses(struct vcpu *vcpu, uint32_t vectors,
                                     uint64_t linear[X86_EXCEPTION_VECTORS])
{
    struct kvm_sregs s;
    uint8_t table[X86_EXCEPTION_VECTORS * 16];
    if (!vectors || cpu_get_sregs(vcpu, &s) < 0)
        return 0;
    unsigned size = entry_size(&s);
    uint64_t len = (uint64_t)s.idt.limit + 1;
    if (len > sizeof(table) / 16 * size)
        len = sizeof(table) / 16 * size;
    uint32_t found = 0;
    if (!read_linear(vcpu, s.idt.base, table, len)) {
        for (int v = 0; v < X86_EXCEPTION_VECTORS; v++) /* not all mapped: entry by entry */
            if ((vectors & (1u << v)) && exception_handler_address(vcpu, v, &linear[v]) == 0)
                found |= 1u << v;
        return found;
    }
    for (int v = 0; v < X86_EXCEPTION_VECTORS; v++)
        if ((vectors & (1u << v)) && (uint64_t)v * size + size <= len &&
            handler_in(vcpu, &s, table + (size_t)v * size, &linear[v]) == 0)
            found |= 1u << v;
    return found;
}

int exception_frame_read(struct vcpu *vcpu, int vector, struct exception_frame *f)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    memset(f, 0, sizeof(*f));
    if (!(s.cr0 & X86_CR0_PE)) {
        uint16_t w[3]; /* IP, CS, FLAGS */
        uint16_t sp = (uint16_t)r.rsp;
        if (!read_linear(vcpu, s.ss.base + sp, w, sizeof(w)))
            return -1;
        f->rip = w[0];
        f->cs = w[1];
        f->rflags = (r.rflags & ~0xFFFFULL) | w[2];
        f->rsp = (r.rsp & ~0xFFFFULL) | (uint16_t)(sp + sizeof(w));
        f->same_cs = f->cs == s.cs.selector;
        return 0;
    }
    f->has_error_code = exception_has_error_code(vector);
    bool long_mode = s.efer & X86_EFER_LMA;
    unsigned word = long_mode ? 8 : 4;
    uint64_t at = long_mode ? r.rsp : s.ss.base + (uint32_t)r.rsp;
    uint64_t w[6] = {0}; /* [error code], RIP, CS, RFLAGS, RSP, SS */
    unsigned n = (f->has_error_code ? 1 : 0) + (long_mode ? 5 : 3);
    for (unsigned i = 0; i < n; i++)
        if (!read_linear(vcpu, at + i * word, &w[i], word))
            return -1;
    const uint64_t *p = w;
    if (f->has_error_code)
        f->error_code = (uint32_t)*p++;
    f->rip = p[0];
    f->cs = p[1] & 0xFFFF;
    f->rflags = p[2];
    f->same_cs = f->cs == s.cs.selector;
    f->rsp = long_mode ? p[3] : (uint32_t)(r.rsp + n * word);
    return 0;
}

int exception_frame_write_rflags(struct vcpu *vcpu, const struct exception_frame *f,
                                 uint64_t rflags)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    if (!(s.cr0 & X86_CR0_PE)) {
        uint16_t flags = (uint16_t)rflags;
        return write_linear(vcpu, s.ss.base + (uint16_t)(r.rsp + 4), &flags, 2) ? 0 : -1;
    }
    bool long_mode = s.efer & X86_EFER_LMA;
    unsigned word = long_mode ? 8 : 4;
    uint64_t at = (long_mode ? r.rsp : s.ss.base + (uint32_t)r.rsp) +
                  (uint64_t)((f->has_error_code ? 1 : 0) + 2) * word;
    return write_linear(vcpu, at, &rflags, word) ? 0 : -1;
}

int exception_rewind(struct vcpu *vcpu, const struct exception_frame *f)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    bool real = !(s.cr0 & X86_CR0_PE);
    if (!real && !f->same_cs)
        return -1;
    if (real && !f->same_cs) {
        s.cs.selector = (uint16_t)f->cs;
        s.cs.base = (uint64_t)(uint16_t)f->cs << 4;
        if (cpu_set_sregs(vcpu, &s) < 0)
            return -1;
    }
    r.rip = f->rip;
    r.rflags = f->rflags;
    r.rsp = f->rsp;
    return cpu_set_regs(vcpu, &r);
}

int exception_inject(struct vcpu *vcpu, int vector, bool has_error_code, uint32_t error_code)
{
    struct kvm_vcpu_events events;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &events) < 0)
        return diag_errno("KVM_GET_VCPU_EVENTS (vCPU %d)", vcpu->id);
    events.exception.injected = 1;
    events.exception.pending = 0;
    events.exception.nr = (uint8_t)vector;
    events.exception.has_error_code = has_error_code;
    events.exception.error_code = error_code;
    events.flags = 0;
    if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &events) < 0)
        return diag_errno("KVM_SET_VCPU_EVENTS to deliver vector %d (vCPU %d)", vector, vcpu->id);
    vcpu->event_injected = true;
    return 0;
}
