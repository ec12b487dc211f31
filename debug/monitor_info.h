/* debug/monitor_info.h — `monitor info mem|tlb|registers [-a]`: QEMU's HMP `info` forms, for gdb
 * front ends that parse QEMU's monitor (pwndbg's kernel vmmap, gef's registers). */
#ifndef KVMSTUB_DEBUG_MONITOR_INFO_H
#define KVMSTUB_DEBUG_MONITOR_INFO_H

#include "stub/target.h"

struct vm;
struct vcpu;

/* The words after `info` (argc of them); output through print. Always 0: a bad request or
 * registers that cannot be read are answered in words. */
int monitor_info(struct vm *vm, struct vcpu *vcpu, int argc, char *const argv[],
                 target_print_fn print, void *ctx);

#endif
