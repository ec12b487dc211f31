/* debug/monitor_break.h — `monitor break io|msr|delete` (port and MSR breakpoints,
 * debug/access_breaks.h) and `monitor exception` (what the current vCPU stopped on). */
#ifndef KVMSTUB_DEBUG_MONITOR_BREAK_H
#define KVMSTUB_DEBUG_MONITOR_BREAK_H

#include <stddef.h>

#include "stub/target.h"

struct vm;
struct vcpu;
struct access_breaks;

/* The words after `break` (argc of them). Always 0: errors are answered in words. Only while
 * every vCPU is stopped (a monitor command). */
int monitor_break(struct vm *vm, int argc, char *const argv[], target_print_fn print, void *ctx);
/* Give KVM's MSR filter exactly the MSRs of table t, and the KASLR probe's while it probes
 * (debug/kaslr.h): the one place that says what the filter holds. 0, or -1 with err. */
int monitor_break_sync_filter(struct vm *vm, const struct access_breaks *t, char *err,
                              size_t errlen);
/* `monitor exception` for this vCPU. */
int monitor_exception(struct vm *vm, struct vcpu *vcpu, target_print_fn print, void *ctx);

#endif
