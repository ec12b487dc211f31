/* vm/cpuid.h — the CPUID each vCPU reports: KVM's supported set, the hypervisor bit, per-vCPU
 * APIC ids, and, on hosts that emulate guest code, only what the host's emulator can run. */
#ifndef KVMSTUB_VM_CPUID_H
#define KVMSTUB_VM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct kvm_cpuid2;

/* Build and set this vCPU's CPUID (KVM_SET_CPUID2). */
int cpuid_setup(struct vcpu *vcpu);
/* Apply kvmstub's policy to a CPUID table in place: apic_id, hypervisor bit, and, when
 * emulating, the hidden features and the Intel vendor string. Pure; unit-tested. */
void cpuid_apply_policy(struct kvm_cpuid2 *cpuid, uint32_t apic_id, bool emulating_host);

#endif
