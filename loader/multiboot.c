/* loader/multiboot.c — multiboot v1: header search, ELF (32- or 64-bit) or a.out-kludge
 * loading, the info struct; and the loading both multiboot versions share (loader/multiboot.h).
 *
 * The guest is entered as GRUB and QEMU's -kernel enter it: 32-bit protected mode, flat
 * segments, paging off, EAX = 0x2BADB002, EBX = the physical address of the info struct.
 */
#include "loader/multiboot.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "base/layout.h"
#include "loader/e820.h"
#include "loader/elf.h"

#define MB_HEADER_MAGIC          0x1BADB002u
#define MB_BOOTLOADER_MAGIC      0x2BADB002u
#define MB_SEARCH_LIMIT          8192
#define MB_FLAG_AOUT_KLUDGE      (1u << 16)
#define MB_FLAGS_KNOWN_LOW       0x7u /* page-align modules, memory info, video mode */
#define MB_INFO_MEMORY           (1u << 0)
#define MB_INFO_CMDLINE          (1u << 2)
#define MB_INFO_MEM_MAP          (1u << 6)
#define MB_INFO_LOADER_NAME      (1u << 9)
#define MB_INFO_SIZE             0x78
#define MB_LOADER_NAME_ADDR      (LAYOUT_BOOT_INFO + 0x100)
#define MB_LOADER_NAME           "kvmstub"
#define MB_HEADER_WITH_ADDRESSES 32 /* magic, flags, checksum and the five address fields */

/* Offsets in the multiboot header (multiboot spec 0.6.96, section 3.1). */
enum {
    MBH_FLAGS = 4,
    MBH_HEADER_ADDR = 12,
    MBH_LOAD_ADDR = 16,
    MBH_LOAD_END_ADDR = 20,
    MBH_BSS_END_ADDR = 24,
    MBH_ENTRY_ADDR = 28,
};

/* Offsets in the multiboot info struct (multiboot spec 0.6.96, section 3.3). */
enum {
    MBI_FLAGS = 0,
    MBI_MEM_LOWER = 4,
    MBI_MEM_UPPER = 8,
    MBI_CMDLINE = 16,
    MBI_MMAP_LENGTH = 44,
    MBI_MMAP_ADDR = 48,
    MBI_LOADER_NAME = 64,
};

const uint8_t *multiboot_find_header(const struct image *img)
{
    size_t limit = img->size < MB_SEARCH_LIMIT ? img->size : MB_SEARCH_LIMIT;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        const uint8_t *h = img->data + off;
        if (le_get(h, 4) == MB_HEADER_MAGIC &&
            (uint32_t)(le_get(h, 4) + le_get(h + 4, 4) + le_get(h + 8, 4)) == 0)
            return h;
    }
    return NULL;
}

int multiboot_load_fields(const struct image *img, size_t hdr_off, const struct multiboot_fields *f,
                          struct guest_ram *ram, struct load_error *err)
{
    uint32_t load_addr = f->load_addr, header_addr = f->header_addr;
    if (load_addr > header_addr || header_addr - load_addr > hdr_off)
        return loader_fail(err,
                           "multiboot header: load_addr 0x%x is inconsistent with header_addr "
                           "0x%x",
                           load_addr, header_addr);
    uint64_t file_off = hdr_off - (header_addr - load_addr);
    uint64_t load_size =
        f->load_end_addr ? (uint64_t)f->load_end_addr - load_addr : img->size - file_off;
    if (f->load_end_addr && f->load_end_addr < load_addr)
        return loader_fail(err, "multiboot header: load_end_addr is below load_addr");
    if (file_off + load_size > img->size)
        return loader_fail(err, "truncated multiboot image: wants 0x%llx bytes from offset 0x%llx",
                           (unsigned long long)load_size, (unsigned long long)file_off);
    uint64_t mem_end =
        f->bss_end_addr > load_addr + load_size ? f->bss_end_addr : load_addr + load_size;
    uint64_t mem_size = mem_end - load_addr;
    if (!ram_contains(ram, load_addr, mem_size))
        return loader_fail(err,
                           "multiboot image at 0x%x-0x%llx is outside guest RAM; try a "
                           "larger -m",
                           load_addr, (unsigned long long)mem_end);
    if (loader_overlaps_reserved(load_addr, mem_size))
        return loader_fail(err,
                           "multiboot image at 0x%x-0x%llx overlaps kvmstub's reserved area "
                           "0x%llx-0x%llx",
                           load_addr, (unsigned long long)mem_end, LAYOUT_RESERVED_START,
                           LAYOUT_RESERVED_END);
    if (f->entry_addr < load_addr || f->entry_addr >= mem_end)
        return loader_fail(err, "multiboot entry 0x%x is outside the loaded image", f->entry_addr);
    uint8_t *dst = ram_ptr(ram, load_addr, mem_size);
    memcpy(dst, img->data + file_off, load_size);
    memset(dst + load_size, 0, mem_size - load_size);
    return 0;
}

int multiboot_check_entry(uint64_t entry, struct load_error *err)
{
    if (entry >= LAYOUT_4G)
        return loader_fail(err,
                           "multiboot entry 0x%llx is above 4 GiB, out of reach of the 32-bit "
                           "entry",
                           (unsigned long long)entry);
    return 0;
}

void multiboot_enter(struct boot_state *boot, uint64_t entry, uint32_t magic, uint64_t info)
{
    boot->mode = CPU_MODE_PROT32;
    boot->rip = entry;
    boot->rax = magic;
    boot->rbx = info;
}

