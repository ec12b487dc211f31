/* debug/cpu_view.c — how the vCPUs are shown to gdb: the register layout, the notice when the
 * guest outgrows it, the real-mode linear pc (debug/cpu_view.h). */
#include "debug/cpu_view.h"

#include <errno.h>
#include <string.h>

#include "base/diag.h"
#include "debug/guest_debug.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"

#define REAL_MODE_IP_MAX     0xFFFFULL
#define REAL_MODE_CS_MAX     0xFFFFULL
#define REAL_MODE_SEG_SHIFT  4
#define REAL_MODE_LINEAR_MAX ((REAL_MODE_CS_MAX << REAL_MODE_SEG_SHIFT) + REAL_MODE_IP_MAX)

/* The layouts, narrowest first: entry i shows mode i whole (enum cpu_mode's order). */
static const struct {
    const char *word; /* --gdb-arch's */
    const char *bfd;  /* gdb's `set architecture` */
    enum target_arch arch;
    enum cpu_mode widest; /* the widest mode the layout shows whole */
    const char *lacks;    /* what it lacks beyond that */
} view_archs[] = {
    [CPU_MODE_REAL] = {"i8086", "i8086", TARGET_ARCH_I8086, CPU_MODE_REAL, "16-bit disassembly"},
    [CPU_MODE_PROT32] = {"i386", "i386", TARGET_ARCH_I386, CPU_MODE_PROT32,
                         "32-bit registers, no r8-r15"},
    [CPU_MODE_LONG64] = {"x86-64", "i386:x86-64", TARGET_ARCH_X86_64, CPU_MODE_LONG64, ""},
};
#define VIEW_NARCHS (sizeof(view_archs) / sizeof(view_archs[0]))

static unsigned view_index(enum target_arch arch)
{
    for (unsigned i = 0; i < VIEW_NARCHS; i++)
        if (view_archs[i].arch == arch)
            return i;
    return VIEW_NARCHS - 1;
}

bool cpu_view_parse_arch(const char *word, struct cpu_view_options *o)
{
    if (strcmp(word, "auto") == 0) {
        o->arch_auto = true;
        return true;
    }
    for (unsigned i = 0; i < VIEW_NARCHS; i++)
        if (strcmp(word, view_archs[i].word) == 0) {
            o->arch_auto = false;
            o->arch = view_archs[i].arch;
            return true;
        }
    return false;
}

const char *cpu_view_misfit(const struct cpu_view_options *o, enum cpu_mode entry_mode)
{
    static const char *const why[] = {
        [CPU_MODE_PROT32] = "the image starts in 32-bit protected mode, which the i8086 layout "
                            "would disassemble as 16-bit code (use i386 or x86-64)",
        [CPU_MODE_LONG64] = "the image starts in 64-bit long mode, which needs the x86-64 "
                            "layout (64-bit registers, r8-r15)",
    };
    if (o->arch_auto || entry_mode <= view_archs[view_index(o->arch)].widest)
        return NULL;
    return why[entry_mode];
}

enum cpu_mode cpu_view_mode(struct vcpu *vcpu)
{
    struct kvm_sregs s;
    return cpu_get_sregs(vcpu, &s) < 0 ? CPU_MODE_REAL : cpu_mode_current(&s);
}

enum target_arch cpu_view_connect(struct vm *vm)
{
    struct cpu_view *v = &vm->debug->view;
    v->notice_given = false;
    if (!v->opts.arch_auto)
        v->layout = v->opts.arch;
    else if (v->opts.image_code64)
        v->layout = TARGET_ARCH_X86_64;
    else {
        /* By the mode vCPU 0 is in now: a later connection may get a wider layout. */
        enum cpu_mode mode = cpu_view_mode(&vm->vcpus[0]);
        v->layout = mode == CPU_MODE_REAL     ? TARGET_ARCH_I8086
                    : mode == CPU_MODE_PROT32 ? TARGET_ARCH_I386
                                              : TARGET_ARCH_X86_64;
    }
    return v->layout;
}

void cpu_view_stopped(struct vm *vm, struct vcpu *vcpu)
{
    struct cpu_view *v = &vm->debug->view;
    /* Not attached: the stop gdb's connection asks for, taken before the layout is chosen
     * (cpu_view_connect), or a stop with nobody attached: no layout to have outgrown. */
    if (v->notice_given || !runctl_attached(vm))
        return;
    enum cpu_mode mode = cpu_view_mode(vcpu);
    unsigned i = view_index(v->layout);
    if (mode <= view_archs[i].widest)
        return;
    v->notice_given = true;
    if (v->opts.arch_auto)
        diag("vCPU %d is in %s now, but gdb got the %s register layout when it connected (%s) "
             "and cannot change it in a session: reconnect gdb (disconnect, set architecture "
             "%s, target remote again) for the %s layout, or start kvmstub with --gdb-arch %s",
             vcpu->id, cpu_mode_name(mode), view_archs[i].word, view_archs[i].lacks,
             view_archs[mode].bfd, view_archs[mode].word, view_archs[mode].word);
    else
        diag("vCPU %d is in %s now, but gdb has the %s register layout of --gdb-arch %s (%s): "
             "start kvmstub with --gdb-arch %s to see it whole",
             vcpu->id, cpu_mode_name(mode), view_archs[i].word, view_archs[i].word,
             view_archs[i].lacks, view_archs[mode].word);
}

/* With --gdb-realmode-linear, a vCPU in real mode: its sregs in s. */
static bool view_linear_pc(struct vm *vm, struct vcpu *vcpu, struct kvm_sregs *s)
{
    return vm->debug->view.opts.realmode_linear && cpu_get_sregs(vcpu, s) == 0 &&
           cpu_mode_current(s) == CPU_MODE_REAL;
}

void cpu_view_regs_out(struct vm *vm, struct vcpu *vcpu, struct x86_regs *regs)
{
    struct kvm_sregs s;
    if (view_linear_pc(vm, vcpu, &s))
        regs->rip = s.cs.base + (regs->rip & REAL_MODE_IP_MAX);
}

int cpu_view_regs_in(struct vm *vm, struct vcpu *vcpu, const struct x86_regs *old,
                     struct x86_regs *regs)
{
    struct kvm_sregs s;
    if (!view_linear_pc(vm, vcpu, &s))
        return 0;
    uint64_t shown = s.cs.base + (old->rip & REAL_MODE_IP_MAX);
    if (regs->rip == shown) {
        regs->rip = old->rip; /* the pc unchanged: IP stays, whatever CS became */
        return 0;
    }
    uint16_t cs = regs->seg[X86_CS];
    uint64_t base = cs == old->seg[X86_CS] ? s.cs.base : (uint64_t)cs << REAL_MODE_SEG_SHIFT;
    if (regs->rip >= base && regs->rip - base <= REAL_MODE_IP_MAX) {
        regs->rip -= base;
        return 0;
    }
    if (regs->rip > REAL_MODE_LINEAR_MAX)
        return -EINVAL;
    uint64_t new_cs = regs->rip >> REAL_MODE_SEG_SHIFT;
    if (new_cs > REAL_MODE_CS_MAX)
        new_cs = REAL_MODE_CS_MAX;
    regs->seg[X86_CS] = (uint32_t)new_cs;
    regs->rip -= new_cs << REAL_MODE_SEG_SHIFT;
    return 0;
}
