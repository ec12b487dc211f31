/* vm/x86/own_step.c — single-steps done by kvmstub rather than by KVM: STI, INT n, SYSCALL.
 *
 * STI: on the lane's host (kvm_amd in QEMU's TCG emulation of SVM) a KVM_GUESTDBG_SINGLESTEP
 * run over STI traps only after the next instruction as well (measured 2026-12-07 with
 * --trace-exits: the step from timer64's `sti` stopped at main_loop + 7), so a breakpoint on
 * that next instruction was passed, by gdb's stepi and by the step out of a trapped page
 * alike. Used only where the host probe finds that (vm/host.h step_sti_exact): on Intel, an
 * STI shadow kvmstub set and the trap flag of the next step would fail the VM entry (the
 * single-step bit of the pending debug exceptions must then be set, which KVM does not do).
 */
#include "vm/x86/own_step.h"

#include <stdint.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/exception.h"
#include "vm/x86/linear_mem.h"

/* Whether the vCPU may execute an instruction kvmstub steps itself: it is not halted (nor
 * waiting for INIT/SIPI), and no event is being delivered (that goes first, with the CPU).
 * *e: its events, as read. 1, 0, or -1 when KVM refused (said). */
static int may_execute(struct vcpu *vcpu, struct kvm_vcpu_events *e)
{
    if (vcpu->vm->cfg->irqchip) {
        struct kvm_mp_state mp;
        if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) < 0)
            return diag_errno("KVM_GET_MP_STATE (vCPU %d)", vcpu->id);
        if (mp.mp_state != KVM_MP_STATE_RUNNABLE)
            return 0;
    }
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, e) < 0)
        return diag_errno("KVM_GET_VCPU_EVENTS (vCPU %d)", vcpu->id);
    /* (An INT n, INT3 or INTO being re-delivered reads as not injected here; its pc is on that
     * instruction, and an INT n's delivery here is that delivery.) */
    return !(e->exception.injected || e->exception.pending || e->interrupt.injected ||
             e->nmi.injected || ((e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) && e->nmi.pending));
}

/* The instruction kvmstub executed leaves this interrupt shadow behind it (the STI's, or none:
 * a shadow over the instruction ends with it), and KVM nothing of its own to deliver again (it
 * keeps an INT n it was interrupted delivering, unseen in the events it reports; setting them
 * drops it). e: the events may_execute read. 0, or -1 when KVM refused (said). */
static int set_shadow(struct vcpu *vcpu, struct kvm_vcpu_events *e, uint8_t shadow,
                      const char *insn)
{
    e->interrupt.shadow = shadow;
    e->flags = KVM_VCPUEVENT_VALID_SHADOW;
    if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, e) < 0)
        return diag_errno("KVM_SET_VCPU_EVENTS for a stepped %s (vCPU %d)", insn, vcpu->id);
    return 0;
}

static int sti_step(struct vcpu *vcpu, struct kvm_regs r, const struct kvm_sregs *s)
{
    /* Where STI faults or takes the virtual-interrupt path, the CPU does it. */
    if ((r.rflags & X86_RFLAGS_VM) ||
        ((s->cr0 & X86_CR0_PE) && s->ss.dpl > X86_RFLAGS_IOPL(r.rflags)))
        return 0;
    struct kvm_vcpu_events e;
    int may = may_execute(vcpu, &e);
    if (may <= 0)
        return may;
    if (set_shadow(vcpu, &e, (r.rflags & X86_RFLAGS_IF) ? 0 : KVM_X86_SHADOW_INT_STI, "STI") < 0)
        return -1;
    r.rip = cpu_rip_after(&r, s, 1);
    r.rflags = (r.rflags | X86_RFLAGS_IF) & ~X86_RFLAGS_RF; /* RF clears once it completes */
    return cpu_set_regs(vcpu, &r) < 0 ? -1 : 1;
}

static int int_step(struct vcpu *vcpu, const struct kvm_regs *r, const struct kvm_sregs *s,
                    uint8_t vector)
{
    if (r->rflags & X86_RFLAGS_VM)
        return 0;
    struct kvm_vcpu_events e;
    int may = may_execute(vcpu, &e);
    if (may <= 0)
        return may;
    /* -1: a gate the CPU would fault on (#GP, #NP, a task switch), or one
     * vm/x86/exception.c leaves to the CPU: KVM steps into what it raises. */
    int rc = exception_deliver_int(vcpu, r, s, vector, cpu_rip_after(r, s, 2));
    if (rc < 0)
        return rc == EXCEPTION_REFUSED ? -1 : 0;
    return set_shadow(vcpu, &e, 0, "INT n") < 0 ? -1 : 1;
}

static int syscall_step(struct vcpu *vcpu, struct kvm_regs r, struct kvm_sregs s)
{
    uint64_t star, lstar, fmask;
    /* 64-bit mode with SYSCALL enabled; anything else (its #UD, compatibility or legacy mode)
     * is the CPU's. */
    if (!(s.efer & X86_EFER_LMA) || !s.cs.l || !(s.efer & X86_EFER_SCE))
        return 0;
    if (cpu_msr_read(vcpu, X86_MSR_STAR, &star) < 0 ||
        cpu_msr_read(vcpu, X86_MSR_LSTAR, &lstar) < 0 ||
        cpu_msr_read(vcpu, X86_MSR_FMASK, &fmask) < 0)
        return 0;
    struct kvm_vcpu_events e;
    int may = may_execute(vcpu, &e);
    if (may <= 0)
        return may;
    uint16_t selector = (uint16_t)(star >> 32);
    r.rcx = cpu_rip_after(&r, &s, 2);
    r.r11 = r.rflags & ~X86_RFLAGS_RF;
    r.rflags = (r.rflags & ~fmask & ~X86_RFLAGS_RF) | X86_RFLAGS_RESERVED;
    r.rip = lstar;
    /* The flat segments SYSCALL loads whatever the GDT holds. */
    s.cs = (struct kvm_segment){.selector = selector & ~3u,
                                .limit = 0xFFFFFFFF,
                                .type = 0xB,
                                .present = 1,
                                .s = 1,
                                .l = 1,
                                .g = 1};
    s.ss = (struct kvm_segment){.selector = (uint16_t)(selector + 8),
                                .limit = 0xFFFFFFFF,
                                .type = 0x3,
                                .present = 1,
                                .s = 1,
                                .db = 1,
                                .g = 1};
    if (cpu_set_sregs(vcpu, &s) < 0 || cpu_set_regs(vcpu, &r) < 0)
        return -1;
    return set_shadow(vcpu, &e, 0, "SYSCALL") < 0 ? -1 : 1;
}

int own_step(struct vcpu *vcpu, const struct kvm_regs *r, const struct kvm_sregs *s, unsigned kinds)
{
    uint8_t insn[2];
    struct paging_ctx paging;
    paging_ctx_of(s, &paging);
    size_t n = linear_copy(&vcpu->vm->ram, &paging, cpu_pc_linear(r, s), insn, sizeof(insn), false);
    if (n >= 1 && insn[0] == X86_INSN_STI && (kinds & OWN_STEP_STI))
        return sti_step(vcpu, *r, s);
    if (n < 2 || !(kinds & OWN_STEP_INT_SYSCALL))
        return 0;
    if (insn[0] == X86_INSN_INT_IMM8)
        return int_step(vcpu, r, s, insn[1]);
    if (insn[0] == X86_INSN_SYSCALL0 && insn[1] == X86_INSN_SYSCALL1)
        return syscall_step(vcpu, *r, *s);
    return 0;
}
