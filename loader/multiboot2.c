/* loader/multiboot2.c — multiboot2 (the header GRUB 2 kernels carry): the header and its tags,
 * loading as an ELF (32- or 64-bit) or by the address tag, and the boot information.
 *
 * The guest is entered as GRUB 2 enters it on a BIOS machine: 32-bit protected mode, flat
 * segments, paging off, EAX = 0x36D76289, EBX = the physical address of the boot information
 * (8-byte aligned: total_size, reserved, then tags). An ELF64 kernel is entered the same way and
 * switches to long mode itself. A header tag marked required that kvmstub cannot honour (an
 * information request for a tag it does not give, a framebuffer, EFI boot services, a tag it
 * does not know) refuses the image; optional ones are ignored, as the specification allows.
 */
#include "loader/multiboot.h"

#include <elf.h>
#include <string.h>

#include "base/layout.h"
#include "loader/e820.h"
#include "loader/elf.h"

#define MB2_HEADER_MAGIC     0xE85250D6u
#define MB2_BOOTLOADER_MAGIC 0x36D76289u
#define MB2_SEARCH_LIMIT     32768
#define MB2_ALIGN            8
#define MB2_ARCH_I386        0
#define MB2_HEADER_FIXED     16 /* magic, architecture, header_length, checksum */
#define MB2_TAG_HEADER       8  /* type (16 bits), flags (16 bits), size (32 bits) */
#define MB2_TAG_OPTIONAL     1u /* header tag flag: the kernel boots without it */
#define MB2_CONSOLE_REQUIRED 1u /* console flags tag: the kernel needs a console */
#define MB2_LOADER_NAME      "kvmstub"
#define MB2_MMAP_ENTRY_SIZE  24
#define MB2_NO_LOAD_ADDR     0xFFFFFFFFu /* address tag: load from the start of the file */

/* Header tags (multiboot2 specification 1.0, section 3.1). */
enum mb2_header_tag {
    MB2_HT_END = 0,
    MB2_HT_INFO_REQUEST = 1,
    MB2_HT_ADDRESS = 2,
    MB2_HT_ENTRY = 3,
    MB2_HT_CONSOLE_FLAGS = 4,
    MB2_HT_FRAMEBUFFER = 5,
    MB2_HT_MODULE_ALIGN = 6,
    MB2_HT_EFI_BS = 7,
    MB2_HT_ENTRY_EFI32 = 8,
    MB2_HT_ENTRY_EFI64 = 9,
    MB2_HT_RELOCATABLE = 10,
};

/* Boot information tags (section 3.6); kvmstub gives the first group. */
enum mb2_info_tag {
    MB2_IT_END = 0,
    MB2_IT_CMDLINE = 1,
    MB2_IT_LOADER_NAME = 2,
    MB2_IT_MODULE = 3, /* one per module: kvmstub loads none, so there are none */
    MB2_IT_BASIC_MEMINFO = 4,
    MB2_IT_MMAP = 6,
    MB2_IT_LOAD_BASE_ADDR = 21,
};

static const char *const mb2_info_names[] = {
    [0] = "end",
    [1] = "command line",
    [2] = "boot loader name",
    [3] = "modules",
    [4] = "basic memory information",
    [5] = "BIOS boot device",
    [6] = "memory map",
    [7] = "VBE information",
    [8] = "framebuffer",
    [9] = "ELF sections",
    [10] = "APM table",
    [11] = "EFI 32-bit system table",
    [12] = "EFI 64-bit system table",
    [13] = "SMBIOS tables",
    [14] = "ACPI 1.0 RSDP",
    [15] = "ACPI 2.0 RSDP",
    [16] = "network information",
    [17] = "EFI memory map",
    [18] = "EFI boot services not terminated",
    [19] = "EFI 32-bit image handle",
    [20] = "EFI 64-bit image handle",
    [21] = "image load base address",
};

static const char *mb2_info_name(uint32_t type)
{
    return type < sizeof(mb2_info_names) / sizeof(mb2_info_names[0]) ? mb2_info_names[type]
                                                                     : "unknown";
}

static bool mb2_info_given(uint32_t type)
{
    return type == MB2_IT_END || type == MB2_IT_CMDLINE || type == MB2_IT_LOADER_NAME ||
           type == MB2_IT_MODULE || type == MB2_IT_BASIC_MEMINFO || type == MB2_IT_MMAP ||
           type == MB2_IT_LOAD_BASE_ADDR;
}

/* What the header asks for. */
struct mb2_header {
    size_t offset; /* of the header in the file */
    bool has_address, has_entry, has_efi_entry, relocatable;
    struct multiboot_fields fields; /* address and entry tags */
    uint32_t reloc_min, reloc_max;
};

