/* debug/debug_target.h — the VM as a target of the GDB stub (stub/target.h). */
#ifndef KVMSTUB_DEBUG_DEBUG_TARGET_H
#define KVMSTUB_DEBUG_DEBUG_TARGET_H

#include "stub/target.h"

struct vm;

/* Fill t with the VM's target operations. */
void debug_target_init(struct vm *vm, struct target *t);

#endif
