/* vm/x86/cpu_mode.h — put a vCPU into real mode, flat 32-bit protected mode or 64-bit long mode. */
#ifndef KVMSTUB_VM_X86_CPU_MODE_H
#define KVMSTUB_VM_X86_CPU_MODE_H

#include <stddef.h>

#include "base/boot.h"
#include "base/ram.h"
#include "base/x86.h"

struct vcpu;
struct kvm_sregs;
struct kvm_segment;

/* Where bare-metal guests start with their stack pointer (below the page tables). */
#define CPU_MODE_BOOT_STACK 0x8000ULL

/* Write the GDT (and, for long mode, identity page tables) into guest RAM. */
int cpu_mode_write_tables(struct guest_ram *ram, enum cpu_mode mode);
/* Load segment, control and general registers for the boot state into one vCPU. */
int cpu_mode_apply(struct vcpu *vcpu, const struct boot_state *boot);
/* Fill the hidden part of a segment register from an 8-byte GDT/LDT descriptor. */
void cpu_mode_decode_descriptor(uint64_t desc, uint16_t selector, struct kvm_segment *seg);
/* The GDT descriptor a selector names, read through the vCPU's paging: -1 for an LDT selector,
 * one beyond the GDT's limit, or one that cannot be read. */
int cpu_mode_read_descriptor(struct vcpu *vcpu, const struct kvm_sregs *s, uint16_t selector,
                             uint64_t *desc);
/* The same, decoded into seg (as a segment load would, without the checks it makes). */
int cpu_mode_load_descriptor(struct vcpu *vcpu, const struct kvm_sregs *s, uint16_t selector,
                             struct kvm_segment *seg);
/* The segment registers of sregs by name: cs ss ds es fs gs tr ldtr. */
#define CPU_NSEGMENTS 8
struct cpu_segment {
    const char *name;
    const struct kvm_segment *seg;
};
void cpu_mode_segments(const struct kvm_sregs *s, struct cpu_segment out[CPU_NSEGMENTS]);
/* One line about a segment register: selector, hidden base, limit, type and flags. */
void cpu_mode_format_segment(char *buf, size_t len, const struct cpu_segment *seg);
/* The mode a vCPU is in now, from its CR0/EFER (for gdb's layout and messages). */
enum cpu_mode cpu_mode_current(const struct kvm_sregs *sregs);

#endif
