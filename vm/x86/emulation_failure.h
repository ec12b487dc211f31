/* vm/x86/emulation_failure.h — instructions the host's KVM refused to emulate (DESIGN.md §7). */
#ifndef KVMSTUB_VM_X86_EMULATION_FAILURE_H
#define KVMSTUB_VM_X86_EMULATION_FAILURE_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION: handle what kvmstub can (the
 * debugger's own breakpoints and trapped pages, through vm->debug_ops; the guest's own INT3,
 * delivered as #BP), and end with a clear message otherwise. */
void emulation_failure_handle(struct vcpu *vcpu);
/* Deliver a #BP to the guest for an INT3 at rip (RIP moves past it first, as the CPU does). */
int emulation_failure_deliver_int3(struct vcpu *vcpu, uint64_t rip);
/* A name for the instruction in bytes, or NULL ("XSAVE", "CLAC", ...). */
const char *emulation_failure_insn_name(const uint8_t *bytes, unsigned len);

#endif