const uint8_t *multiboot2_find_header(const struct image *img)
{
    size_t limit = img->size < MB2_SEARCH_LIMIT ? img->size : MB2_SEARCH_LIMIT;
    for (size_t off = 0; off + MB2_HEADER_FIXED <= limit; off += MB2_ALIGN) {
        const uint8_t *h = img->data + off;
        /* The magic and an architecture field make a header, even a broken one: the loader
         * then says what is wrong with it instead of booting the file as something else. */
        if (le_get(h, 4) == MB2_HEADER_MAGIC && le_get(h + 4, 4) == MB2_ARCH_I386)
            return h;
    }
    return NULL;
}

static int mb2_tag_too_small(uint16_t type, uint32_t size, uint32_t need, struct load_error *err)
{
    return loader_fail(err, "multiboot2 header tag %u is %u bytes, it needs at least %u", type,
                       size, need);
}

/* The information request tag: every tag it asks for must be one kvmstub gives, unless the
 * request is optional. */
static int mb2_info_request(const uint8_t *t, uint32_t size, bool optional, struct load_error *err)
{
    for (uint32_t off = MB2_TAG_HEADER; off + 4 <= size; off += 4) {
        uint32_t type = le_get(t + off, 4);
        if (!optional && !mb2_info_given(type))
            return loader_fail(err,
                               "multiboot2 header requires boot information tag %u (%s), which "
                               "kvmstub does not give",
                               type, mb2_info_name(type));
    }
    return 0;
}

/* One header tag of type, flags and size at t (size checked against the header's end). */
static int mb2_header_tag(const uint8_t *t, uint16_t type, uint16_t flags, uint32_t size,
                          struct mb2_header *mh, struct load_error *err)
{
    bool optional = flags & MB2_TAG_OPTIONAL;
    static const uint32_t min_size[] = {
        [MB2_HT_END] = 8,          [MB2_HT_INFO_REQUEST] = 8,   [MB2_HT_ADDRESS] = 24,
        [MB2_HT_ENTRY] = 12,       [MB2_HT_CONSOLE_FLAGS] = 12, [MB2_HT_FRAMEBUFFER] = 20,
        [MB2_HT_MODULE_ALIGN] = 8, [MB2_HT_EFI_BS] = 8,         [MB2_HT_ENTRY_EFI32] = 12,
        [MB2_HT_ENTRY_EFI64] = 12, [MB2_HT_RELOCATABLE] = 24,
    };
    if (type < sizeof(min_size) / sizeof(min_size[0]) && size < min_size[type])
        return mb2_tag_too_small(type, size, min_size[type], err);
    switch (type) {
    case MB2_HT_INFO_REQUEST: return mb2_info_request(t, size, optional, err);
    case MB2_HT_ADDRESS:
        mh->has_address = true;
        mh->fields.header_addr = le_get(t + 8, 4);
        mh->fields.load_addr = le_get(t + 12, 4);
        mh->fields.load_end_addr = le_get(t + 16, 4);
        mh->fields.bss_end_addr = le_get(t + 20, 4);
        return 0;
    case MB2_HT_ENTRY:
        mh->has_entry = true;
        mh->fields.entry_addr = le_get(t + 8, 4);
        return 0;
    case MB2_HT_CONSOLE_FLAGS:
        if (le_get(t + 8, 4) & MB2_CONSOLE_REQUIRED)
            return loader_fail(err, "multiboot2 header requires a console (EGA text or a "
                                    "framebuffer); kvmstub's console is the serial port");
        return 0;
    case MB2_HT_FRAMEBUFFER:
        if (!optional)
            return loader_fail(err, "multiboot2 header requires a framebuffer, which kvmstub "
                                    "does not have (mark the tag optional to boot without one)");
        return 0;
    case MB2_HT_MODULE_ALIGN: return 0; /* kvmstub loads no modules */
    case MB2_HT_EFI_BS:
        if (!optional)
            return loader_fail(err, "multiboot2 header requires EFI boot services; kvmstub "
                                    "boots as a BIOS loader does");
        return 0;
    case MB2_HT_ENTRY_EFI32:
    case MB2_HT_ENTRY_EFI64: mh->has_efi_entry = true; return 0;
    case MB2_HT_RELOCATABLE:
        mh->relocatable = true;
        mh->reloc_min = le_get(t + 8, 4);
        mh->reloc_max = le_get(t + 12, 4);
        return 0;
    default:
        if (!optional)
            return loader_fail(err,
                               "multiboot2 header tag %u is required (not optional) and kvmstub "
                               "does not know it",
                               type);
        return 0;
    }
}

