/* tests/fuzz/fuzz_loader.c — libFuzzer target: image detection and every loader (raw,
 * ELF32/ELF64, multiboot ELF and a.out kludge, bzImage, PVH vmlinux) on arbitrary bytes.
 *
 * Input: the image file itself, so any image (a crash input, a test guest) can be replayed
 * with kvmstub too. Each input is detected, then loaded as the kind detected into guest RAM
 * of several sizes and with two sets of options (no initrd: a loader never opens files here),
 * and once as every other kind, since no loader may trust that it was picked correctly.
 * RAM is heap memory, so AddressSanitizer sees a loader that writes past it.
 *
 * Oracles besides the sanitizers: a successful load enters inside what it loaded (so inside
 * guest RAM, and below 4 GiB in long mode); a plain ELF leaves kvmstub's reserved area alone;
 * a failure always says why.
 */
#include "base/layout.h"
#include "base/ram.h"
#include "loader/elf.h"
#include "loader/loader.h"
#include "loader/loader_internal.h"

#include <elf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB 1024ULL
#define MIB (1024 * KIB)

struct ram_config {
    uint64_t size;
    bool linux_only; /* big enough for a bzImage to unpack; only Linux kinds get it */
};

static const struct ram_config ram_configs[] = {
    {64 * KIB, false},
    {4 * MIB, false},
    {20 * MIB, true},
};
#define RAM_CONFIGS (sizeof(ram_configs) / sizeof(ram_configs[0]))

static const struct load_options load_options[] = {
    {.load_addr = 0, .cmdline = NULL, .initrd = NULL},
    {.load_addr = 0x7c00, .cmdline = "console=ttyS0 fuzz", .initrd = NULL},
};

static uint8_t *ram_host[RAM_CONFIGS];
#define RESERVED_PATTERN 0x5a

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_loader: %s\n", what);
        abort();
    }
}

/* A successful load that broke a rule: say which, for which kind and entry. */
static void check_loaded(bool ok, const char *what, const struct image *img, uint64_t entry)
{
    if (!ok) {
        fprintf(stderr, "fuzz_loader: %s (loaded as %s, entry 0x%llx)\n", what,
                image_kind_name(img->kind), (unsigned long long)entry);
        abort();
    }
}

/* Where the loaders put a bzImage's protected-mode kernel, and the setup header fields that
 * say how much of the file it is (Linux boot protocol). */
#define BZ_KERNEL_ADDR  0x100000ULL
#define BZ_SETUP_SECTS  0x1F1
#define BZ_DEFAULT_SECT 4
#define MB_FLAG_KLUDGE  (1u << 16)

/* The entry point lies in what the loader put in memory (a segment, its bss included, or the
 * kernel), not merely somewhere in RAM (DESIGN.md §3: entry points outside loaded memory are
 * refused). Raw images, the multiboot a.out kludge and multiboot2 (whose address and entry tags
 * may place an ELF's entry anywhere in what they load) are checked by their loaders. */
static bool entry_in_loaded_image(const struct image *img, uint64_t entry)
{
    struct elf_file ef;
    struct load_error ignored;
    const uint8_t *mb = multiboot_find_header(img);
    uint32_t mb_flags = 0;
    if (mb)
        memcpy(&mb_flags, mb + 4, 4);
    switch (img->kind) {
    case IMAGE_RAW:
    case IMAGE_MULTIBOOT2:
    case IMAGE_KIND_COUNT: return true;
    case IMAGE_MULTIBOOT:
        if (mb_flags & MB_FLAG_KLUDGE)
            return true;
        /* fall through: an ELF */
    case IMAGE_ELF32:
    case IMAGE_ELF64:
    case IMAGE_PVH:
        if (elf_parse(img, &ef, &ignored) < 0)
            return false;
        for (unsigned i = 0; i < ef.phnum; i++) {
            struct elf_segment seg;
            elf_segment_get(&ef, i, &seg);
            if (seg.type == PT_LOAD && entry >= seg.paddr && entry - seg.paddr < seg.memsz)
                return true;
        }
        return false;
    case IMAGE_BZIMAGE: {
        unsigned sects = img->data[BZ_SETUP_SECTS] ? img->data[BZ_SETUP_SECTS] : BZ_DEFAULT_SECT;
        uint64_t kernel_size = img->size - (uint64_t)(sects + 1) * 512;
        return entry >= BZ_KERNEL_ADDR && entry - BZ_KERNEL_ADDR < kernel_size;
    }
    }
    return false;
}

