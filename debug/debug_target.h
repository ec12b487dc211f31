/* debug/debug_target.h — the VM as a target of the GDB stub (stub/target.h). */
#ifndef KVMSTUB_DEBUG_DEBUG_TARGET_H
#define KVMSTUB_DEBUG_DEBUG_TARGET_H

#include "debug/cpu_view.h"
#include "stub/target.h"

struct vm;

/* Fill t with the VM's target operations; view says how the vCPUs are shown to gdb. exec_file
 * is the image kvmstub booted when it holds the guest's symbols (an ELF file), else NULL: the
 * one file the debugger may read (qXfer:exec-file, vFile). */
void debug_target_init(struct vm *vm, struct target *t, const struct cpu_view_options *view,
                       const char *exec_file);

#endif
