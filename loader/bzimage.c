/* loader/bzimage.c — the Linux x86 boot protocol (Documentation/arch/x86/boot.rst), 2.06+.
 *
 * kvmstub enters the kernel through its 64-bit entry point (load address + 0x200) with the
 * identity page tables of vm/x86/cpu_mode.c, as the protocol allows from 2.12 on for kernels with
 * XLF_KERNEL_64: no 32-bit startup code runs, which is the shortest path and avoids 32-bit
 * paging entirely (hosts like ours cannot run it; DESIGN.md §7). Older or 32-bit kernels get
 * the 32-bit entry at the load address, 1 MiB (code32_start's default), with flat segments and
 * paging off.
 */
#include "loader/loader_internal.h"

#include <string.h>

#include "base/layout.h"
#include "loader/e820.h"

/* Offsets in the zero page / setup header. */
enum {
    BP_E820_ENTRIES = 0x1E8,
    HDR_START = 0x1F1,
    HDR_SETUP_SECTS = 0x1F1,
    HDR_SYSSIZE = 0x1F4,
    HDR_VID_MODE = 0x1FA,
    HDR_BOOT_FLAG = 0x1FE,
    HDR_JUMP = 0x200,
    HDR_MAGIC = 0x202,
    HDR_VERSION = 0x206,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21C,
    HDR_HEAP_END_PTR = 0x224,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22C,
    HDR_KERNEL_ALIGNMENT = 0x230,
    HDR_XLOADFLAGS = 0x236,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_PREF_ADDRESS = 0x258,
    HDR_INIT_SIZE = 0x260,
    BP_E820_TABLE = 0x2D0,
};

#define HDR_MAGIC_VALUE       0x53726448 /* "HdrS" */
#define BOOT_FLAG_VALUE       0xAA55
#define BOOT_PROTOCOL_MIN     0x206
#define BOOT_PROTOCOL_64BIT   0x20C
#define LOADFLAG_LOADED_HIGH  0x01
#define LOADFLAG_CAN_USE_HEAP 0x80
#define XLF_KERNEL_64         0x01
#define LOADER_TYPE_UNKNOWN   0xFF
#define VID_MODE_NORMAL       0xFFFF
#define HEAP_END              0xFE00
#define KERNEL_LOAD_ADDR      0x100000ULL
#define ENTRY_64_OFFSET       0x200
#define DECOMPRESS_ADDR       0x1000000ULL /* LOAD_PHYSICAL_ADDR: where the kernel unpacks */
#define E820_MAX_ZEROPAGE     128

bool bzimage_detect(const struct image *img)
{
    return img->size >= HDR_MAGIC + 4 && le_get(img->data + HDR_MAGIC, 4) == HDR_MAGIC_VALUE;
}

