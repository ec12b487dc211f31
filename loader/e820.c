/* loader/e820.c — build the physical memory map every boot protocol hands the guest. */
#include "loader/e820.h"

#include "base/layout.h"

static int e820_add(struct e820_entry *out, int n, uint64_t addr, uint64_t end, uint32_t type)
{
    if (end > addr && n < E820_MAX_ENTRIES)
        out[n++] = (struct e820_entry){.addr = addr, .size = end - addr, .type = type};
    return n;
}

int e820_build(const struct guest_ram *ram, struct e820_entry out[E820_MAX_ENTRIES])
{
    uint64_t low = ram->low_size;
    int n = 0;
    n = e820_add(out, n, 0, low < LAYOUT_EBDA_START ? low : LAYOUT_EBDA_START, E820_RAM);
    if (low > LAYOUT_EBDA_START)
        n = e820_add(out, n, LAYOUT_EBDA_START, LAYOUT_HIGH_START, E820_RESERVED);
    if (low > LAYOUT_HIGH_START)
        n = e820_add(out, n, LAYOUT_HIGH_START, low, E820_RAM);
    if (ram->size > low)
        n = e820_add(out, n, LAYOUT_4G, LAYOUT_4G + (ram->size - low), E820_RAM);
    return n;
}
