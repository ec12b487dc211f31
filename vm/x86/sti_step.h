/* vm/x86/sti_step.h — a single-step over STI, done by kvmstub rather than by KVM. */
#ifndef KVMSTUB_VM_X86_STI_STEP_H
#define KVMSTUB_VM_X86_STI_STEP_H

struct vcpu;

/* When the instruction at the vCPU's pc is an STI it may execute (no prefix, CPL <= IOPL, not
 * virtual-8086 mode, no event being delivered), execute it as the CPU does: IF set, the STI
 * interrupt shadow over the next instruction (when IF was clear), the pc past it. 1 when done,
 * 0 when it is not such an STI (nothing changed), -1 when KVM refused (said on stderr). */
int sti_step(struct vcpu *vcpu);

#endif
