/* debug/monitor_info.c — QEMU's `info mem`, `info tlb` and `info registers` as monitor commands:
 * the vCPU state they need, formatted by vm/x86/hmp_info. */
#include "debug/monitor_info.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "debug/guest_mem.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/hmp_info.h"

#define INFO_LINE  192
#define INFO_USAGE "usage: monitor info mem|tlb|registers [-a]   (QEMU's HMP forms)"

struct info_out {
    target_print_fn print;
    void *ctx;
};

/* hmp_line_fn: one line to gdb's console. */
static void info_line(void *ctx, const char *line)
{
    const struct info_out *o = ctx;
    char text[INFO_LINE + 1];
    snprintf(text, sizeof(text), "%.*s\n", INFO_LINE - 1, line);
    o->print(o->ctx, text);
}

static void info_say(struct info_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void info_say(struct info_out *o, const char *fmt, ...)
{
    char line[INFO_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    info_line(o, line);
}

/* What `info registers` shows of a vCPU; -1 (said through o) when some of it cannot be read. */
static int read_cpu_state(struct vm *vm, struct vcpu *vcpu, struct hmp_cpu_state *c,
                          struct info_out *o)
{
    memset(c, 0, sizeof(*c));
    if (cpu_get_regs(vcpu, &c->regs) < 0 || cpu_get_sregs(vcpu, &c->sregs) < 0) {
        info_say(o, "cannot read the registers of vCPU %d", vcpu->id);
        return -1;
    }
    if (ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &c->debugregs) < 0) {
        info_say(o, "KVM_GET_DEBUGREGS (vCPU %d): %s", vcpu->id, strerror(errno));
        return -1;
    }
    struct kvm_vcpu_events events;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &events) < 0) {
        info_say(o, "KVM_GET_VCPU_EVENTS (vCPU %d): %s", vcpu->id, strerror(errno));
        return -1;
    }
    c->interrupt_shadow = events.interrupt.shadow != 0;
    c->smm = (events.flags & KVM_VCPUEVENT_VALID_SMM) && events.smi.smm;
    /* Without the in-kernel irqchip a HLT ends the vCPU (done); with it, KVM halts it. */
    c->halted = vcpu->done;
    if (!vcpu->done && vm->cfg->irqchip) {
        struct kvm_mp_state mp;
        if (ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) < 0) {
            info_say(o, "KVM_GET_MP_STATE (vCPU %d): %s", vcpu->id, strerror(errno));
            return -1;
        }
        c->halted = mp.mp_state == KVM_MP_STATE_HALTED;
    }
    return 0;
}

static void info_registers(struct vm *vm, struct vcpu *vcpu, bool all, struct info_out *o)
{
    struct hmp_cpu_state c;
    if (!all) {
        if (read_cpu_state(vm, vcpu, &c, o) == 0)
            hmp_info_registers(&c, info_line, o);
        return;
    }
    for (int i = 0; i < vm->ncpus; i++) {
        info_line(o, ""); /* QEMU's -a: an empty line, then CPU#N, before each vCPU */
        info_say(o, "CPU#%d", vm->vcpus[i].id);
        if (read_cpu_state(vm, &vm->vcpus[i], &c, o) == 0)
            hmp_info_registers(&c, info_line, o);
    }
}

/* info mem or info tlb, through the paging gdb's memory accesses use (`monitor paging`). */
static void info_paging(struct vm *vm, struct vcpu *vcpu, bool tlb, struct info_out *o)
{
    struct paging_ctx p;
    if (guest_paging(vcpu, &p) < 0) {
        info_say(o, "cannot read the control registers of vCPU %d", vcpu->id);
        return;
    }
    if (tlb)
        hmp_info_tlb(p.mode, p.cr3, p.pse, linear_read_phys, &vm->ram, info_line, o);
    else
        hmp_info_mem(p.mode, p.cr3, p.pse, linear_read_phys, &vm->ram, info_line, o);
}

int monitor_info(struct vm *vm, struct vcpu *vcpu, int argc, char *const argv[],
                 target_print_fn print, void *ctx)
{
    struct info_out o = {.print = print, .ctx = ctx};
    if (argc == 0) {
        info_line(&o, INFO_USAGE);
    } else if (strcmp(argv[0], "registers") == 0) {
        bool all = argc == 2 && strcmp(argv[1], "-a") == 0;
        if (argc == 1 || all)
            info_registers(vm, vcpu, all, &o);
        else
            info_line(&o, INFO_USAGE);
    } else if (strcmp(argv[0], "mem") == 0 || strcmp(argv[0], "tlb") == 0) {
        if (argc == 1)
            info_paging(vm, vcpu, strcmp(argv[0], "tlb") == 0, &o);
        else
            info_line(&o, INFO_USAGE);
    } else {
        /* QEMU's words for it, which tools look for; then what kvmstub has. */
        info_say(&o, "unknown command: 'info %s'", argv[0]);
        info_line(&o, "kvmstub answers QEMU's info mem, info tlb and info registers [-a]");
    }
    return 0;
}
