/* debug/kaslr.c — a KASLR kernel's slide, from the kernel's GS_BASE write at its virtual
 * address (the why and the rules: debug/kaslr.h). */
#include "debug/kaslr.h"

#include <inttypes.h>
#include <stdio.h>

#include "base/boot.h"
#include "base/diag.h"
#include "debug/bp_agent.h"
#include "debug/guest_debug.h"
#include "debug/monitor_break.h"
#include "debug/monitor_out.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

#define DEFAULT_ALIGN 0x200000ULL /* CONFIG_PHYSICAL_ALIGN's default */

static struct kaslr_state *kaslr_of(const struct vm *vm)
{
    return &vm->debug->kaslr;
}

int kaslr_arm(struct vm *vm, uint64_t text_link, uint64_t align)
{
    struct kaslr_state *k = kaslr_of(vm);
    char err[200];
    if (!align || (align & (align - 1)))
        align = DEFAULT_ALIGN;
    k->text_link = text_link;
    k->align = align;
    k->probing = true;
    if (monitor_break_sync_filter(vm, &vm->debug->access, err, sizeof(err)) < 0) {
        k->probing = false;
        diag("KASLR: cannot learn the kernel's slide on this host (%s): gdb's symbols will not "
             "match the kernel; boot with nokaslr to debug it",
             err);
        return -1;
    }
    return 0;
}

bool kaslr_probing(const struct vm *vm)
{
    return kaslr_of(vm)->probing;
}

void kaslr_msr_written(struct vcpu *vcpu, uint32_t msr)
{
    struct vm *vm = vcpu->vm;
    struct kaslr_state *k = kaslr_of(vm);
    struct kvm_regs r;
    if (msr != KASLR_PROBE_MSR || !k->probing || k->known || cpu_get_regs(vcpu, &r) < 0)
        return;
    if (r.rip < k->text_link || r.rip >= LINUX_KERNEL_TEXT_END)
        return; /* still at its physical address: startup_64 writes it there too */
    k->slide = (r.rip - k->text_link) & ~(k->align - 1);
    k->known = true;
    if (!k->slide || !runctl_attached(vm))
        return; /* where gdb's symbols say: nothing to tell */
    char line[400];
    snprintf(line, sizeof(line),
             "kvmstub: the kernel's KASLR slide is 0x%" PRIx64 " (its text at 0x%" PRIx64
             "): stopped once to say so. gdb/kvmstub.py relocates gdb's symbols here; "
             "without it: symbol-file -o 0x%" PRIx64 " vmlinux\n",
             k->slide, k->text_link + k->slide, k->slide);
    bp_agent_output_put(vm, line);
    struct stop_event ev = {.kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = GDB_SIGNAL_TRAP};
    runctl_report_stop(vcpu, &ev);
}

void kaslr_before_run(struct vm *vm)
{
    struct kaslr_state *k = kaslr_of(vm);
    char err[200];
    if (!k->probing || !k->known)
        return;
    k->probing = false;
    if (monitor_break_sync_filter(vm, &vm->debug->access, err, sizeof(err)) < 0)
        diag("KASLR: cannot take GS_BASE out of the MSR filter (%s): its writes keep exiting", err);
}

bool kaslr_waiting(const struct vm *vm, uint64_t addr)
{
    const struct kaslr_state *k = kaslr_of(vm);
    return k->text_link && !k->known && addr >= LINUX_START_KERNEL_MAP &&
           addr < LINUX_KERNEL_TEXT_END;
}

int kaslr_slide(const struct vm *vm, uint64_t *slide)
{
    const struct kaslr_state *k = kaslr_of(vm);
    if (!k->text_link || !k->known)
        return -1;
    *slide = k->slide;
    return 0;
}

void kaslr_monitor(struct vm *vm, target_print_fn print, void *ctx)
{
    const struct kaslr_state *k = kaslr_of(vm);
    if (!k->text_link)
        monitor_say(print, ctx, "kaslr: not a KASLR kernel (nokaslr, or not a 64-bit bzImage)");
    else if (!k->known)
        monitor_say(print, ctx, "kaslr: slide not known yet (%s)",
                    k->probing ? "learnt when the kernel runs at its virtual address"
                               : "this host has no MSR filter to learn it");
    else
        monitor_say(print, ctx,
                    "kaslr slide 0x%" PRIx64 ": text linked at 0x%" PRIx64 ", runs at 0x%" PRIx64,
                    k->slide, k->text_link, k->text_link + k->slide);
}
