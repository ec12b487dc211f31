/* vm/cpuid.c — CPUID policy.
 *
 * On a hardware-virtualization host the guest gets what KVM supports, plus the hypervisor bit
 * (KVM does not set it, and without it Linux never finds kvm-clock) and its own APIC id.
 * On hosts whose KVM emulates guest kernel code (PVM, DESIGN.md §7) the emulator refuses many
 * instructions that CPUID would offer; a kernel only uses them because CPUID says they exist,
 * so kvmstub hides them here instead of asking users to edit their kernel command line. The
 * vendor becomes Intel there, because Linux runs an x87 FNCLEX/EMMS/FILD sequence on AMD CPUs
 * (the FXSAVE-leak workaround) that the emulator refuses too.
 */
#include "vm/cpuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "vm/kvm.h"
#include "vm/vm.h"

#define CPUID_MAX_ENTRIES_START 128
#define CPUID_MAX_ENTRIES_LIMIT 4096

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

#define BIT(n) (1u << (n))

/* A feature mask to clear in one register of one leaf (every subleaf when index is ~0). */
struct cpuid_hide {
    uint32_t function;
    uint32_t index;
    enum cpuid_reg reg;
    uint32_t mask;
};

#define ANY_INDEX 0xFFFFFFFFu

/* What the PVM emulator cannot run, from DESIGN.md §7, plus the rest of the AVX families. */
static const struct cpuid_hide cpuid_hidden_when_emulating[] = {
    /* leaf 1 ECX: PCLMULQDQ, FMA, PCID, SSE4.1, SSE4.2, MOVBE, POPCNT, AES, XSAVE, OSXSAVE,
     * AVX, F16C, RDRAND */
    {1, ANY_INDEX, CPUID_ECX,
     BIT(1) | BIT(12) | BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(26) |
         BIT(27) | BIT(28) | BIT(29) | BIT(30)},
    /* leaf 7.0 EBX: FSGSBASE, BMI1, HLE, AVX2, SMEP, BMI2, INVPCID, RTM, AVX512F, AVX512DQ,
     * RDSEED, ADX, SMAP, AVX512IFMA, CLFLUSHOPT, CLWB, AVX512PF/ER/CD, SHA, AVX512BW/VL */
    {7, 0, CPUID_EBX,
     BIT(0) | BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(8) | BIT(10) | BIT(11) | BIT(16) | BIT(17) |
         BIT(18) | BIT(19) | BIT(20) | BIT(21) | BIT(23) | BIT(24) | BIT(26) | BIT(27) | BIT(28) |
         BIT(29) | BIT(30) | BIT(31)},
    /* leaf 7.0 ECX: AVX512VBMI, UMIP, PKU, OSPKE, WAITPKG, AVX512VBMI2, CET, GFNI, VAES,
     * VPCLMULQDQ, AVX512VNNI, BITALG, VPOPCNTDQ, LA57, RDPID, MOVDIRI, MOVDIR64B */
    {7, 0, CPUID_ECX,
     BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | BIT(10) |
         BIT(11) | BIT(12) | BIT(14) | BIT(16) | BIT(22) | BIT(27) | BIT(28)},
    /* leaf 7.0 EDX: AVX512 4VNNIW/4FMAPS, AVX512 VP2INTERSECT, AMX, AVX512 FP16 */
    {7, 0, CPUID_EDX, BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | BIT(24) | BIT(25)},
    /* leaf 7.1 EAX: AVX-VNNI, AVX512 BF16 and later AVX extensions */
    {7, 1, CPUID_EAX, 0xFFFFFFFFu},
    /* leaf 0xD: no XSAVE state at all */
    {0xD, ANY_INDEX, CPUID_EAX, 0xFFFFFFFFu},
    {0xD, ANY_INDEX, CPUID_EBX, 0xFFFFFFFFu},
    {0xD, ANY_INDEX, CPUID_ECX, 0xFFFFFFFFu},
    {0xD, ANY_INDEX, CPUID_EDX, 0xFFFFFFFFu},
    /* leaf 0x80000001 ECX: ABM (LZCNT), SSE4A, XOP, FMA4, TBM */
    {0x80000001, ANY_INDEX, CPUID_ECX, BIT(5) | BIT(6) | BIT(11) | BIT(16) | BIT(21)},
    /* KVM's paravirtual features that work by hypercall: PV_UNHALT (spinlock kicks),
     * PV_SEND_IPI, PV_SCHED_YIELD. A guest with two vCPUs hung in its first PV IPI here. */
    {0x40000001, ANY_INDEX, CPUID_EAX, BIT(7) | BIT(11) | BIT(13)},
};