void multiboot_memory(const struct guest_ram *ram, uint32_t *lower_kib, uint32_t *upper_kib)
{
    uint64_t upper = ram->low_size > LAYOUT_HIGH_START ? ram->low_size - LAYOUT_HIGH_START : 0;
    *lower_kib = LAYOUT_EBDA_START / 1024;
    *upper_kib = upper / 1024;
}

/* The a.out kludge: the header's address fields say where the file goes. */
static int multiboot_load_kludge(const struct image *img, const uint8_t *hdr, struct guest_ram *ram,
                                 uint64_t *entry, struct load_error *err)
{
    size_t hdr_off = hdr - img->data;
    if (hdr_off + MB_HEADER_WITH_ADDRESSES > img->size)
        return loader_fail(err, "truncated multiboot header (address fields missing)");
    struct multiboot_fields f = {
        .header_addr = le_get(hdr + MBH_HEADER_ADDR, 4),
        .load_addr = le_get(hdr + MBH_LOAD_ADDR, 4),
        .load_end_addr = le_get(hdr + MBH_LOAD_END_ADDR, 4),
        .bss_end_addr = le_get(hdr + MBH_BSS_END_ADDR, 4),
        .entry_addr = le_get(hdr + MBH_ENTRY_ADDR, 4),
    };
    if (multiboot_load_fields(img, hdr_off, &f, ram, err) < 0)
        return -1;
    *entry = f.entry_addr;
    return 0;
}

/* The multiboot information structure, memory map, command line and loader name. */
static int multiboot_write_info(struct guest_ram *ram, const struct image *img,
                                const struct load_options *opt, struct load_error *err)
{
    uint8_t *info = ram_ptr(ram, LAYOUT_BOOT_INFO, MB_INFO_SIZE);
    uint8_t *mmap = ram_ptr(ram, LAYOUT_BOOT_MMAP, 24 * E820_MAX_ENTRIES);
    char *cmdline = ram_ptr(ram, LAYOUT_BOOT_CMDLINE, LAYOUT_BOOT_CMDLINE_MAX);
    if (!info || !mmap || !cmdline)
        return loader_fail(err, "guest RAM is too small for the multiboot information");
    memset(info, 0, MB_INFO_SIZE);

    struct e820_entry map[E820_MAX_ENTRIES];
    int n = e820_build(ram, map);
    for (int i = 0; i < n; i++) {
        uint8_t *e = mmap + 24 * i;
        le_put(e, 20, 4); /* size of the entry, not counting this field */
        memcpy(e + 4, &map[i].addr, 8);
        memcpy(e + 12, &map[i].size, 8);
        le_put(e + 20, map[i].type, 4);
    }
    /* Like GRUB and QEMU: the command line starts with the kernel's own path. */
    int len = snprintf(cmdline, LAYOUT_BOOT_CMDLINE_MAX, "%s%s%s", img->path ? img->path : "",
                       opt->cmdline ? " " : "", opt->cmdline ? opt->cmdline : "");
    if (len < 0 || (uint64_t)len >= LAYOUT_BOOT_CMDLINE_MAX)
        return loader_fail(err, "command line too long for multiboot (max %llu bytes)",
                           LAYOUT_BOOT_CMDLINE_MAX - 1);
    ram_write(ram, MB_LOADER_NAME_ADDR, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));

    uint32_t lower_kib, upper_kib;
    multiboot_memory(ram, &lower_kib, &upper_kib);
    le_put(info + MBI_FLAGS,
           MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEM_MAP | MB_INFO_LOADER_NAME, 4);
    le_put(info + MBI_MEM_LOWER, lower_kib, 4);
    le_put(info + MBI_MEM_UPPER, upper_kib, 4);
    le_put(info + MBI_CMDLINE, LAYOUT_BOOT_CMDLINE, 4);
    le_put(info + MBI_MMAP_LENGTH, 24 * n, 4);
    le_put(info + MBI_MMAP_ADDR, LAYOUT_BOOT_MMAP, 4);
    le_put(info + MBI_LOADER_NAME, MB_LOADER_NAME_ADDR, 4);
    return 0;
}

int multiboot_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                   struct boot_state *boot, struct load_error *err)
{
    const uint8_t *hdr = multiboot_find_header(img);
    if (!hdr)
        return loader_fail(err, "no multiboot header in the first %d bytes", MB_SEARCH_LIMIT);
    uint32_t flags = le_get(hdr + MBH_FLAGS, 4);
    if (flags & 0xFFFF & ~MB_FLAGS_KNOWN_LOW)
        return loader_fail(err,
                           "multiboot header requires features kvmstub does not know "
                           "(flags 0x%x)",
                           flags);
    uint64_t entry;
    if (flags & MB_FLAG_AOUT_KLUDGE) {
        if (multiboot_load_kludge(img, hdr, ram, &entry, err) < 0)
            return -1;
    } else {
        /* GRUB 2 loads ELF64 multiboot kernels too (QEMU's -kernel only ELF32): their entry
         * is 32-bit code all the same. */
        if (img->size < SELFMAG || memcmp(img->data, ELFMAG, SELFMAG) != 0)
            return loader_fail(err, "multiboot image is not ELF and has no address fields "
                                    "(flag 16)");
        struct elf_file ef;
        if (elf_parse(img, &ef, err) < 0 || elf_load_segments(&ef, ram, &entry, boot, err) < 0)
            return -1;
    }
    if (multiboot_check_entry(entry, err) < 0)
        return -1;
    if (multiboot_write_info(ram, img, opt, err) < 0)
        return -1;
    multiboot_enter(boot, entry, MB_BOOTLOADER_MAGIC, LAYOUT_BOOT_INFO);
    return 0;
}
