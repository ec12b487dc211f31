/* vm/x86/sti_step.c — a single-step over STI, done by kvmstub rather than by KVM.
 *
 * Why: on the lane's host (kvm_amd in QEMU's TCG emulation of SVM) a KVM_GUESTDBG_SINGLESTEP
 * run over STI traps only after the next instruction as well (measured 2026-12-07 with
 * --trace-exits: the step from timer64's `sti` stopped at main_loop + 7), so a breakpoint on
 * that next instruction was passed, by gdb's stepi and by the step out of a trapped page
 * alike. STI's effect is small and exact to reproduce, so kvmstub does it on every host: the
 * result is what the CPU would do, and the rules of a step stay host-independent.
 */
#include "vm/x86/sti_step.h"

#include <stdint.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/linear_mem.h"

#define X86_INSN_STI 0xFB

/* The linear address of the vCPU's pc, as the CPU forms it in its mode. */
static uint64_t pc_linear(const struct kvm_regs *r, const struct kvm_sregs *s)
{
    if (s->cs.l && (s->efer & X86_EFER_LMA))
        return r->rip;
    return (s->cs.base + r->rip) & 0xFFFFFFFFULL;
}

int sti_step(struct vcpu *vcpu)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    uint8_t insn;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    if (!vcpu_mem_read(vcpu, pc_linear(&r, &s), &insn, 1) || insn != X86_INSN_STI)
        return 0;
    /* Where STI faults or takes the virtual-interrupt path, the CPU does it. */
    unsigned iopl = (unsigned)(r.rflags >> 12) & 3;
    if ((r.rflags & X86_RFLAGS_VM) || ((s.cr0 & X86_CR0_PE) && s.ss.dpl > iopl))
        return 0;
    struct kvm_vcpu_events e;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &e) < 0)
        return diag_errno("KVM_GET_VCPU_EVENTS (vCPU %d)", vcpu->id);
    if (e.exception.injected || e.exception.pending || e.interrupt.injected || e.nmi.injected)
        return 0; /* the CPU delivers that first */
    e.interrupt.shadow = (r.rflags & X86_RFLAGS_IF) ? 0 : KVM_X86_SHADOW_INT_STI;
    e.flags = KVM_VCPUEVENT_VALID_SHADOW;
    if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &e) < 0)
        return diag_errno("KVM_SET_VCPU_EVENTS for a stepped STI (vCPU %d)", vcpu->id);
    r.rip = s.cs.l && (s.efer & X86_EFER_LMA) ? r.rip + 1
            : s.cs.db                         ? (uint32_t)(r.rip + 1)
                                              : (uint16_t)(r.rip + 1);
    r.rflags |= X86_RFLAGS_IF;
    return cpu_set_regs(vcpu, &r) < 0 ? -1 : 1;
}
