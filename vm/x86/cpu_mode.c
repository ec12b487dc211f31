/* vm/x86/cpu_mode.c — initial CPU state: GDT, identity page tables, segment and control
 * registers. */
#include "vm/x86/cpu_mode.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/layout.h"
#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/linear_mem.h"

/* GDT descriptors: flat 4 GiB code/data, 64-bit code, and a TSS for TR. */
#define GDT_CODE32 0x00CF9B000000FFFFULL
#define GDT_DATA   0x00CF93000000FFFFULL
#define GDT_CODE64 0x00AF9B000000FFFFULL
#define GDT_TSS    0x00008B0000000067ULL

#define SEG_TYPE_CODE_XR_ACCESSED 0xB
#define SEG_TYPE_DATA_RW_ACCESSED 0x3
#define SEG_TYPE_TSS_BUSY         0xB
#define SEG_TYPE_LDT              0x2

#define IDENTITY_GIB 4

int cpu_mode_write_tables(struct guest_ram *ram, enum cpu_mode mode)
{
    if (mode == CPU_MODE_REAL)
        return 0;
    uint64_t gdt[GDT_ENTRIES] = {0};
    gdt[GDT_SEL_CODE32 / 8] = GDT_CODE32;
    gdt[GDT_SEL_DATA / 8] = GDT_DATA;
    gdt[GDT_SEL_CODE64 / 8] = GDT_CODE64;
    gdt[GDT_SEL_TSS / 8] = GDT_TSS;
    if (!ram_write(ram, LAYOUT_GDT, gdt, sizeof(gdt))) {
        diag("guest RAM is too small for the GDT");
        return -1;
    }
    if (mode != CPU_MODE_LONG64)
        return 0;
    uint64_t *pml4 = ram_ptr(ram, LAYOUT_PML4, X86_PAGE_SIZE);
    uint64_t *pdpt = ram_ptr(ram, LAYOUT_PDPT, X86_PAGE_SIZE);
    uint64_t *pd = ram_ptr(ram, LAYOUT_PD, X86_PAGE_SIZE * IDENTITY_GIB);
    if (!pml4 || !pdpt || !pd) {
        diag("guest RAM is too small for the page tables");
        return -1;
    }
    memset(pml4, 0, X86_PAGE_SIZE);
    memset(pdpt, 0, X86_PAGE_SIZE);
    pml4[0] = LAYOUT_PDPT | X86_PTE_PRESENT | X86_PTE_WRITE;
    for (int g = 0; g < IDENTITY_GIB; g++)
        pdpt[g] = (LAYOUT_PD + X86_PAGE_SIZE * g) | X86_PTE_PRESENT | X86_PTE_WRITE;
    for (uint64_t i = 0; i < (uint64_t)X86_PT_ENTRIES * IDENTITY_GIB; i++)
        pd[i] = (i * X86_PAGE_2M) | X86_PTE_PRESENT | X86_PTE_WRITE | X86_PTE_LARGE;
    return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code64)
{
    return (struct kvm_segment){
        .base = 0,
        .limit = 0xFFFFFFFF,
        .selector = selector,
        .type = type,
        .present = 1,
        .dpl = 0,
        .db = code64 ? 0 : 1,
        .s = 1,
        .l = code64 ? 1 : 0,
        .g = 1,
    };
}

static void cpu_mode_protected_sregs(struct kvm_sregs *s, bool long_mode)
{
    s->cs = long_mode ? flat_segment(GDT_SEL_CODE64, SEG_TYPE_CODE_XR_ACCESSED, true)
                      : flat_segment(GDT_SEL_CODE32, SEG_TYPE_CODE_XR_ACCESSED, false);
    s->ds = s->es = s->fs = s->gs = s->ss =
        flat_segment(GDT_SEL_DATA, SEG_TYPE_DATA_RW_ACCESSED, false);
    s->tr = (struct kvm_segment){
        .base = 0, .limit = 0x67, .selector = GDT_SEL_TSS, .type = SEG_TYPE_TSS_BUSY, .present = 1};
    s->ldt = (struct kvm_segment){.type = SEG_TYPE_LDT, .present = 1, .unusable = 1};
    s->gdt.base = LAYOUT_GDT;
    s->gdt.limit = GDT_ENTRIES * 8 - 1;
    s->idt.base = 0;
    s->idt.limit = 0;
    s->cr0 = X86_CR0_PE | X86_CR0_ET;
    s->cr4 = 0;
    s->efer = 0;
    if (long_mode) {
        s->cr3 = LAYOUT_PML4;
        s->cr4 |= X86_CR4_PAE;
        s->cr0 |= X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
        s->efer = X86_EFER_LME | X86_EFER_LMA;
    }
}

