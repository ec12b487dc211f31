/* vm/mptable.h — the Intel MultiProcessor table that tells Linux (without ACPI) its CPUs,
 * the ISA bus and the IOAPIC, and how ISA interrupts are wired. */
#ifndef KVMSTUB_VM_MPTABLE_H
#define KVMSTUB_VM_MPTABLE_H

#include <stdint.h>

#include "base/ram.h"

#define MPTABLE_IOAPIC_ADDR 0xFEC00000u
#define MPTABLE_LAPIC_ADDR  0xFEE00000u

/* Write the floating pointer and configuration table at LAYOUT_MPTABLE for ncpus CPUs whose
 * APIC ids are 0..ncpus-1. cpu_signature and features come from CPUID leaf 1 (EAX, EDX).
 * Returns the bytes written, or -1 when RAM cannot hold it. */
int mptable_write(struct guest_ram *ram, int ncpus, uint32_t cpu_signature, uint32_t features);

#endif
