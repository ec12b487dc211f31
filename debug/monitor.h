/* debug/monitor.h — gdb `monitor` commands for the VM (run through qRcmd). */
#ifndef KVMSTUB_DEBUG_MONITOR_H
#define KVMSTUB_DEBUG_MONITOR_H

#include "stub/target.h"

struct vm;
struct vcpu;

/* Run cmd for vcpu; output through print. 0, or -ENOENT for an unknown command. */
int monitor_run(struct vm *vm, struct vcpu *vcpu, const char *cmd, target_print_fn print,
                void *ctx);

#endif
