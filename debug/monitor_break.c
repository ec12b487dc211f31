/* debug/monitor_break.c — port and MSR breakpoints from gdb's monitor. */
#include "debug/monitor_break.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/access_breaks.h"
#include "debug/guest_debug.h"
#include "debug/kaslr.h"
#include "debug/monitor_out.h"
#include "vm/msr_filter.h"
#include "vm/vm.h"

int monitor_break_sync_filter(struct vm *vm, const struct access_breaks *t, char *err,
                              size_t errlen)
{
    struct msr_filter_entry e[MSR_FILTER_MAX];
    size_t n = 0;
    bool probe = kaslr_probing(vm);
    if (probe)
        e[n++] = (struct msr_filter_entry){.msr = KASLR_PROBE_MSR, .read = false, .write = true};
    for (size_t i = 0; i < t->n; i++) {
        const struct access_break *b = &t->items[i];
        if (b->space != ACCESS_MSR)
            continue;
        if (probe && b->lo == KASLR_PROBE_MSR) { /* one range per MSR */
            e[0].read |= b->accesses & ACCESS_READ;
            continue;
        }
        if (n == MSR_FILTER_MAX) {
            snprintf(err, errlen, "at most %d MSR breakpoints (KVM's MSR filter has %d ranges)",
                     MSR_FILTER_MAX, MSR_FILTER_MAX);
            return -1;
        }
        e[n++] = (struct msr_filter_entry){
            .msr = b->lo, .read = b->accesses & ACCESS_READ, .write = b->accesses & ACCESS_WRITE};
    }
    return msr_filter_set(vm, e, n, err, errlen);
}

static void list(struct vm *vm, target_print_fn print, void *ctx)
{
    const struct access_breaks *t = &vm->debug->access;
    if (t->n == 0) {
        monitor_say(print, ctx, "no port or MSR breakpoints");
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        char what[64];
        access_break_format(&t->items[i], what, sizeof(what));
        monitor_say(print, ctx, "%d: %s", t->items[i].num, what);
    }
}

/* Change the table to next; for MSRs the filter first, so that a refusal changes nothing. */
static bool commit(struct vm *vm, const struct access_breaks *next, bool msrs_changed,
                   target_print_fn print, void *ctx)
{
    char err[MONITOR_LINE];
    if (msrs_changed && monitor_break_sync_filter(vm, next, err, sizeof(err)) < 0) {
        monitor_say(print, ctx, "error: %s", err);
        return false;
    }
    vm->debug->access = *next;
    return true;
}

static void delete_breaks(struct vm *vm, const char *which, target_print_fn print, void *ctx)
{
    struct access_breaks next = vm->debug->access;
    int num = 0;
    if (strcmp(which, "all") != 0) {
        char *end;
        long v = strtol(which, &end, 10);
        if (*end || v <= 0) {
            monitor_say(print, ctx, "usage: monitor break delete N|all");
            return;
        }
        num = (int)v;
    }
    bool msrs = false;
    for (size_t i = 0; i < next.n; i++)
        msrs |= next.items[i].space == ACCESS_MSR && (num == 0 || next.items[i].num == num);
    size_t gone = access_breaks_delete(&next, num);
    if (gone == 0 && num != 0) {
        monitor_say(print, ctx, "error: no port or MSR breakpoint %d", num);
        return;
    }
    if (commit(vm, &next, msrs, print, ctx))
        monitor_say(print, ctx, "deleted %zu port/MSR breakpoint%s", gone, gone == 1 ? "" : "s");
}

int monitor_break(struct vm *vm, int argc, char *const argv[], target_print_fn print, void *ctx)
{
    if (argc == 0) {
        list(vm, print, ctx);
        return 0;
    }
    if (strcmp(argv[0], "delete") == 0) {
        if (argc != 2)
            monitor_say(print, ctx, "usage: monitor break delete N|all");
        else
            delete_breaks(vm, argv[1], print, ctx);
        return 0;
    }
    struct access_break b;
    char err[MONITOR_LINE];
    if (!access_break_parse(argc, (char **)argv, &b, err, sizeof(err))) {
        monitor_say(print, ctx, "error: %s", err);
        return 0;
    }
    struct access_breaks next = vm->debug->access;
    int num = access_breaks_add(&next, &b);
    if (num < 0) {
        monitor_say(print, ctx, "error: at most %d port and MSR breakpoints", ACCESS_BREAKS_MAX);
        return 0;
    }
    if (!commit(vm, &next, b.space == ACCESS_MSR, print, ctx))
        return 0;
    char what[64];
    access_break_format(&b, what, sizeof(what));
    monitor_say(print, ctx, "%s breakpoint %d: %s%s", b.space == ACCESS_IO ? "port" : "MSR", num,
                what, b.space == ACCESS_MSR ? " (through KVM's MSR filter)" : "");
    return 0;
}

int monitor_exception(struct vm *vm, struct vcpu *vcpu, target_print_fn print, void *ctx)
{
    (void)vm;
    const struct access_hit *h = &((const struct vcpu_debug *)vcpu->debug)->hit;
    if (!h->valid) {
        monitor_say(print, ctx, "vCPU %d did not stop on an exception or a port or MSR access",
                    vcpu->id);
        return 0;
    }
    char what[96];
    access_hit_format(h, what, sizeof(what));
    monitor_say(print, ctx, "vCPU %d: %s by the instruction at 0x%" PRIx64 " (break %d)", vcpu->id,
                what, h->pc, h->num);
    return 0;
}