int cpu_mode_apply(struct vcpu *vcpu, const struct boot_state *boot)
{
    struct kvm_sregs sregs;
    if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
        return diag_errno("KVM_GET_SREGS (vCPU %d)", vcpu->id);
    if (boot->mode == CPU_MODE_REAL) {
        sregs.cs.selector = boot->real_cs;
        sregs.cs.base = (uint64_t)boot->real_cs << 4;
    } else {
        cpu_mode_protected_sregs(&sregs, boot->mode == CPU_MODE_LONG64);
    }
    if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
        return diag_errno("KVM_SET_SREGS (vCPU %d, %s)", vcpu->id, cpu_mode_name(boot->mode));

    struct kvm_regs regs = {
        .rflags = X86_RFLAGS_RESERVED,
        .rip = boot->rip,
        .rax = boot->rax,
        .rbx = boot->rbx,
        .rsi = boot->rsi,
        .rsp = boot->mode == CPU_MODE_REAL || boot->linux_guest ? 0 : CPU_MODE_BOOT_STACK,
    };
    if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
        return diag_errno("KVM_SET_REGS (vCPU %d)", vcpu->id);

    struct kvm_fpu fpu = {.fcw = X86_FPU_FCW_DEFAULT, .mxcsr = X86_MXCSR_DEFAULT};
    if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
        return diag_errno("KVM_SET_FPU (vCPU %d)", vcpu->id);
    return 0;
}

void cpu_mode_decode_descriptor(uint64_t d, uint16_t selector, struct kvm_segment *seg)
{
    uint32_t limit = (d & 0xFFFF) | ((d >> 32) & 0xF0000);
    seg->selector = selector;
    seg->base = ((d >> 16) & 0xFFFFFF) | ((d >> 32) & 0xFF000000);
    seg->g = (d >> 55) & 1;
    seg->limit = seg->g ? (limit << 12) | 0xFFF : limit;
    seg->type = (d >> 40) & 0xF;
    seg->s = (d >> 44) & 1;
    seg->dpl = (d >> 45) & 3;
    seg->present = (d >> 47) & 1;
    seg->l = (d >> 53) & 1;
    seg->db = (d >> 54) & 1;
    seg->unusable = !seg->present;
}

int cpu_mode_read_descriptor(struct vcpu *vcpu, const struct kvm_sregs *s, uint16_t selector,
                             uint64_t *desc)
{
    uint64_t offset = selector & X86_SELECTOR_INDEX;
    if ((selector & X86_SELECTOR_TI) || offset + 7 > s->gdt.limit)
        return -1;
    return vcpu_mem_read(vcpu, s->gdt.base + offset, desc, 8) ? 0 : -1;
}

int cpu_mode_load_descriptor(struct vcpu *vcpu, const struct kvm_sregs *s, uint16_t selector,
                             struct kvm_segment *seg)
{
    uint64_t d;
    if (cpu_mode_read_descriptor(vcpu, s, selector, &d) < 0)
        return -1;
    cpu_mode_decode_descriptor(d, selector, seg);
    return 0;
}

void cpu_mode_segments(const struct kvm_sregs *s, struct cpu_segment out[CPU_NSEGMENTS])
{
    const struct cpu_segment segs[CPU_NSEGMENTS] = {
        {"cs", &s->cs}, {"ss", &s->ss}, {"ds", &s->ds}, {"es", &s->es},
        {"fs", &s->fs}, {"gs", &s->gs}, {"tr", &s->tr}, {"ldtr", &s->ldt},
    };
    memcpy(out, segs, sizeof(segs));
}

void cpu_mode_format_segment(char *buf, size_t len, const struct cpu_segment *seg)
{
    const struct kvm_segment *s = seg->seg;
    snprintf(buf, len, "%-4s sel=%04x base=%016" PRIx64 " limit=%08x type=%x dpl=%u%s%s%s%s%s%s",
             seg->name, s->selector, (uint64_t)s->base, s->limit, s->type, s->dpl,
             s->present ? " P" : " NP", s->s ? " S" : "", s->db ? " D/B" : "", s->l ? " L" : "",
             s->g ? " G" : "", s->unusable ? " unusable" : "");
}

enum cpu_mode cpu_mode_current(const struct kvm_sregs *sregs)
{
    if (!(sregs->cr0 & X86_CR0_PE))
        return CPU_MODE_REAL;
    if ((sregs->efer & X86_EFER_LMA) && sregs->cs.l)
        return CPU_MODE_LONG64;
    return CPU_MODE_PROT32;
}
