/* loader/loader_internal.h — what the individual loaders share with each other. */
#ifndef KVMSTUB_LOADER_INTERNAL_H
#define KVMSTUB_LOADER_INTERNAL_H

#include <string.h>

#include "base/x86.h"
#include "loader/loader.h"

/* Little-endian fields of image headers, size bytes (1-8) at p: x86 hosts only, so a copy
 * reads and writes them. */
static inline uint64_t le_get(const uint8_t *p, int size)
{
    uint64_t v = 0;
    memcpy(&v, p, size);
    return v;
}

static inline void le_put(uint8_t *p, uint64_t v, int size)
{
    memcpy(p, &v, size);
}

/* Fill err with a printf-style message; always returns -1 so callers can `return fail(...)`. */
int loader_fail(struct load_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when [gpa, gpa + len) overlaps kvmstub's reserved area (base/layout.h). */
bool loader_overlaps_reserved(uint64_t gpa, uint64_t len);

int raw_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
             struct boot_state *boot, struct load_error *err);
int elf_load(const struct image *img, struct guest_ram *ram, struct boot_state *boot,
             struct load_error *err);
int multiboot_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                   struct boot_state *boot, struct load_error *err);
int bzimage_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                 struct boot_state *boot, struct load_error *err);
int pvh_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
             struct boot_state *boot, struct load_error *err);
int multiboot2_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                    struct boot_state *boot, struct load_error *err);

/* Read the initrd at path into RAM at the highest page-aligned address below max_addr that
 * stays above avoid_end (the kernel and its decompression area). */
int initrd_load(struct guest_ram *ram, const char *path, uint64_t max_addr, uint64_t avoid_end,
                uint64_t *addr, uint64_t *size, struct load_error *err);

/* Detection helpers. */
const uint8_t *multiboot_find_header(const struct image *img);
const uint8_t *multiboot2_find_header(const struct image *img);
bool bzimage_detect(const struct image *img);
/* A detected bzImage is entered through its 64-bit entry point. */
bool bzimage_entry64(const struct image *img);
struct elf_file;
/* The PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) of a parsed vmlinux, if it has one. */
bool pvh_find_entry(const struct elf_file *ef, uint32_t *entry);

#endif
