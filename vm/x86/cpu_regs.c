/* vm/x86/cpu_regs.c — a vCPU's registers as gdb sees them (struct x86_regs) and back.
 *
 * KVM keeps them in four places: kvm_regs, kvm_sregs, kvm_fpu (FXSAVE layout, abridged tag
 * word) and MSR_KERNEL_GS_BASE. A write only touches the groups that changed, and a selector
 * written by gdb reloads that segment's hidden part as the CPU would (real mode: base =
 * selector * 16; protected mode: the descriptor from the GDT).
 */
#include "vm/x86/cpu_regs.h"

#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/linear_mem.h"

#define FPU_TAG_VALID   0
#define FPU_TAG_ZERO    1
#define FPU_TAG_SPECIAL 2
#define FPU_TAG_EMPTY   3

struct kvm_msr_one {
    struct kvm_msrs hdr;
    struct kvm_msr_entry entry;
};

static int msr_access(struct vcpu *vcpu, uint32_t index, uint64_t *value, bool write)
{
    struct kvm_msr_one m = {.hdr.nmsrs = 1, .entry = {.index = index, .data = *value}};
    int n = ioctl(vcpu->fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, &m);
    if (write) {
        struct cpu_regs_cache *c = &vcpu->regs;
        c->valid &= ~(CPU_REGS_SREGS | CPU_REGS_KGS); /* EFER and APIC_BASE live in sregs */
        c->sync_fresh &= ~CPU_REGS_SREGS;
    }
    if (n != 1)
        return -1;
    *value = m.entry.data;
    return 0;
}

int cpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    if (!(c->valid & CPU_REGS_GPR)) {
        if (c->sync_fresh & CPU_REGS_GPR)
            c->regs = vcpu->run->s.regs.regs;
        else if (ioctl(vcpu->fd, KVM_GET_REGS, &c->regs) < 0)
            return diag_errno("KVM_GET_REGS (vCPU %d)", vcpu->id);
        c->valid |= CPU_REGS_GPR;
    }
    *regs = c->regs;
    return 0;
}

int cpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    if (!(c->valid & CPU_REGS_SREGS)) {
        if (c->sync_fresh & CPU_REGS_SREGS)
            c->sregs = vcpu->run->s.regs.sregs;
        else if (ioctl(vcpu->fd, KVM_GET_SREGS, &c->sregs) < 0)
            return diag_errno("KVM_GET_SREGS (vCPU %d)", vcpu->id);
        c->valid |= CPU_REGS_SREGS;
    }
    *sregs = c->sregs;
    return 0;
}

int cpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    c->valid &= ~CPU_REGS_GPR;
    c->sync_fresh &= ~CPU_REGS_GPR;
    c->writes++;
    if (ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0)
        return diag_errno("KVM_SET_REGS (vCPU %d)", vcpu->id);
    c->regs = *regs;
    c->regs.rflags |= X86_RFLAGS_RESERVED; /* as KVM stores it */
    c->valid |= CPU_REGS_GPR;
    return 0;
}

int cpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    c->valid &= ~CPU_REGS_SREGS;
    c->sync_fresh &= ~CPU_REGS_SREGS;
    if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0)
        return diag_errno("KVM_SET_SREGS (vCPU %d)", vcpu->id);
    /* Read back what KVM made of it (it derives bits such as EFER.LMA) when next asked. */
    return 0;
}

uint64_t cpu_pc_linear(const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
    if (sregs->cs.l && (sregs->efer & X86_EFER_LMA))
        return regs->rip;
    return (sregs->cs.base + regs->rip) & 0xFFFFFFFFULL;
}

uint64_t cpu_rip_after(const struct kvm_regs *regs, const struct kvm_sregs *sregs, unsigned len)
{
    if (sregs->cs.l && (sregs->efer & X86_EFER_LMA))
        return regs->rip + len;
    return sregs->cs.db ? (uint32_t)(regs->rip + len) : (uint16_t)(regs->rip + len);
}

void cpu_regs_exited(struct vcpu *vcpu, bool emulated)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    c->valid = 0;
    c->sync_fresh = vcpu->vm->sync_regs ? CPU_REGS_GPR | CPU_REGS_SREGS : 0;
    if (emulated)
        c->writes++; /* see `writes` */
}

void cpu_regs_forget(struct vcpu *vcpu)
{
    vcpu->regs.valid = 0;
    vcpu->regs.sync_fresh = 0;
    vcpu->regs.writes++;
}

int cpu_msr_read(struct vcpu *vcpu, uint32_t index, uint64_t *value)
{
    *value = 0;
    return msr_access(vcpu, index, value, false);
}

int cpu_msr_write(struct vcpu *vcpu, uint32_t index, uint64_t value)
{
    return msr_access(vcpu, index, &value, true);
}

