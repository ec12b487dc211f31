/* debug/monitor_break.h — `monitor break io|msr|delete` (port and MSR breakpoints,
 * debug/access_breaks.h) and `monitor exception` (what the current vCPU stopped on). */
#ifndef KVMSTUB_DEBUG_MONITOR_BREAK_H
#define KVMSTUB_DEBUG_MONITOR_BREAK_H

#include "stub/target.h"

struct vm;
struct vcpu;

/* The words after `break` (argc of them). Always 0: errors are answered in words. Only while
 * every vCPU is stopped (a monitor command). */
int monitor_break(struct vm *vm, int argc, char *const argv[], target_print_fn print, void *ctx);
/* `monitor exception` for this vCPU. */
int monitor_exception(struct vm *vm, struct vcpu *vcpu, target_print_fn print, void *ctx);

#endif