static int mb2_parse_header(const struct image *img, const uint8_t *h, struct mb2_header *mh,
                            struct load_error *err)
{
    memset(mh, 0, sizeof(*mh));
    mh->offset = h - img->data;
    uint32_t length = le_get(h + 8, 4);
    uint32_t sum = MB2_HEADER_MAGIC + MB2_ARCH_I386 + length + (uint32_t)le_get(h + 12, 4);
    if (sum != 0)
        return loader_fail(err,
                           "multiboot2 header at offset 0x%zx: bad checksum (magic, architecture, "
                           "header_length and checksum add up to 0x%x, not 0)",
                           mh->offset, sum);
    if (length < MB2_HEADER_FIXED + MB2_TAG_HEADER || length > img->size - mh->offset)
        return loader_fail(err,
                           "truncated multiboot2 header: header_length %u, and %zu bytes of the "
                           "file from the header on",
                           length, img->size - mh->offset);
    for (uint32_t off = MB2_HEADER_FIXED; off + MB2_TAG_HEADER <= length;) {
        const uint8_t *t = h + off;
        uint16_t type = le_get(t, 2), flags = le_get(t + 2, 2);
        uint32_t size = le_get(t + 4, 4);
        if (size < MB2_TAG_HEADER || size > length - off)
            return loader_fail(err,
                               "truncated multiboot2 header: tag %u at offset %u is %u bytes, "
                               "past header_length %u",
                               type, off, size, length);
        if (type == MB2_HT_END)
            return 0;
        if (mb2_header_tag(t, type, flags, size, mh, err) < 0)
            return -1;
        off += (size + MB2_ALIGN - 1) & ~(uint32_t)(MB2_ALIGN - 1);
    }
    return loader_fail(err, "truncated multiboot2 header: no end tag within its %u bytes", length);
}

/* The lowest physical address the ELF occupies (the load base address tag). */
static uint64_t mb2_elf_base(const struct elf_file *ef)
{
    uint64_t base = UINT64_MAX;
    for (unsigned i = 0; i < ef->phnum; i++) {
        struct elf_segment s;
        elf_segment_get(ef, i, &s);
        if (s.type == PT_LOAD && s.memsz && s.paddr < base)
            base = s.paddr;
    }
    return base;
}

/* An ELF, by its program headers; the entry address tag, if any, overrides the ELF's. */
static int mb2_load_elf(const struct image *img, const struct mb2_header *mh, struct guest_ram *ram,
                        uint64_t *entry, uint64_t *base, struct boot_state *boot,
                        struct load_error *err)
{
    struct elf_file ef;
    if (elf_parse(img, &ef, err) < 0 || elf_load_segments(&ef, ram, entry, boot, err) < 0)
        return -1;
    *base = mb2_elf_base(&ef);
    if (!mh->has_entry)
        return 0;
    *entry = mh->fields.entry_addr;
    if (!elf_paddr_loaded(&ef, *entry))
        return loader_fail(err, "multiboot2 entry 0x%llx is outside every loaded segment",
                           (unsigned long long)*entry);
    return 0;
}

/* Load the file and find its entry and base: by the address tag, or as an ELF. */
static int mb2_load_image(const struct image *img, struct mb2_header *mh, struct guest_ram *ram,
                          uint64_t *entry, uint64_t *base, struct boot_state *boot,
                          struct load_error *err)
{
    bool is_elf = img->size >= SELFMAG && memcmp(img->data, ELFMAG, SELFMAG) == 0;
    if (!mh->has_entry && (mh->has_address || !is_elf) && mh->has_efi_entry)
        return loader_fail(err, "multiboot2 header has only EFI entry points; kvmstub boots as "
                                "a BIOS loader does and needs an entry address tag");
    if (mh->has_address) {
        if (!mh->has_entry)
            return loader_fail(err, "multiboot2 header has an address tag but no entry "
                                    "address tag");
        struct multiboot_fields *f = &mh->fields;
        if (f->load_addr == MB2_NO_LOAD_ADDR) {
            if (f->header_addr < mh->offset)
                return loader_fail(err,
                                   "multiboot2 address tag: header_addr 0x%x is below the "
                                   "header's offset in the file",
                                   f->header_addr);
            f->load_addr = f->header_addr - mh->offset;
        }
        if (multiboot_load_fields(img, mh->offset, f, ram, err) < 0)
            return -1;
        *entry = f->entry_addr;
        *base = f->load_addr;
    } else if (!is_elf) {
        return loader_fail(err, "multiboot2 image is not ELF and has no address tag");
    } else if (mb2_load_elf(img, mh, ram, entry, base, boot, err) < 0) {
        return -1;
    }
    if (mh->relocatable && (*base < mh->reloc_min || *base > mh->reloc_max))
        return loader_fail(err,
                           "multiboot2 relocatable image linked at 0x%llx, outside the range "
                           "0x%x-0x%x it may be loaded in (kvmstub loads it where it was "
                           "linked)",
                           (unsigned long long)*base, mh->reloc_min, mh->reloc_max);
    return 0;
}