/* The tag of one x87 register from its contents (what FXSAVE's abridged tag leaves out). */
static unsigned fpu_tag_of(const uint8_t *r)
{
    uint16_t exponent = (r[9] << 8 | r[8]) & 0x7FFF;
    bool integer_bit = r[7] & 0x80;
    bool mantissa_zero = true;
    for (int i = 0; i < 8; i++)
        mantissa_zero &= r[i] == 0;
    if (exponent == 0x7FFF)
        return FPU_TAG_SPECIAL;
    if (exponent == 0)
        return mantissa_zero ? FPU_TAG_ZERO : FPU_TAG_SPECIAL;
    return integer_bit ? FPU_TAG_VALID : FPU_TAG_SPECIAL;
}

/* Full tag word from the abridged one: physical register p holds ST((p - TOP) & 7). */
static uint32_t fpu_full_tag(const struct kvm_fpu *fpu)
{
    unsigned top = (fpu->fsw >> 11) & 7;
    uint32_t tag = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = FPU_TAG_EMPTY;
        if (fpu->ftwx & (1u << p))
            t = fpu_tag_of(fpu->fpr[(p - top) & 7]);
        tag |= t << (2 * p);
    }
    return tag;
}

static uint8_t fpu_abridged_tag(uint32_t full)
{
    uint8_t ftwx = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((full >> (2 * p)) & 3) != FPU_TAG_EMPTY)
            ftwx |= 1u << p;
    return ftwx;
}

static void regs_from_kvm(struct x86_regs *x, const struct kvm_regs *r)
{
    const uint64_t gpr[X86_NR_GPRS] = {r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
                                       r->rbp, r->rsp, r->r8,  r->r9,  r->r10, r->r11,
                                       r->r12, r->r13, r->r14, r->r15};
    memcpy(x->gpr, gpr, sizeof(gpr));
    x->rip = r->rip;
    x->rflags = r->rflags;
}

static void regs_to_kvm(const struct x86_regs *x, struct kvm_regs *r)
{
    r->rax = x->gpr[X86_RAX], r->rbx = x->gpr[X86_RBX], r->rcx = x->gpr[X86_RCX];
    r->rdx = x->gpr[X86_RDX], r->rsi = x->gpr[X86_RSI], r->rdi = x->gpr[X86_RDI];
    r->rbp = x->gpr[X86_RBP], r->rsp = x->gpr[X86_RSP], r->r8 = x->gpr[X86_R8];
    r->r9 = x->gpr[X86_R9], r->r10 = x->gpr[X86_R10], r->r11 = x->gpr[X86_R11];
    r->r12 = x->gpr[X86_R12], r->r13 = x->gpr[X86_R13], r->r14 = x->gpr[X86_R14];
    r->r15 = x->gpr[X86_R15];
    r->rip = x->rip;
    r->rflags = x->rflags;
}

static struct kvm_segment *sreg_segment(struct kvm_sregs *s, int seg)
{
    struct kvm_segment *segs[X86_NR_SEGS] = {&s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs};
    return segs[seg];
}

static void sregs_from_kvm(struct x86_regs *x, struct kvm_sregs *s)
{
    for (int i = 0; i < X86_NR_SEGS; i++)
        x->seg[i] = sreg_segment(s, i)->selector;
    x->fs_base = s->fs.base;
    x->gs_base = s->gs.base;
    x->cr0 = s->cr0, x->cr2 = s->cr2, x->cr3 = s->cr3, x->cr4 = s->cr4, x->cr8 = s->cr8;
    x->efer = s->efer;
}

static void fpu_from_kvm(struct x86_regs *x, const struct kvm_fpu *f)
{
    for (int i = 0; i < 8; i++)
        memcpy(x->st[i], f->fpr[i], 10);
    x->fctrl = f->fcw;
    x->fstat = f->fsw;
    x->ftag = fpu_full_tag(f);
    x->fioff = (uint32_t)f->last_ip;
    x->fiseg = (uint32_t)(f->last_ip >> 32);
    x->fooff = (uint32_t)f->last_dp;
    x->foseg = (uint32_t)(f->last_dp >> 32);
    x->fop = f->last_opcode;
    memcpy(x->xmm, f->xmm, sizeof(x->xmm));
    x->mxcsr = f->mxcsr;
}

static void fpu_to_kvm(const struct x86_regs *x, struct kvm_fpu *f)
{
    for (int i = 0; i < 8; i++)
        memcpy(f->fpr[i], x->st[i], 10);
    f->fcw = x->fctrl;
    f->fsw = x->fstat;
    f->ftwx = fpu_abridged_tag(x->ftag);
    f->last_ip = (uint64_t)x->fiseg << 32 | x->fioff;
    f->last_dp = (uint64_t)x->foseg << 32 | x->fooff;
    f->last_opcode = x->fop;
    memcpy(f->xmm, x->xmm, sizeof(f->xmm));
    f->mxcsr = x->mxcsr;
}

