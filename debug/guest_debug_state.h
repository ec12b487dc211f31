/* debug/guest_debug_state.h — the debugger's state inside the VM object (vm->debug). */
#ifndef KVMSTUB_DEBUG_GUEST_DEBUG_STATE_H
#define KVMSTUB_DEBUG_GUEST_DEBUG_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "stub/target.h"
#include "debug/breakpoints.h"
#include "vm/vm.h"

struct debug_state {
    struct bp_table bps;
    uint64_t gen;  /* bumped on every change the vCPUs must apply */
    bool attached; /* guest debugging enabled (a debugger is in charge) */
    bool phys;     /* `monitor phys on`: gdb's addresses are physical */
    int paging;    /* `monitor paging MODE`: walk as enum paging_mode; -1: the vCPU's own */
    enum target_arch arch;
    struct x86_regs regs[VM_MAX_CPUS]; /* cached while stopped */
    bool regs_valid[VM_MAX_CPUS];
};

/* Create vm->debug (with --gdb). */
int guest_debug_init(struct vm *vm);
void guest_debug_destroy(struct vm *vm);
/* Breakpoints or attachment changed: every vCPU re-applies KVM_SET_GUEST_DEBUG. */
void guest_debug_changed(struct vm *vm);
/* Enable or disable guest debugging (attach on the first resume, detach). */
void guest_debug_set_attached(struct vm *vm, bool attached);

#endif