/* The boot information, written tag by tag. */
struct mb2_info {
    uint8_t *buf;
    size_t len, cap;
};

/* Start a tag of type and size (the caller fills what follows its 8-byte header); NULL when it
 * does not fit. */
static uint8_t *mb2_info_tag(struct mb2_info *w, uint32_t type, size_t size)
{
    size_t at = (w->len + MB2_ALIGN - 1) & ~(size_t)(MB2_ALIGN - 1);
    if (at > w->cap || size > w->cap - at)
        return NULL;
    memset(w->buf + w->len, 0, at + size - w->len);
    uint8_t *t = w->buf + at;
    le_put(t, type, 4);
    le_put(t + 4, size, 4);
    w->len = at + size;
    return t;
}

static bool mb2_info_string(struct mb2_info *w, uint32_t type, const char *text)
{
    size_t n = strlen(text) + 1;
    uint8_t *t = mb2_info_tag(w, type, MB2_TAG_HEADER + n);
    if (t)
        memcpy(t + MB2_TAG_HEADER, text, n);
    return t != NULL;
}

static int mb2_write_info(struct guest_ram *ram, const struct load_options *opt, uint64_t base,
                          struct load_error *err)
{
    /* GRUB 2 passes the arguments only, not the kernel's path (multiboot v1 passes both). */
    const char *cmdline = opt->cmdline ? opt->cmdline : "";
    if (strlen(cmdline) >= LAYOUT_BOOT_CMDLINE_MAX)
        return loader_fail(err, "command line too long for multiboot2 (max %llu bytes)",
                           LAYOUT_BOOT_CMDLINE_MAX - 1);
    struct mb2_info w = {ram_ptr(ram, LAYOUT_BOOT_INFO, LAYOUT_BOOT_INFO_MAX), MB2_TAG_HEADER,
                         LAYOUT_BOOT_INFO_MAX};
    if (!w.buf)
        return loader_fail(err, "guest RAM is too small for the multiboot2 information");
    uint32_t lower_kib, upper_kib;
    multiboot_memory(ram, &lower_kib, &upper_kib);
    struct e820_entry map[E820_MAX_ENTRIES];
    int n = e820_build(ram, map);

    bool ok = mb2_info_string(&w, MB2_IT_CMDLINE, cmdline) &&
              mb2_info_string(&w, MB2_IT_LOADER_NAME, MB2_LOADER_NAME);
    uint8_t *t = ok ? mb2_info_tag(&w, MB2_IT_BASIC_MEMINFO, 16) : NULL;
    if (t) {
        le_put(t + 8, lower_kib, 4);
        le_put(t + 12, upper_kib, 4);
        t = mb2_info_tag(&w, MB2_IT_MMAP, 16 + (size_t)MB2_MMAP_ENTRY_SIZE * n);
    }
    if (t) {
        le_put(t + 8, MB2_MMAP_ENTRY_SIZE, 4);
        le_put(t + 12, 0, 4); /* entry_version */
        for (int i = 0; i < n; i++) {
            uint8_t *e = t + 16 + MB2_MMAP_ENTRY_SIZE * i;
            le_put(e, map[i].addr, 8);
            le_put(e + 8, map[i].size, 8);
            le_put(e + 16, map[i].type, 4); /* e820 and multiboot2 types agree: 1 RAM, 2 not */
            le_put(e + 20, 0, 4);
        }
        t = mb2_info_tag(&w, MB2_IT_LOAD_BASE_ADDR, 12);
    }
    if (t) {
        le_put(t + 8, base, 4);
        t = mb2_info_tag(&w, MB2_IT_END, MB2_TAG_HEADER);
    }
    if (!t)
        return loader_fail(err, "the multiboot2 information does not fit in %llu bytes",
                           LAYOUT_BOOT_INFO_MAX);
    le_put(w.buf, w.len, 4); /* total_size */
    le_put(w.buf + 4, 0, 4); /* reserved */
    return 0;
}

int multiboot2_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                    struct boot_state *boot, struct load_error *err)
{
    const uint8_t *h = multiboot2_find_header(img);
    if (!h)
        return loader_fail(err, "no multiboot2 header in the first %d bytes", MB2_SEARCH_LIMIT);
    struct mb2_header mh;
    uint64_t entry = 0, base = 0;
    if (mb2_parse_header(img, h, &mh, err) < 0 ||
        mb2_load_image(img, &mh, ram, &entry, &base, boot, err) < 0 ||
        multiboot_check_entry(entry, err) < 0 || mb2_write_info(ram, opt, base, err) < 0)
        return -1;
    multiboot_enter(boot, entry, MB2_BOOTLOADER_MAGIC, LAYOUT_BOOT_INFO);
    return 0;
}