#define CPUID_LEAF1_ECX_HYPERVISOR BIT(31)
#define CPUID_APIC_ID_SHIFT        24

static uint32_t *cpuid_reg_ptr(struct kvm_cpuid_entry2 *e, enum cpuid_reg reg)
{
    switch (reg) {
    case CPUID_EAX: return &e->eax;
    case CPUID_EBX: return &e->ebx;
    case CPUID_ECX: return &e->ecx;
    case CPUID_EDX: return &e->edx;
    }
    return &e->eax;
}

static void cpuid_set_vendor_intel(struct kvm_cpuid_entry2 *e)
{
    memcpy(&e->ebx, "Genu", 4);
    memcpy(&e->edx, "ineI", 4);
    memcpy(&e->ecx, "ntel", 4);
}

void cpuid_apply_policy(struct kvm_cpuid2 *cpuid, uint32_t apic_id, bool emulating_host)
{
    for (uint32_t i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
        switch (e->function) {
        case 1:
            e->ecx |= CPUID_LEAF1_ECX_HYPERVISOR;
            e->ebx = (e->ebx & 0x00FFFFFFu) | (apic_id << CPUID_APIC_ID_SHIFT);
            break;
        case 0xB:
        case 0x1F:
            e->edx = apic_id; /* x2APIC id, every level */
            break;
        }
        if (!emulating_host)
            continue;
        if (e->function == 0)
            cpuid_set_vendor_intel(e);
        if (e->function == 0x80000000) {
            e->ebx = e->ecx = e->edx = 0; /* Intel has no vendor string here */
        }
        for (size_t h = 0;
             h < sizeof(cpuid_hidden_when_emulating) / sizeof(cpuid_hidden_when_emulating[0]);
             h++) {
            const struct cpuid_hide *hide = &cpuid_hidden_when_emulating[h];
            if (hide->function == e->function &&
                (hide->index == ANY_INDEX || hide->index == e->index))
                *cpuid_reg_ptr(e, hide->reg) &= ~hide->mask;
        }
    }
}

/* KVM_GET_SUPPORTED_CPUID, growing the table until KVM stops saying E2BIG. */
static struct kvm_cpuid2 *cpuid_get_supported(int kvm_fd)
{
    for (uint32_t n = CPUID_MAX_ENTRIES_START; n <= CPUID_MAX_ENTRIES_LIMIT; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
        if (!c) {
            diag_errno("out of memory for CPUID");
            return NULL;
        }
        c->nent = n;
        if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        int err = errno;
        free(c);
        if (err != E2BIG) {
            errno = err;
            diag_errno("KVM_GET_SUPPORTED_CPUID");
            return NULL;
        }
    }
    diag("KVM_GET_SUPPORTED_CPUID: more than %d entries", CPUID_MAX_ENTRIES_LIMIT);
    return NULL;
}

int cpuid_setup(struct vcpu *vcpu)
{
    struct kvm_cpuid2 *c = cpuid_get_supported(vcpu->vm->kvm_fd);
    if (!c)
        return -1;
    cpuid_apply_policy(c, vcpu->id, vcpu->vm->host.kind == HOST_EMULATING);
    int rc = ioctl(vcpu->fd, KVM_SET_CPUID2, c);
    free(c);
    if (rc < 0)
        return diag_errno("KVM_SET_CPUID2 (vCPU %d)", vcpu->id);
    return 0;
}
