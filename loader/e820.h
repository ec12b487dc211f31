/* loader/e820.h — the guest's physical memory map, as e820 / multiboot / PVH tables see it. */
#ifndef KVMSTUB_LOADER_E820_H
#define KVMSTUB_LOADER_E820_H

#include <stdint.h>

#include "base/ram.h"

enum e820_type { E820_RAM = 1, E820_RESERVED = 2 };

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};

#define E820_MAX_ENTRIES 8

/* The exact map for this RAM: low RAM below the EBDA, the EBDA/BIOS area reserved, RAM from
 * 1 MiB to the 32-bit hole, and RAM above 4 GiB. Returns the number of entries. */
int e820_build(const struct guest_ram *ram, struct e820_entry out[E820_MAX_ENTRIES]);

#endif
