/* vm/platform.c — in-kernel irqchip and PIT, boot MSRs, LAPIC LINT0/LINT1. */
#include "vm/platform.h"

#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/layout.h"
#include "base/x86.h"
#include "vm/vm.h"

#define APIC_LVT0            0x350
#define APIC_LVT1            0x360
#define APIC_MODE_NMI        0x4
#define APIC_MODE_EXTINT     0x7
#define APIC_LVT_DELIVERY(v) (((v) >> 8) & 0x7)
#define APIC_LVT_MASKED      (1u << 16)

int platform_create(struct vm *vm)
{
    if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_TSS) < 0)
        return diag_errno("KVM_SET_TSS_ADDR");
    uint64_t identity = LAYOUT_IDENTITY_MAP;
    if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
        return diag_errno("KVM_SET_IDENTITY_MAP_ADDR");
    if (!vm->cfg->irqchip)
        return 0;
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
        return diag_errno("KVM_CREATE_IRQCHIP");
    struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
    if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
        return diag_errno("KVM_CREATE_PIT2");
    return 0;
}

static int platform_set_msrs(struct vcpu *vcpu)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry entries[2];
    } msrs = {
        .hdr.nmsrs = 2,
        .entries = {{.index = X86_MSR_IA32_MISC_ENABLE, .data = X86_MISC_ENABLE_FAST_STRING},
                    {.index = X86_MSR_MTRR_DEF_TYPE, .data = X86_MTRR_DEF_TYPE_ENABLE_WB}},
    };
    int n = ioctl(vcpu->fd, KVM_SET_MSRS, &msrs);
    if (n < 0)
        return diag_errno("KVM_SET_MSRS (vCPU %d)", vcpu->id);
    if (n != 2)
        diag("vCPU %d: KVM accepted only %d of the boot MSRs", vcpu->id, n);
    return 0;
}

static uint32_t lapic_get(const struct kvm_lapic_state *s, int reg)
{
    uint32_t v;
    memcpy(&v, s->regs + reg, 4);
    return v;
}

static void lapic_set(struct kvm_lapic_state *s, int reg, uint32_t v)
{
    memcpy(s->regs + reg, &v, 4);
}

static uint32_t lvt_with_mode(uint32_t lvt, uint32_t mode)
{
    return (lvt & ~(0x7u << 8) & ~APIC_LVT_MASKED) | (mode << 8);
}

/* LINT0 carries the PIC (ExtINT), LINT1 is NMI: what a PC BIOS leaves for Linux. */
static int platform_setup_lapic(struct vcpu *vcpu)
{
    struct kvm_lapic_state lapic;
    if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
        return diag_errno("KVM_GET_LAPIC (vCPU %d)", vcpu->id);
    lapic_set(&lapic, APIC_LVT0, lvt_with_mode(lapic_get(&lapic, APIC_LVT0), APIC_MODE_EXTINT));
    lapic_set(&lapic, APIC_LVT1, lvt_with_mode(lapic_get(&lapic, APIC_LVT1), APIC_MODE_NMI));
    if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) < 0)
        return diag_errno("KVM_SET_LAPIC (vCPU %d)", vcpu->id);
    return 0;
}

int platform_setup_vcpu(struct vcpu *vcpu)
{
    if (platform_set_msrs(vcpu) < 0)
        return -1;
    if (vcpu->vm->cfg->irqchip && platform_setup_lapic(vcpu) < 0)
        return -1;
    return 0;
}

void platform_set_irq(struct vm *vm, int irq, bool level)
{
    if (!vm->cfg->irqchip)
        return;
    struct kvm_irq_level line = {.irq = irq, .level = level};
    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
        diag_errno("KVM_IRQ_LINE %d", irq);
}
