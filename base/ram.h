/* base/ram.h — guest RAM: one host mapping, laid out around the 32-bit hole.
 *
 * Pure bookkeeping with no KVM in it, so loaders and tests can use it on plain memory.
 * RAM below LAYOUT_LOW_RAM_MAX is mapped at guest physical 0; the rest starts at 4 GiB.
 */
#ifndef KVMSTUB_BASE_RAM_H
#define KVMSTUB_BASE_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_ram {
    uint8_t *host;          /* size bytes: [0, low_size) then the high part */
    const uint8_t *backing; /* what host's untouched pages read as: a read-only mapping of a
                               snapshot file's RAM (`--restore`), or NULL for zero */
    uint64_t size;          /* total RAM */
    uint64_t low_size;      /* RAM mapped at [0, low_size) */
};

/* A range of guest physical addresses backed by RAM. */
struct ram_region {
    uint64_t gpa;
    uint64_t size;
    uint64_t offset; /* into host */
};

/* Lay out size bytes of RAM (host may be NULL for pure layout queries). */
void ram_init(struct guest_ram *ram, uint8_t *host, uint64_t size);
/* The RAM regions in address order; returns their number (1 or 2). */
int ram_regions(const struct guest_ram *ram, struct ram_region out[2]);
/* True when [gpa, gpa + len) lies wholly in RAM (no wrap-around). */
bool ram_contains(const struct guest_ram *ram, uint64_t gpa, uint64_t len);
/* Host pointer for [gpa, gpa + len), or NULL when any byte of it is not RAM. */
void *ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len);
/* How many bytes from gpa on are contiguous RAM (0 when gpa is not RAM). */
uint64_t ram_span(const struct guest_ram *ram, uint64_t gpa);
/* Copy in or out; false (nothing copied) when the range is not wholly RAM. */
bool ram_write(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len);
bool ram_read(const struct guest_ram *ram, uint64_t gpa, void *dst, uint64_t len);

/* Parse a size like "64M", "1G", "512K", "1048576" (bytes). Returns false on bad syntax or
 * overflow. */
bool ram_parse_size(const char *text, uint64_t *out);

#endif
