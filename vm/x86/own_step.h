/* vm/x86/own_step.h — single-steps kvmstub does itself rather than KVM: over STI where the
 * host's KVM steps past the next instruction too, over INT n, whose handler a KVM step entered
 * with its trap flag pushed, and over SYSCALL, whose saved RFLAGS (R11) got that flag. */
#ifndef KVMSTUB_VM_X86_OWN_STEP_H
#define KVMSTUB_VM_X86_OWN_STEP_H

struct vcpu;

/* When the instruction at the vCPU's pc is an STI it may execute (no prefix, CPL <= IOPL, not
 * virtual-8086 mode, no event being delivered), execute it as the CPU does: IF set, the STI
 * interrupt shadow over the next instruction (when IF was clear), the pc past it. 1 when done,
 * 0 when it is not such an STI (nothing changed), -1 when KVM refused (said on stderr). */
int sti_step(struct vcpu *vcpu);

/* When the instruction at the vCPU's pc is an INT n (CD ib, no prefix; not in virtual-8086
 * mode, no event being delivered) whose gate it may use (present, an interrupt or trap gate
 * of DPL >= CPL, one that vm/x86/exception.c can deliver through), deliver it as the CPU does
 * and stop at the handler's first instruction, the pushed RFLAGS the guest's own. 1 when
 * done, 0 when not (nothing changed: KVM steps it), -1 when KVM refused (said on stderr).
 * Why: INT n clears TF as it enters the handler and pushes KVM's, which the handler's IRET
 * loads back: under QEMU's emulated SVM (measured 2026-12-07 in the lane) a KVM step over a
 * 64-bit `int 0x80` ran the whole handler and stopped one instruction past its return, and in
 * real mode at the handler's second instruction with the trap flag in the frame; PVM's
 * emulator refuses INT n. Delivered here, it is the same on every host. */
int int_step(struct vcpu *vcpu);

/* When the instruction at the vCPU's pc is a SYSCALL in 64-bit mode with EFER.SCE set, execute
 * it as the CPU does: RCX the pc after it, R11 the guest's RFLAGS (RF clear), RFLAGS masked by
 * FMASK, CS and SS the flat segments STAR names, the pc LSTAR. 1 when done, 0 when not (nothing
 * changed; also when its MSRs cannot be read: KVM steps it then), -1 when KVM refused a write
 * (said on stderr). Why: a KVM step left its trap flag in R11,
 * which the entry's return (SYSRET) loads with nobody stepping, and under QEMU's emulated SVM
 * the step ran the whole entry (measured 2026-12-07 in the lane). */
int syscall_step(struct vcpu *vcpu);

#endif
