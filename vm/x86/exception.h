/* vm/x86/exception.h — software delivery of an exception through the guest's IDT (or IVT). */
#ifndef KVMSTUB_VM_X86_EXCEPTION_H
#define KVMSTUB_VM_X86_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/x86.h"

struct vcpu;
struct kvm_regs;
struct kvm_sregs;

/* One IDT gate as the CPU reads it: 8 bytes in protected mode, 16 in long mode (the offset's
 * upper half). type: the gate type (X86_GATE_*); ist: long mode's stack-table index. */
struct idt_gate {
    uint64_t offset;
    uint16_t selector;
    unsigned type, dpl, ist;
    bool present;
};
#define X86_GATE_TASK      0x5
#define X86_GATE_INTERRUPT 0xE /* 0x6 and 0x7: their 16-bit forms */
#define X86_GATE_TRAP      0xF
void exception_gate_decode(const uint8_t *entry, bool long_mode, struct idt_gate *g);
/* The word for a gate type: "interrupt gate", "trap gate" or "gate". */
const char *exception_gate_name(unsigned type);
/* Bytes per IDT entry, or per real-mode IVT entry (4). */
unsigned exception_entry_size(bool real_mode, bool long_mode);

/* The stack pointer a 64-bit delivery pushes its frame below (before the 16-byte alignment):
 * the IST slot's for a gate with one, the TSS's RSP of the handler's privilege level when that
 * is more privileged than the current one, else the current RSP. *slot: the TSS slot read (0
 * when none). False when that slot cannot be read. */
bool exception_stack64(struct vcpu *vcpu, const struct kvm_regs *r, const struct kvm_sregs *s,
                       unsigned ist, unsigned new_cpl, uint64_t *rsp, uint64_t *slot);

/* Deliver software interrupt `vector` (INT3, INT n) as the CPU would from the state regs/sregs
 * (the vCPU's), with return_rip pushed as the return address. Returns 0; -1 when the guest's
 * tables do not allow a simple delivery (no present interrupt or trap gate of DPL >= CPL, a
 * privilege change in 32-bit mode, a 16-bit stack, a handler segment the CPU would refuse, a
 * non-canonical address): the vCPU's registers are unchanged, the caller lets the CPU (KVM) do
 * it; or EXCEPTION_REFUSED when KVM refused the new state (said). */
#define EXCEPTION_REFUSED (-2)
int exception_deliver_int(struct vcpu *vcpu, const struct kvm_regs *regs,
                          const struct kvm_sregs *sregs, int vector, uint64_t return_rip);

/* Whether the CPU pushes an error code for this exception (#DF, #TS, #NP, #SS, #GP, #PF, #AC,
 * #CP, #VC, #SX). */
bool exception_has_error_code(int vector);
/* The linear address of the handler of `vector` in the vCPU's current IDT (the IVT in real
 * mode): 0, or -1 when there is no present gate for it, its handler would be inside the table
 * itself (an IVT never filled: every entry 0:0), or the table cannot be read. */
int exception_handler_address(struct vcpu *vcpu, int vector, uint64_t *linear);
/* The same for each of `vectors` (a bit per vector, below 32) with one read of the table:
 * returns the vectors found (their linear[] set); 0 also when the table cannot be read. */
uint32_t exception_handler_addresses(struct vcpu *vcpu, uint32_t vectors,
                                     uint64_t linear[X86_EXCEPTION_VECTORS]);

/* What the CPU pushed for an exception, read at its handler's first instruction. */
struct exception_frame {
    bool has_error_code;
    uint32_t error_code;
    uint64_t rip, cs, rflags; /* where the exception happened (pushed) */
    uint64_t rsp;             /* the stack pointer before the frame was pushed */
    bool same_cs;             /* raised in the code segment its handler runs in */
};
int exception_frame_read(struct vcpu *vcpu, int vector, struct exception_frame *f);
/* Take the vCPU back to before the delivery of frame f's exception: RIP, RFLAGS, RSP (and CS in
 * real mode). -1 when the delivery changed privilege or code segment in protected or long mode
 * (the state before it cannot be rebuilt from the frame alone); the vCPU is then unchanged. */
/* Write the RFLAGS of frame f (read at the handler's first instruction, nothing pushed since). */
int exception_frame_write_rflags(struct vcpu *vcpu, const struct exception_frame *f,
                                 uint64_t rflags);
int exception_rewind(struct vcpu *vcpu, const struct exception_frame *f);
/* Have KVM deliver `vector` on the next entry, as the CPU raised it (CR2 as it is). */
int exception_inject(struct vcpu *vcpu, int vector, bool has_error_code, uint32_t error_code);

#endif
