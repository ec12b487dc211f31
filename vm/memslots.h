/* vm/memslots.h — KVM memory slots for guest RAM, with holes for trapped pages.
 *
 * A page taken out of the slots has no RAM behind it as far as KVM knows, so every guest
 * access to it exits to kvmstub as KVM_EXIT_MMIO. Watchpoints use this (DESIGN.md §7).
 */
#ifndef KVMSTUB_VM_MEMSLOTS_H
#define KVMSTUB_VM_MEMSLOTS_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

struct memslot_map {
    uint64_t *trapped; /* sorted page-aligned guest physical addresses */
    int ntrapped;
    int nslots; /* slots currently registered with KVM: ids 0..nslots-1 */
};

/* Register RAM with KVM (no holes). */
int memslots_init(struct vm *vm);
/* Take the page at gpa out of (trap) or put it back into (untrap) the memory map. */
int memslots_trap_page(struct vm *vm, uint64_t gpa);
int memslots_untrap_page(struct vm *vm, uint64_t gpa);
bool memslots_page_trapped(const struct vm *vm, uint64_t gpa);
void memslots_destroy(struct vm *vm);

#endif
