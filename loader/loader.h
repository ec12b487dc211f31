/* loader/loader.h — turn an image file into guest memory contents plus an initial CPU state.
 *
 * Loaders run nothing and know nothing of KVM: they write into a struct guest_ram and describe
 * the state the boot CPU must start in. Every rejection comes with a message that names the
 * problem (the caller prints it).
 */
#ifndef KVMSTUB_LOADER_LOADER_H
#define KVMSTUB_LOADER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/boot.h"
#include "base/ram.h"

/* An image file mapped read-only. */
struct image {
    const char *path;
    const uint8_t *data;
    size_t size;
    enum image_kind kind;
    bool code64; /* holds 64-bit code: an ELF64 container (whatever its boot protocol), a
                  * bzImage, a PVH vmlinux */
};

struct load_options {
    uint64_t load_addr;  /* raw images */
    const char *cmdline; /* NULL: none given */
    const char *initrd;  /* path or NULL */
};

#define LOADER_ERROR_MAX 256
struct load_error {
    char msg[LOADER_ERROR_MAX];
};

/* Map path and detect its kind. Returns 0, or -1 with err set. */
int image_open(struct image *img, const char *path, struct load_error *err);
/* Detect the kind of an image already in memory (used by image_open and tests). */
int image_detect(struct image *img, struct load_error *err);
void image_close(struct image *img);
/* The CPU mode the image is entered in (what loader_load will ask for). */
enum cpu_mode image_entry_mode(const struct image *img);
/* The image is an ELF file (whatever its boot protocol): one a debugger can take symbols from. */
bool image_is_elf(const struct image *img);
/* The smallest RAM the image needs (its highest loaded byte plus some room). */
uint64_t image_min_ram(const struct image *img);

/* Load the image into ram and fill boot. Returns 0, or -1 with err set. */
int loader_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                struct boot_state *boot, struct load_error *err);

#endif