/* The FXSAVE-format start of the XSAVE area (Intel SDM vol. 1, 10.5.1). */
enum {
    FXSAVE_FCW = 0,
    FXSAVE_FSW = 2,
    FXSAVE_FTW = 4,
    FXSAVE_FOP = 6,
    FXSAVE_FIP = 8,
    FXSAVE_FDP = 16,
    FXSAVE_MXCSR = 24,
    FXSAVE_ST = 32,
    FXSAVE_XMM = 160,
    XSAVE_HEADER_XSTATE_BV = 512, /* the XSAVE header's bitmap of components present */
};
#define XFEATURE_MASK_FP  (1ULL << 0)
#define XFEATURE_MASK_SSE (1ULL << 1)

/* x87 and SSE state. Read through KVM_GET_XSAVE where it works: on some hosts (PVM)
 * KVM_GET_FPU reports MXCSR as 0 whatever the guest has. */
static int fpu_fetch(struct vcpu *vcpu, struct kvm_fpu *f)
{
    struct kvm_xsave xs;
    if (ioctl(vcpu->fd, KVM_GET_XSAVE, &xs) < 0) {
        if (ioctl(vcpu->fd, KVM_GET_FPU, f) < 0)
            return diag_errno("KVM_GET_FPU (vCPU %d)", vcpu->id);
        return 0;
    }
    const uint8_t *a = (const uint8_t *)xs.region;
    memset(f, 0, sizeof(*f));
    memcpy(&f->fcw, a + FXSAVE_FCW, 2);
    memcpy(&f->fsw, a + FXSAVE_FSW, 2);
    f->ftwx = a[FXSAVE_FTW];
    memcpy(&f->last_opcode, a + FXSAVE_FOP, 2);
    memcpy(&f->last_ip, a + FXSAVE_FIP, 8);
    memcpy(&f->last_dp, a + FXSAVE_FDP, 8);
    memcpy(&f->mxcsr, a + FXSAVE_MXCSR, 4);
    for (int i = 0; i < 8; i++)
        memcpy(f->fpr[i], a + FXSAVE_ST + 16 * i, 16);
    memcpy(f->xmm, a + FXSAVE_XMM, sizeof(f->xmm));
    return 0;
}

static int fpu_get(struct vcpu *vcpu, struct kvm_fpu *f)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    if (!(c->valid & CPU_REGS_FPU)) {
        if (fpu_fetch(vcpu, &c->fpu) < 0)
            return -1;
        c->valid |= CPU_REGS_FPU;
    }
    *f = c->fpu;
    return 0;
}

static int fpu_store(struct vcpu *vcpu, const struct kvm_fpu *f)
{
    struct kvm_xsave xs;
    if (ioctl(vcpu->fd, KVM_GET_XSAVE, &xs) < 0) {
        if (ioctl(vcpu->fd, KVM_SET_FPU, f) < 0)
            return diag_errno("KVM_SET_FPU (vCPU %d)", vcpu->id);
        return 0;
    }
    uint8_t *a = (uint8_t *)xs.region;
    memcpy(a + FXSAVE_FCW, &f->fcw, 2);
    memcpy(a + FXSAVE_FSW, &f->fsw, 2);
    a[FXSAVE_FTW] = f->ftwx;
    memcpy(a + FXSAVE_FOP, &f->last_opcode, 2);
    memcpy(a + FXSAVE_FIP, &f->last_ip, 8);
    memcpy(a + FXSAVE_FDP, &f->last_dp, 8);
    memcpy(a + FXSAVE_MXCSR, &f->mxcsr, 4);
    for (int i = 0; i < 8; i++)
        memcpy(a + FXSAVE_ST + 16 * i, f->fpr[i], 16);
    memcpy(a + FXSAVE_XMM, f->xmm, sizeof(f->xmm));
    /* KVM loads a component only when its XSTATE_BV bit is set: a guest whose x87 or SSE state
     * is still in its initial state has them clear, and the write would be dropped. */
    uint64_t xstate_bv;
    memcpy(&xstate_bv, a + XSAVE_HEADER_XSTATE_BV, 8);
    xstate_bv |= XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
    memcpy(a + XSAVE_HEADER_XSTATE_BV, &xstate_bv, 8);
    if (ioctl(vcpu->fd, KVM_SET_XSAVE, &xs) < 0)
        return diag_errno("KVM_SET_XSAVE (vCPU %d)", vcpu->id);
    return 0;
}

static int fpu_set(struct vcpu *vcpu, const struct kvm_fpu *f)
{
    vcpu->regs.valid &= ~CPU_REGS_FPU;
    if (fpu_store(vcpu, f) < 0)
        return -1;
    vcpu->regs.fpu = *f;
    vcpu->regs.valid |= CPU_REGS_FPU;
    return 0;
}

