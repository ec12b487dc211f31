/* vm/x86/cpu_mode.h — put a vCPU into real mode, flat 32-bit protected mode or 64-bit long mode. */
#ifndef KVMSTUB_VM_X86_CPU_MODE_H
#define KVMSTUB_VM_X86_CPU_MODE_H

#include "base/boot.h"
#include "base/ram.h"

struct vcpu;
struct kvm_sregs;
struct kvm_segment;

/* CR0, CR4 and EFER bits kvmstub names. */
#define X86_CR0_PE          (1ULL << 0)
#define X86_CR0_MP          (1ULL << 1)
#define X86_CR0_ET          (1ULL << 4)
#define X86_CR0_NE          (1ULL << 5)
#define X86_CR0_WP          (1ULL << 16)
#define X86_CR0_PG          (1ULL << 31)
#define X86_CR4_PSE         (1ULL << 4)
#define X86_CR4_PAE         (1ULL << 5)
#define X86_CR4_LA57        (1ULL << 12)
#define X86_EFER_LME        (1ULL << 8)
#define X86_EFER_LMA        (1ULL << 10)
#define X86_EFER_NX         (1ULL << 11)
#define X86_RFLAGS_RESERVED (1ULL << 1)
#define X86_RFLAGS_TF       (1ULL << 8)
#define X86_RFLAGS_IF       (1ULL << 9)

/* Where bare-metal guests start with their stack pointer (below the page tables). */
#define CPU_MODE_BOOT_STACK 0x8000ULL

/* Write the GDT (and, for long mode, identity page tables) into guest RAM. */
int cpu_mode_write_tables(struct guest_ram *ram, enum cpu_mode mode);
/* Load segment, control and general registers for the boot state into one vCPU. */
int cpu_mode_apply(struct vcpu *vcpu, const struct boot_state *boot);
/* Fill the hidden part of a segment register from an 8-byte GDT/LDT descriptor. */
void cpu_mode_decode_descriptor(uint64_t desc, uint16_t selector, struct kvm_segment *seg);
/* The mode a vCPU is in now, from its CR0/EFER (for gdb's layout and messages). */
enum cpu_mode cpu_mode_current(const struct kvm_sregs *sregs);

#endif
