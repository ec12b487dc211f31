/* vm/platform.h — the PC platform KVM provides in the kernel: TSS and identity-map addresses,
 * the irqchip (LAPIC, IOAPIC, PIC) and PIT, and per-vCPU MSRs and LAPIC wiring. */
#ifndef KVMSTUB_VM_PLATFORM_H
#define KVMSTUB_VM_PLATFORM_H

#include <stdbool.h>

struct vm;
struct vcpu;

/* Before any vCPU exists. */
int platform_create(struct vm *vm);
/* For each vCPU, after its creation. */
int platform_setup_vcpu(struct vcpu *vcpu);
/* Raise or lower an ISA interrupt line (no-op without the in-kernel irqchip). */
void platform_set_irq(struct vm *vm, int irq, bool level);

#endif
