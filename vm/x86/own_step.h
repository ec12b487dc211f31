/* vm/x86/own_step.h — single-steps kvmstub does itself rather than KVM: over STI where the
 * host's KVM steps past the next instruction too, and over INT n, whose step by the CPU runs
 * the whole handler. */
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
 * Why: INT n clears TF as it enters the handler, so the handler is not stepped, and the
 * pushed RFLAGS holds KVM's TF, which the handler's IRET loads back with nobody stepping: where
 * a KVM step stops then depends on the host (on PVM the handler's second instruction; PVM's
 * emulator refuses INT n otherwise). Delivered here, it is the same on every host. */
int int_step(struct vcpu *vcpu);

#endif
