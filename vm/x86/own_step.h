/* vm/x86/own_step.h — single-steps kvmstub does itself rather than KVM: over STI where the
 * host's KVM steps past the next instruction too, over INT n, whose handler a KVM step entered
 * with its trap flag pushed, and over SYSCALL, whose saved RFLAGS (R11) got that flag. */
#ifndef KVMSTUB_VM_X86_OWN_STEP_H
#define KVMSTUB_VM_X86_OWN_STEP_H

struct vcpu;
struct kvm_regs;
struct kvm_sregs;

/* Which instructions own_step executes itself. */
#define OWN_STEP_STI         1u
#define OWN_STEP_INT_SYSCALL 2u

/* Execute the instruction at the vCPU's pc as the CPU does, stopping after it, when it is one of
 * `kinds` and kvmstub can; r, s: the vCPU's registers, as read. 1 when done, 0 when not
 * (nothing changed: KVM steps it), -1 when KVM refused (said on stderr). No instruction is
 * taken when the vCPU is halted or an event is being delivered (that goes first, with the CPU).
 *
 * STI (no prefix, CPL <= IOPL, not virtual-8086 mode): IF set, the STI interrupt shadow over
 * the next instruction (when IF was clear), the pc past it. Why: where the host's KVM steps
 * past the next instruction too (vm/host.h step_sti_exact).
 *
 * INT n (CD ib, no prefix, not virtual-8086 mode) through a gate it may use (present, an
 * interrupt or trap gate of DPL >= CPL, one vm/x86/exception.c can deliver through): delivered,
 * stopping at the handler's first instruction with the guest's own RFLAGS pushed. Why: INT n
 * clears TF as it enters the handler and pushes KVM's, which the handler's IRET loads back:
 * under QEMU's emulated SVM (measured 2026-12-07 in the lane) a KVM step over a 64-bit
 * `int 0x80` ran the whole handler and stopped one instruction past its return, and in real
 * mode at the handler's second instruction with the trap flag in the frame; PVM's emulator
 * refuses INT n. Delivered here, it is the same on every host.
 *
 * SYSCALL in 64-bit mode with EFER.SCE set: RCX the pc after it, R11 the guest's RFLAGS (RF
 * clear), RFLAGS masked by FMASK, CS and SS the flat segments STAR names, the pc LSTAR (KVM
 * steps it when those MSRs cannot be read). Why: a KVM step left its trap flag in R11, which
 * the entry's return (SYSRET) loads with nobody stepping, and under QEMU's emulated SVM the
 * step ran the whole entry (measured 2026-12-07 in the lane). */
int own_step(struct vcpu *vcpu, const struct kvm_regs *r, const struct kvm_sregs *s,
             unsigned kinds);

#endif
