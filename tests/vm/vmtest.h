/* tests/vm/vmtest.h — vm/ tested directly, in one process, as KVM's own selftests do: build a
 * VM from a test guest (build/guest/NAME.img), drive it through the same target operations the
 * GDB stub uses, and assert on its stops. No sockets, no gdb: a change in run control, the
 * memory map or breakpoint placement fails a small test here first.
 */
#ifndef KVMSTUB_TESTS_VM_VMTEST_H
#define KVMSTUB_TESTS_VM_VMTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "loader/loader.h"
#include "stub/target.h"
#include "vm/vm.h"

struct vmtest {
    struct vm vm;
    struct vm_config cfg;
    struct image img;
    struct target target;
    const struct target_ops *ops;
    char path[256];
};

/* Create a VM with the debugger's state, load build/guest/NAME.img, leave its vCPUs parked.
 * NULL (after a message) when something failed. */
struct vmtest *vmtest_new(const char *name, int cpus);
void vmtest_free(struct vmtest *t);

/* The address of a symbol of the guest image (0 when missing). */
uint64_t vmtest_symbol(const struct vmtest *t, const char *name);
/* Resume: every thread (kind for all) or just one (kind for thread, the others stay). */
int vmtest_resume_all(struct vmtest *t, enum resume_kind kind);
int vmtest_resume_one(struct vmtest *t, int thread, enum resume_kind kind);
/* Wait for the stop (or the end) the target reports; false after timeout_ms. */
bool vmtest_wait_stop(struct vmtest *t, int timeout_ms, struct stop_event *ev);
/* Whether a stop is complete within timeout_ms (without taking it). */
bool vmtest_stop_ready(struct vmtest *t, int timeout_ms);
/* Guest memory and registers through the target (thread 1-based). */
uint64_t vmtest_read_u64(struct vmtest *t, int thread, uint64_t addr);
void vmtest_write_u64(struct vmtest *t, int thread, uint64_t addr, uint64_t value);
uint64_t vmtest_rip(struct vmtest *t, int thread);

#endif
