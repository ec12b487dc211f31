/* debug/shutdown_chain.c — the story of a triple fault, for `monitor exception`.
 *
 * KVM reports a shutdown, not the exceptions that led to it. Where it keeps the vCPU's state
 * through the shutdown (Intel, PVM), that state is where the chain began (for a fault, at the
 * instruction that raised it): the deliveries failed one after another, none reached a
 * handler, so nothing moved on. So the chain is replayed from the state, as the CPU makes it
 * (the SDM's double-fault rules): an exception whose delivery fails raises another (#GP, #NP,
 * #SS, #TS or #PF: vm/x86/delivery_check.h); a contributory exception (#DE, #TS, #NP, #SS,
 * #GP) followed by a contributory one, or a #PF followed by a contributory one or a #PF,
 * becomes #DF; any other pair is delivered one after the other; a #DF whose delivery fails is
 * the shutdown. Each exception an instruction can raise is followed so, and those whose chain
 * ends in the shutdown are named. Which one it was the state does not tell when several do; a
 * recording does (`monitor record on`, then reverse-stepi from the stop). Where KVM reset the
 * vCPU (kvm_amd, as AMD hardware does) only a recording can tell.
 */
#include "debug/shutdown_chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debug/exception_names.h"
#include "debug/monitor_out.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/delivery_check.h"

#define WHY_LEN   160
#define CHAIN_MAX 6 /* the longest: benign, contributory, contributory -> #DF, and the end */

static bool contributory(int v)
{
    return v == X86_VECTOR_DE || v == X86_VECTOR_TS || v == X86_VECTOR_NP || v == X86_VECTOR_SS ||
           v == X86_VECTOR_GP;
}

/* Whether the second exception, raised while delivering the first, makes a #DF. */
static bool double_fault(int first, int second)
{
    if (first == X86_VECTOR_PF)
        return second == X86_VECTOR_PF || contributory(second);
    return contributory(first) && contributory(second);
}

/* The exceptions an instruction can raise: every vector below 32 but NMI (an interrupt), #DF,
 * the coprocessor segment overrun (no longer raised) and the reserved vectors. */
static bool raisable(int v)
{
    return v <= X86_VECTOR_XM && v != X86_VECTOR_NMI && v != X86_VECTOR_DF &&
           v != X86_VECTOR_DF + 1 && v != X86_VECTOR_PF + 1;
}

/* The CPU's chain from exception `first` raised here: its vectors in chain[], ending with #DF
 * when the chain ends in the shutdown, and why `first`'s own delivery fails in why. Returns
 * their number when it does, 0 when some delivery in it reaches a handler (or the checks cannot
 * tell). */
static int follow(struct vcpu *vcpu, int first, int chain[CHAIN_MAX], char *why, size_t len)
{
    int n = 0, cur = first;
    chain[n++] = cur;
    while (n < CHAIN_MAX) {
        uint64_t handler;
        int raised;
        char later[WHY_LEN] = ""; /* a later link's reason: not said */
        if (delivery_check(vcpu, cur, &handler, &raised, n == 1 ? why : later,
                           n == 1 ? len : sizeof(later)) != DELIVERY_FAULTS)
            return 0;
        if (cur == X86_VECTOR_DF)
            return n;
        cur = double_fault(cur, raised) ? X86_VECTOR_DF : raised;
        chain[n++] = cur;
    }
    return 0;
}

static void say_chain(const char *indent, const int *chain, int n, target_print_fn print, void *ctx)
{
    char line[128], name[16];
    size_t at = 0;
    for (int i = 0; i < n && at < sizeof(line); i++)
        at += snprintf(line + at, sizeof(line) - at, "%s -> ",
                       exception_short_name(chain[i], name, sizeof(name)));
    monitor_say(print, ctx, "%schain: %sshutdown", indent, line);
}

/* Which exceptions raised here end in the shutdown (the #DF's own failure already said). */
static void describe_first(struct vcpu *vcpu, target_print_fn print, void *ctx)
{
    int chains[X86_EXCEPTION_VECTORS][CHAIN_MAX], lens[X86_EXCEPTION_VECTORS];
    char why[X86_EXCEPTION_VECTORS][WHY_LEN], name[16];
    int ending = 0, raisables = 0, last = -1;
    bool alike = true;
    for (int v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        lens[v] = 0;
        if (!raisable(v))
            continue;
        raisables++;
        lens[v] = follow(vcpu, v, chains[v], why[v], WHY_LEN);
        if (!lens[v])
            continue;
        alike &= last < 0 || strcmp(why[v], why[last]) == 0;
        last = v;
        ending++;
    }
    if (ending == 0) {
        monitor_say(print, ctx,
                    "no exception raised here would end so: the chain began another way (an "
                    "event KVM was delivering, or a fault these checks do not see); record the "
                    "run to find it");
        return;
    }
    if (ending == raisables && alike) {
        monitor_say(print, ctx,
                    "chain: any exception raised here -> ... -> #DF -> shutdown (every "
                    "exception's delivery fails the same way; record the run to see which)");
        return;
    }
    if (ending == 1) {
        monitor_say(print, ctx, "%s (vector %d) cannot be delivered either: %s",
                    exception_short_name(last, name, sizeof(name)), last, why[last]);
        say_chain("", chains[last], lens[last], print, ctx);
        return;
    }
    monitor_say(print, ctx,
                "exceptions that end in the shutdown when raised here (the chain "
                "began with one of them):");
    for (int v = 0; v < X86_EXCEPTION_VECTORS; v++) {
        if (!lens[v])
            continue;
        monitor_say(print, ctx, "  %s (vector %d): %s", exception_short_name(v, name, sizeof(name)),
                    v, why[v]);
        say_chain("    ", chains[v], lens[v], print, ctx);
    }
}

bool shutdown_chain_describe(struct vcpu *vcpu, target_print_fn print, void *ctx)
{
    if (vcpu->fatal_shutdown == SHUTDOWN_NONE)
        return false;
    if (vcpu->fatal_shutdown == SHUTDOWN_STATE_RESET) {
        monitor_say(print, ctx,
                    "vCPU %d: triple fault (shutdown); this host's KVM reset the vCPU on it (as "
                    "AMD hardware does), so its state is not where the chain began: record the "
                    "run (monitor record on) and reverse-stepi from this stop to reach it",
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
                ", where the chain began (a fault's own instruction)",
                vcpu->id, cpu_pc_linear(&r, &s));
    char df_why[WHY_LEN];
    uint64_t handler;
    int raised;
    switch (delivery_check(vcpu, X86_VECTOR_DF, &handler, &raised, df_why, sizeof(df_why))) {
    case DELIVERY_UNKNOWN:
        monitor_say(print, ctx, "#DF (vector 8): %s",
                    df_why[0] ? df_why : "its state cannot be read");
        break;
    case DELIVERY_OK:
        monitor_say(print, ctx,
                    "#DF (vector 8) would be delivered from here (to 0x%" PRIx64
                    "): the shutdown came another way (a fault in the delivery of an event KVM "
                    "was injecting, or one these checks do not see)",
                    handler);
        break;
    case DELIVERY_FAULTS:
        monitor_say(print, ctx, "#DF (vector 8) cannot be delivered: %s", df_why);
        describe_first(vcpu, print, ctx);
        break;
    }
    return true;
}
