/* vm/memslots.h — the guest's physical memory map: RAM in KVM memory slots, with holes for
 * trapped pages and read-only slots for write-protected pages, each of which is a region on
 * the MMIO bus.
 *
 * A page taken out of the slots has no RAM behind it as far as KVM knows, so every guest
 * access to it exits to kvmstub as KVM_EXIT_MMIO and reaches the handler registered for it
 * (watchpoints, DESIGN.md §8); fetching an instruction from it fails as an
 * emulation failure. One page at a time may be exempt: mapped again while a vCPU single-steps
 * code that lives in it (debug/step_aside.h).
 * A write-protected page stays RAM for reads and fetches, in a one-page KVM_MEM_READONLY slot:
 * only the guest's writes exit (KVM emulates the instruction and reports the write as MMIO),
 * to the same handler (INT3 pages, DESIGN.md §9). A page both trapped and protected is trapped.
 * Where KVM lacks KVM_CAP_READONLY_MEM, or its slots would run out, protecting is refused.
 *
 * Every change here happens under the memory-map rule: only while no vCPU but the caller's own
 * can run (runctl_map_held, vm/runctl.h). A change that breaks it is refused as an internal
 * error. Reads (memslots_page_trapped) are for whoever drives a vCPU.
 * A vCPU's change (self, with the others paused) reaches KVM at once; the controller's (self
 * NULL, every vCPU parked) when run control next lets a vCPU run (memslots_sync), and only if
 * the slots then differ from KVM's: gdb removes its breakpoints at every stop and inserts them
 * again to resume, which must not cost a new memory map each time.
 */
#ifndef KVMSTUB_VM_MEMSLOTS_H
#define KVMSTUB_VM_MEMSLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/dev/bus.h"

struct vm;
struct vcpu;

struct memslot_trap {
    uint64_t page;  /* page-aligned guest physical address */
    int refs;       /* traps of the page (every access exits) */
    int write_refs; /* write protections of the page (writes exit) */
    bool lingering; /* none left, but KVM keeps the protection until a run that is not only a
                     * step: gdb takes its INT3s out to step off one and puts them back for the
                     * continue (z0 s Z0 c), which must not cost two new memory maps */
};

/* One KVM memory slot as registered. */
struct memslot_range {
    uint64_t gpa, size, offset; /* offset: into guest RAM's host mapping */
    bool readonly;
};

struct memslot_map {
    struct memslot_trap *trapped; /* sorted by page; a page with either kind of refs */
    int ntrapped, cap;
    uint64_t exempt;               /* a trapped page mapped again for a step, or MEMSLOT_NONE */
    struct memslot_range *applied; /* what KVM has: slot ids 0..nslots-1 */
    int nslots;
    bool stale;       /* changed since KVM last took the map whole: memslots_sync applies it */
    int max_slots;    /* KVM_CAP_NR_MEMSLOTS */
    bool readonly_ok; /* KVM_CAP_READONLY_MEM */
};

#define MEMSLOT_NONE UINT64_MAX

/* Register RAM with KVM (no holes). */
int memslots_init(struct vm *vm);
void memslots_destroy(struct vm *vm);
/* Trap the page that holds gpa: its accesses go to fn on the MMIO bus. Refcounted: each trap
 * needs an untrap; every trap of a page must pass the same fn and opaque. self is the calling
 * vCPU, or NULL for the controller. 0, or -1 after a message. */
int memslots_trap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                       void *opaque);
int memslots_untrap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa);
/* Whether the page that holds gpa is trapped (write protection alone does not count). */
bool memslots_page_trapped(const struct vm *vm, uint64_t gpa);
/* Write-protect the page that holds gpa: the guest's writes to it go to fn on the MMIO bus
 * (the same fn and opaque as any trap of the page). Refcounted like traps. 0, or -1 (the host
 * cannot, or no slot is left) after a message; the map is unchanged then. */
int memslots_protect_page(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                          void *opaque);
/* The controller's last unprotect of a page leaves it lingering (struct memslot_trap) until a
 * sync that is not for steps alone; a vCPU's (self) lifts it at once. Writes to a lingering page
 * still exit, to the same handler, which completes them. */
int memslots_unprotect_page(struct vm *vm, const struct vcpu *self, uint64_t gpa);
/* Lift every lingering protection now (a vCPU whose write there KVM could not complete, with
 * the others paused). The number lifted, or -1 after a message. */
int memslots_lift_lingering(struct vm *vm, const struct vcpu *self);
/* Give KVM the controller's changes, if the slots differ (run control, before any vCPU runs).
 * steps_only: the vCPUs about to run only step (a single step or a range), so lingering
 * protections stay; any other run lifts them first. 0, or -1 after a message. Any change that
 * reaches KVM (here, or at once for a vCPU's own) and that KVM does not take whole ends the
 * guest (runctl_end, status 6): it must not run with part of its RAM missing. */
int memslots_sync(struct vm *vm, bool steps_only);
/* Map a trapped page back for a moment (exempt), or end that (page MEMSLOT_NONE). */
int memslots_exempt(struct vm *vm, const struct vcpu *self, uint64_t page);

#endif