bool bzimage_entry64(const struct image *img)
{
    const uint8_t *d = img->data;
    return img->size >= HDR_XLOADFLAGS + 2 && le_get(d + HDR_VERSION, 2) >= BOOT_PROTOCOL_64BIT &&
           (le_get(d + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64);
}

static void bzimage_write_e820(struct guest_ram *ram, uint8_t *zp)
{
    struct e820_entry map[E820_MAX_ENTRIES];
    int n = e820_build(ram, map);
    _Static_assert(E820_MAX_ENTRIES <= E820_MAX_ZEROPAGE, "the zero page holds every entry");
    for (int i = 0; i < n; i++) {
        uint8_t *e = zp + BP_E820_TABLE + 20 * i;
        le_put(e, map[i].addr, 8);
        le_put(e + 8, map[i].size, 8);
        le_put(e + 16, map[i].type, 4);
    }
    zp[BP_E820_ENTRIES] = n;
}

int bzimage_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                 struct boot_state *boot, struct load_error *err)
{
    const uint8_t *d = img->data;
    if (img->size < HDR_INIT_SIZE + 4)
        return loader_fail(err, "truncated bzImage: the setup header is incomplete");
    uint16_t version = le_get(d + HDR_VERSION, 2);
    if (le_get(d + HDR_BOOT_FLAG, 2) != BOOT_FLAG_VALUE)
        return loader_fail(err, "bzImage lacks the 0xAA55 boot flag");
    if (version < BOOT_PROTOCOL_MIN)
        return loader_fail(err,
                           "Linux boot protocol %u.%02u is too old (kvmstub needs 2.06 or "
                           "later, Linux 2.6.22+)",
                           version >> 8, version & 0xFF);
    if (!(d[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
        return loader_fail(err, "a zImage (loaded low) is not supported; build a bzImage");
    unsigned setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
    uint64_t kernel_off = (uint64_t)(setup_sects + 1) * 512;
    uint64_t syssize = (uint64_t)le_get(d + HDR_SYSSIZE, 4) * 16;
    if (kernel_off >= img->size || syssize > img->size - kernel_off)
        return loader_fail(err, "truncated bzImage: %zu bytes, the header says %llu", img->size,
                           (unsigned long long)(kernel_off + syssize));
    uint64_t kernel_size = img->size - kernel_off;
    bool entry64 = bzimage_entry64(img);
    if (entry64 && kernel_size <= ENTRY_64_OFFSET)
        return loader_fail(err,
                           "truncated bzImage: the 64-bit entry at offset 0x%x is past the "
                           "end of its %llu-byte kernel",
                           ENTRY_64_OFFSET, (unsigned long long)kernel_size);
    uint64_t init_size = le_get(d + HDR_INIT_SIZE, 4);
    uint64_t need = DECOMPRESS_ADDR + (init_size > kernel_size ? init_size : kernel_size);
    if (ram->low_size < need)
        return loader_fail(err,
                           "guest RAM (%llu MiB) is too small for this kernel, which needs "
                           "%llu MiB to unpack itself; try -m %lluM",
                           (unsigned long long)(ram->size >> 20),
                           (unsigned long long)((need + (1 << 20) - 1) >> 20),
                           (unsigned long long)(((need + (1 << 20) - 1) >> 20) + 64));

    uint8_t *zp = ram_ptr(ram, LAYOUT_ZERO_PAGE, X86_PAGE_SIZE);
    memset(zp, 0, X86_PAGE_SIZE);
    /* Only the setup header: it ends at 0x202 + the jump's offset byte (copying the whole
     * first sector breaks Linux 6.1.88 and later). */
    size_t hdr_end = HDR_MAGIC + d[HDR_JUMP + 1];
    memcpy(zp + HDR_START, d + HDR_START, hdr_end - HDR_START);
    zp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNKNOWN;
    zp[HDR_LOADFLAGS] |= LOADFLAG_CAN_USE_HEAP;
    le_put(zp + HDR_VID_MODE, VID_MODE_NORMAL, 2);
    le_put(zp + HDR_HEAP_END_PTR, HEAP_END, 2);

    const char *cmdline = opt->cmdline ? opt->cmdline : "";
    uint32_t cmdline_max = le_get(d + HDR_CMDLINE_SIZE, 4);
    size_t cmdline_len = strlen(cmdline);
    if (cmdline_len > cmdline_max || cmdline_len >= LAYOUT_LINUX_CMDLINE_MAX)
        return loader_fail(err, "command line is %zu bytes; this kernel takes at most %u",
                           cmdline_len, cmdline_max);
    ram_write(ram, LAYOUT_LINUX_CMDLINE, cmdline, cmdline_len + 1);
    le_put(zp + HDR_CMD_LINE_PTR, LAYOUT_LINUX_CMDLINE, 4);

    memcpy(ram_ptr(ram, KERNEL_LOAD_ADDR, kernel_size), d + kernel_off, kernel_size);

    if (opt->initrd) {
        uint64_t addr, size;
        uint64_t max = (uint64_t)le_get(d + HDR_INITRD_ADDR_MAX, 4) + 1;
        if (initrd_load(ram, opt->initrd, max, need, &addr, &size, err) < 0)
            return -1;
        le_put(zp + HDR_RAMDISK_IMAGE, addr, 4);
        le_put(zp + HDR_RAMDISK_SIZE, size, 4);
    }
    bzimage_write_e820(ram, zp);

    boot->linux_guest = true;
    boot->rsi = LAYOUT_ZERO_PAGE;
    if (entry64) {
        /* x86-64: the kernel is linked at __START_KERNEL_map + the address it prefers; a
         * KASLR slide is a multiple of its alignment (protocol 2.10+, as every 64-bit one). */
        boot->linux_text_link = LINUX_START_KERNEL_MAP + le_get(d + HDR_PREF_ADDRESS, 8);
        boot->linux_slide_align = le_get(d + HDR_KERNEL_ALIGNMENT, 4);
        boot->mode = CPU_MODE_LONG64;
        boot->rip = KERNEL_LOAD_ADDR + ENTRY_64_OFFSET;
    } else {
        boot->mode = CPU_MODE_PROT32;
        boot->rip = KERNEL_LOAD_ADDR;
    }
    return 0;
}
