/* vm/snapshot.h — the whole machine in memory: every vCPU as KVM holds it, the in-kernel
 * irqchip, PIT and clock, kvmstub's devices, and guest RAM.
 *
 * Per vCPU: general, segment and control registers, the XSAVE area (x87, SSE, AVX...) and XCRs,
 * every MSR KVM lists that it can read back (TSC, kernel GS base, SYSCALL and SYSENTER MSRs,
 * PAT, kvmclock...), debug registers, the local APIC, pending events (exceptions, interrupts,
 * NMIs, the interrupt shadow), the MP state, and kvmstub's own view of it (halted for good, a
 * fatal stop). RAM through vm/snapshot_ram.h: the cost is what the guest touched.
 *
 * Rule: taken and applied only by the controller while every vCPU is parked (a stop reported
 * to the debugger), so no vCPU thread and no device access runs meanwhile; the memory map is not
 * touched (memory-trap watchpoints stay as they are). Breakpoints and watchpoints are the
 * debugger's and are neither saved nor restored.
 */
#ifndef KVMSTUB_VM_SNAPSHOT_H
#define KVMSTUB_VM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct snapshot;

/* NULL with a message in err when something could not be read. */
struct snapshot *snapshot_take(struct vm *vm, char *err, size_t errlen);
/* Put the machine back as it was. 0, or -1 with a message in err; a failure after the first
 * change leaves the machine part restored, and says so. *pages_written: RAM pages written. */
int snapshot_apply(struct vm *vm, const struct snapshot *snap, uint64_t *pages_written, char *err,
                   size_t errlen);
void snapshot_free(struct snapshot *snap);

/* Host memory the snapshot holds (RAM pages and state), in bytes. */
uint64_t snapshot_bytes(const struct snapshot *snap);

#endif
