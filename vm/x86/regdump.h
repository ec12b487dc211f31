/* vm/x86/regdump.h — the register dump kvmstub prints when a guest dies. */
#ifndef KVMSTUB_VM_X86_REGDUMP_H
#define KVMSTUB_VM_X86_REGDUMP_H

struct vcpu;

/* GPRs, RIP, RFLAGS, segments, CR0/2/3/4, EFER and the bytes at RIP, on stderr. */
void regdump_print(struct vcpu *vcpu);

#endif