static int kgs_get(struct vcpu *vcpu, uint64_t *value)
{
    struct cpu_regs_cache *c = &vcpu->regs;
    if (!(c->valid & CPU_REGS_KGS)) {
        if (cpu_msr_read(vcpu, X86_MSR_KERNEL_GS_BASE, &c->k_gs_base) < 0)
            return -1;
        c->valid |= CPU_REGS_KGS;
    }
    *value = c->k_gs_base;
    return 0;
}

int cpu_regs_read_core(struct vcpu *vcpu, struct x86_regs *x)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    regs_from_kvm(x, &r);
    sregs_from_kvm(x, &s);
    return 0;
}

int cpu_regs_read(struct vcpu *vcpu, struct x86_regs *x)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_fpu f;
    memset(x, 0, sizeof(*x));
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0 || fpu_get(vcpu, &f) < 0)
        return -1;
    regs_from_kvm(x, &r);
    sregs_from_kvm(x, &s);
    fpu_from_kvm(x, &f);
    kgs_get(vcpu, &x->k_gs_base); /* 0 where the host has no such MSR */
    return 0;
}

/* Reload the hidden part of a segment register for a new selector, as a MOV to it would. */
static void segment_reload(struct vcpu *vcpu, const struct kvm_sregs *s, struct kvm_segment *seg,
                           uint16_t selector)
{
    seg->selector = selector;
    if (!(s->cr0 & X86_CR0_PE)) {
        seg->base = (uint64_t)selector << 4;
        return;
    }
    /* An LDT selector, or one outside the GDT, keeps the cached descriptor. */
    cpu_mode_load_descriptor(vcpu, s, selector, seg);
}

static bool sregs_changed(const struct x86_regs *a, const struct x86_regs *b)
{
    return memcmp(a->seg, b->seg, sizeof(a->seg)) || a->fs_base != b->fs_base ||
           a->gs_base != b->gs_base || a->cr0 != b->cr0 || a->cr2 != b->cr2 || a->cr3 != b->cr3 ||
           a->cr4 != b->cr4 || a->cr8 != b->cr8 || a->efer != b->efer;
}

static bool fpu_changed(const struct x86_regs *a, const struct x86_regs *b)
{
    return memcmp(a->st, b->st, sizeof(a->st)) || a->fctrl != b->fctrl || a->fstat != b->fstat ||
           a->ftag != b->ftag || a->fiseg != b->fiseg || a->fioff != b->fioff ||
           a->foseg != b->foseg || a->fooff != b->fooff || a->fop != b->fop ||
           memcmp(a->xmm, b->xmm, sizeof(a->xmm)) || a->mxcsr != b->mxcsr;
}

static int cpu_sregs_write(struct vcpu *vcpu, const struct x86_regs *old, const struct x86_regs *x)
{
    struct kvm_sregs s;
    if (cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    s.cr0 = x->cr0, s.cr2 = x->cr2, s.cr3 = x->cr3, s.cr4 = x->cr4, s.cr8 = x->cr8;
    s.efer = x->efer;
    for (int i = 0; i < X86_NR_SEGS; i++)
        if (x->seg[i] != old->seg[i])
            segment_reload(vcpu, &s, sreg_segment(&s, i), x->seg[i]);
    if (x->fs_base != old->fs_base)
        s.fs.base = x->fs_base;
    if (x->gs_base != old->gs_base)
        s.gs.base = x->gs_base;
    return cpu_set_sregs(vcpu, &s);
}

int cpu_regs_write(struct vcpu *vcpu, const struct x86_regs *old, const struct x86_regs *x)
{
    if (memcmp(old->gpr, x->gpr, sizeof(x->gpr)) || old->rip != x->rip ||
        old->rflags != x->rflags) {
        struct kvm_regs r;
        regs_to_kvm(x, &r);
        if (cpu_set_regs(vcpu, &r) < 0)
            return -1;
    }
    if (sregs_changed(old, x) && cpu_sregs_write(vcpu, old, x) < 0)
        return -1;
    if (fpu_changed(old, x)) {
        struct kvm_fpu f;
        if (fpu_get(vcpu, &f) < 0)
            return -1;
        fpu_to_kvm(x, &f);
        if (fpu_set(vcpu, &f) < 0)
            return -1;
    }
    if (old->k_gs_base != x->k_gs_base) {
        if (cpu_msr_write(vcpu, X86_MSR_KERNEL_GS_BASE, x->k_gs_base) < 0)
            return diag_errno("KVM_SET_MSRS KERNEL_GS_BASE (vCPU %d)", vcpu->id);
        vcpu->regs.k_gs_base = x->k_gs_base;
        vcpu->regs.valid |= CPU_REGS_KGS;
    }
    return 0;
}
