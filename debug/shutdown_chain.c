/* debug/shutdown_chain.c — the story of a triple fault, for `monitor exception`.
 *
 * KVM reports a shutdown, not the exceptions that led to it. Where it keeps the vCPU's state
 * through the shutdown (Intel, PVM), that state is the instruction that raised the first
 * exception: its delivery failed, so did the #DF's that followed (else the handler would have
 * run and the state moved on). So the chain is read back from the state: why #DF cannot be
 * delivered from here, and which exceptions cannot either (each of them, raised here, ends in
 * the shutdown). Which one the instruction raised the state does not tell when several fail;
 * a recording does (`monitor record on`, then reverse-stepi from the stop). Where KVM reset the
 * vCPU (kvm_amd, as AMD hardware does) only a recording can tell.
 */
#include "debug/shutdown_chain.h"

#include <inttypes.h>
#include <string.h>

#include "debug/exception_names.h"
#include "debug/monitor_out.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/delivery_check.h"

#define WHY_LEN 160

/* The exceptions an instruction can raise: every vector below 32 but NMI (an interrupt), #DF
 * itself, the coprocessor segment overrun and the reserved ones. */
static bool raisable(int v)
{
    return v != 2 && v != X86_VECTOR_DF && v != 9 && v != 15 && !(v >= 22 && v <= 27) && v != 31;
}

static void describe_first(struct vcpu *vcpu, const char *df_why, target_print_fn print, void *ctx)
{
    char why[EXCEPTION_VECTORS][WHY_LEN], name[16];
    uint32_t failing = 0;
    bool all_alike = true;
    for (int v = 0; v < EXCEPTION_VECTORS; v++) {
        uint64_t handler;
        if (!raisable(v) || delivery_check(vcpu, v, &handler, why[v], WHY_LEN) != DELIVERY_FAULTS) {
            all_alike &= !raisable(v);
            continue;
        }
        failing |= 1u << v;
        all_alike &= strcmp(why[v], df_why) == 0;
    }
    if (!failing) {
        monitor_say(print, ctx,
                    "every other exception would be delivered from here: the first one failed "
                    "in a way these checks do not see (record the run to find it)");
        return;
    }
    if (all_alike) {
        monitor_say(print, ctx,
                    "chain: any exception raised here -> #DF -> shutdown (every exception's "
                    "delivery fails the same way; record the run to see which it was)");
        return;
    }
    if (!(failing & (failing - 1))) { /* one: every other would reach its handler */
        int v = __builtin_ctz(failing);
        monitor_say(print, ctx, "%s (vector %d) cannot be delivered either: %s",
                    exception_short_name(v, name, sizeof(name)), v, why[v]);
        monitor_say(print, ctx, "chain: %s -> #DF -> shutdown", name);
        return;
    }
    monitor_say(print, ctx,
                "exceptions whose delivery fails from here (the chain began with one of them):");
    for (int v = 0; v < EXCEPTION_VECTORS; v++)
        if (failing & (1u << v))
            monitor_say(print, ctx, "  %s (vector %d): %s",
                        exception_short_name(v, name, sizeof(name)), v, why[v]);
}

bool shutdown_chain_describe(struct vcpu *vcpu, target_print_fn print, void *ctx)
{
    if (vcpu->fatal_shutdown == SHUTDOWN_NONE)
        return false;
    if (vcpu->fatal_shutdown == SHUTDOWN_STATE_RESET) {
        monitor_say(print, ctx,
                    "vCPU %d: triple fault (shutdown); this host's KVM reset the vCPU on it (as "
                    "AMD hardware does), so its state is not the faulting instruction's: record "
                    "the run (monitor record on) and reverse-stepi from this stop to reach it",
                    vcpu->id);
        return true;
    }
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0) {
        monitor_say(print, ctx, "vCPU %d: triple fault (shutdown); its state cannot be read",
                    vcpu->id);
        return true;
    }
    monitor_say(print, ctx,
                "vCPU %d: triple fault (shutdown) at 0x%" PRIx64
                ", the instruction that raised the first exception",
                vcpu->id, cpu_pc_linear(&r, &s));
    char df_why[WHY_LEN];
    uint64_t handler;
    switch (delivery_check(vcpu, X86_VECTOR_DF, &handler, df_why, sizeof(df_why))) {
    case DELIVERY_UNKNOWN: monitor_say(print, ctx, "its state cannot be read"); break;
    case DELIVERY_OK:
        monitor_say(print, ctx,
                    "#DF (vector 8) would be delivered from here (to 0x%" PRIx64
                    "): the shutdown came another way (a fault in the delivery of an event KVM "
                    "was injecting, or one these checks do not see)",
                    handler);
        break;
    case DELIVERY_FAULTS:
        monitor_say(print, ctx, "#DF (vector 8) cannot be delivered: %s", df_why);
        describe_first(vcpu, df_why, print, ctx);
        break;
    }
    return true;
}