static bool is_linux(enum image_kind kind)
{
    return kind == IMAGE_BZIMAGE || kind == IMAGE_PVH;
}

static void load_once(const struct image *img, size_t ram_index, const struct load_options *opt)
{
    struct guest_ram ram;
    struct boot_state boot;
    struct load_error err;
    ram_init(&ram, ram_host[ram_index], ram_configs[ram_index].size);
    bool reserved_fits = ram.size >= LAYOUT_RESERVED_END;
    if (reserved_fits)
        memset(ram.host + LAYOUT_RESERVED_START, RESERVED_PATTERN,
               LAYOUT_RESERVED_END - LAYOUT_RESERVED_START);
    err.msg[0] = '\0';
    if (loader_load(img, &ram, opt, &boot, &err) < 0) {
        check(err.msg[0] != '\0', "a load failed without a message");
        check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL, "unterminated message");
        return;
    }
    uint64_t entry = boot.rip;
    if (boot.mode == CPU_MODE_REAL)
        entry += (uint64_t)boot.real_cs << 4;
    else
        check_loaded(boot.real_cs == 0, "real_cs set outside real mode", img, entry);
    check_loaded(boot.mode <= CPU_MODE_LONG64, "unknown CPU mode", img, entry);
    check_loaded(ram_contains(&ram, entry, 1), "the entry point is outside guest RAM", img, entry);
    check_loaded(entry_in_loaded_image(img, entry), "the entry point is outside the loaded image",
                 img, entry);
    if (boot.mode == CPU_MODE_LONG64)
        check_loaded(entry < LAYOUT_4G, "a 64-bit entry above the identity map", img, entry);
    if ((img->kind == IMAGE_ELF32 || img->kind == IMAGE_ELF64) && reserved_fits)
        for (uint64_t a = LAYOUT_RESERVED_START; a < LAYOUT_RESERVED_END; a++)
            check_loaded(ram.host[a] == RESERVED_PATTERN,
                         "an ELF load wrote kvmstub's reserved area", img, entry);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    for (size_t i = 0; i < RAM_CONFIGS; i++) {
        ram_host[i] = malloc(ram_configs[i].size);
        check(ram_host[i] != NULL, "out of memory");
        memset(ram_host[i], 0, ram_configs[i].size);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so reading past the image is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    check(copy != NULL, "out of memory");
    memcpy(copy, data, size);
    struct image img = {.path = "fuzz.img", .data = copy, .size = size};
    struct load_error err;
    err.msg[0] = '\0';
    if (image_detect(&img, &err) < 0) {
        check(err.msg[0] != '\0', "detection failed without a message");
        free(copy);
        return 0;
    }
    check(img.kind < IMAGE_KIND_COUNT, "unknown image kind");
    check(image_kind_name(img.kind) != NULL, "unnamed image kind");
    (void)image_min_ram(&img);
    enum image_kind detected = img.kind;
    for (size_t r = 0; r < RAM_CONFIGS; r++) {
        if (ram_configs[r].linux_only && !is_linux(detected))
            continue;
        for (size_t o = 0; o < sizeof(load_options) / sizeof(load_options[0]); o++)
            load_once(&img, r, &load_options[o]);
    }
    for (int k = IMAGE_RAW; k < IMAGE_KIND_COUNT; k++) {
        if ((enum image_kind)k == detected)
            continue;
        img.kind = (enum image_kind)k;
        load_once(&img, is_linux(img.kind) ? 2 : 1, &load_options[0]);
    }
    free(copy);
    return 0;
}
