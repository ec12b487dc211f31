/* loader/raw.c — flat binaries copied to --load-addr and entered in real mode (CS:IP). */
#include "loader/loader_internal.h"

#include <string.h>

#define REAL_MODE_LIMIT 0x100000ULL /* what real mode can reach with CS:IP */

int raw_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
             struct boot_state *boot, struct load_error *err)
{
    uint64_t addr = opt->load_addr;
    if (addr >= REAL_MODE_LIMIT)
        return loader_fail(err,
                           "raw images start in real mode: --load-addr 0x%llx must be below 1 MiB",
                           (unsigned long long)addr);
    if (!ram_write(ram, addr, img->data, img->size))
        return loader_fail(err, "raw image (%zu bytes at 0x%llx) does not fit in guest RAM",
                           img->size, (unsigned long long)addr);
    boot->mode = CPU_MODE_REAL;
    /* Keep IP small: CS takes the 64 KiB-aligned part of the address. */
    boot->real_cs = (uint16_t)((addr >> 4) & 0xF000);
    boot->rip = addr - ((uint64_t)boot->real_cs << 4);
    return 0;
}
