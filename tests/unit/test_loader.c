/* tests/unit/test_loader.c — image detection and the raw, ELF, multiboot and multiboot2 loaders
 * over crafted good and bad files; the e820 map; the Linux command line policy. */
#include <elf.h>

#include "base/layout.h"
#include "check.h"
#include "loader/e820.h"
#include "loader/linux_cmdline.h"
#include "loader/loader.h"

#define RAM_SIZE (8 << 20)
static uint8_t ram_buf[RAM_SIZE];
static uint8_t file[64 * 1024];

struct seg {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Fill `file` with an ELF header and program headers of one class. */
#define FILL_ELF(Ehdr, Phdr, class)                                                                \
    do {                                                                                           \
        Ehdr *h = (Ehdr *)file;                                                                    \
        memcpy(h->e_ident, ELFMAG, SELFMAG);                                                       \
        h->e_ident[EI_CLASS] = (class);                                                            \
        h->e_ident[EI_DATA] = ELFDATA2LSB;                                                         \
        h->e_ident[EI_VERSION] = EV_CURRENT;                                                       \
        h->e_type = ET_EXEC;                                                                       \
        h->e_machine = machine;                                                                    \
        h->e_entry = entry;                                                                        \
        h->e_phoff = sizeof(*h);                                                                   \
        h->e_ehsize = sizeof(*h);                                                                  \
        h->e_phentsize = sizeof(Phdr);                                                             \
        h->e_phnum = nsegs;                                                                        \
        Phdr *p = (Phdr *)(file + sizeof(*h));                                                     \
        for (int i = 0; i < nsegs; i++)                                                            \
            p[i] = (Phdr){.p_type = segs[i].type,                                                  \
                          .p_offset = segs[i].offset,                                              \
                          .p_vaddr = segs[i].vaddr,                                                \
                          .p_paddr = segs[i].paddr,                                                \
                          .p_filesz = segs[i].filesz,                                              \
                          .p_memsz = segs[i].memsz};                                               \
    } while (0)

/* Build an ELF executable in `file`: returns its size. */
static size_t make_elf(bool is64, uint16_t machine, uint64_t entry, const struct seg *segs,
                       int nsegs)
{
    memset(file, 0, sizeof(file));
    if (is64)
        FILL_ELF(Elf64_Ehdr, Elf64_Phdr, ELFCLASS64);
    else
        FILL_ELF(Elf32_Ehdr, Elf32_Phdr, ELFCLASS32);
    return 0x2000;
}

static int load(size_t size, struct boot_state *boot, struct load_error *err, const char *cmdline)
{
    struct image img = {.path = "test.img", .data = file, .size = size};
    struct guest_ram ram;
    memset(ram_buf, 0xAA, sizeof(ram_buf));
    ram_init(&ram, ram_buf, RAM_SIZE);
    struct load_options opt = {.cmdline = cmdline};
    err->msg[0] = 0;
    if (image_detect(&img, err) < 0)
        return -1;
    return loader_load(&img, &ram, &opt, boot, err);
}

static bool err_has(const struct load_error *err, const char *text)
{
    bool ok = strstr(err->msg, text) != NULL;
    if (!ok)
        printf("  error message was: \"%s\", wanted \"%s\"\n", err->msg, text);
    return ok;
}

static void elf64_loads_by_physical_address_and_zeroes_bss(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0xffffffff80100000ULL, 0x100000, 0x10, 0x1000};
    size_t size = make_elf(true, EM_X86_64, 0xffffffff80100004ULL, &s, 1);
    memcpy(file + 0x1000, "0123456789abcdef", 16);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK(memcmp(ram_buf + 0x100000, "0123456789abcdef", 16) == 0);
    CHECK_EQ(ram_buf[0x100010], 0);
    CHECK_EQ(ram_buf[0x100fff], 0);
    CHECK_EQ(ram_buf[0x101000], 0xAA);
    CHECK_EQ(boot.mode, CPU_MODE_LONG64);
    CHECK_EQ(boot.rip, 0x100004); /* the entry, translated to its physical address */
    /* the link map a debugger translates the not-yet-mapped addresses with */
    CHECK_EQ(boot.nlink, 1);
    CHECK_EQ(boot.link[0].vaddr, 0xffffffff80100000ULL);
    CHECK_EQ(boot.link[0].paddr, 0x100000);
    CHECK_EQ(boot.link[0].size, 0x1000);
}

static void link_map_holds_only_segments_linked_above_their_load_address(void)
{
    struct seg s[3] = {{PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x1000},
                       {PT_LOAD, 0x1000, 0x0, 0x200000, 0x10, 0x1000}, /* Linux's per-CPU */
                       {PT_LOAD, 0x1000, 0xc0300000, 0x300000, 0x10, 0x2000}};
    size_t size = make_elf(true, EM_X86_64, 0x100000, s, 3);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK_EQ(boot.nlink, 1);
    CHECK_EQ(boot.link[0].vaddr, 0xc0300000);
    CHECK_EQ(boot.link[0].paddr, 0x300000);
    CHECK_EQ(boot.link[0].size, 0x2000);
}

static void elf32_enters_protected_mode(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0x200000, 0x200000, 0x20, 0x20};
    size_t size = make_elf(false, EM_386, 0x200000, &s, 1);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK_EQ(boot.mode, CPU_MODE_PROT32);
    CHECK_EQ(boot.rip, 0x200000);
}

static void bad_elves_are_rejected_with_a_reason(void)
{
    struct boot_state boot;
    struct load_error err;
    struct seg ok = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x10, 0x10};

    size_t size = make_elf(true, EM_X86_64, 0x100000, &ok, 1);
    CHECK_EQ(load(40, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "truncated ELF header"));

    make_elf(true, EM_X86_64, 0x100000, &ok, 1);
    CHECK_EQ(load(0x800, &boot, &err, NULL), -1); /* segment data past the end */
    CHECK(err_has(&err, "truncated ELF: segment 0"));

    make_elf(true, EM_AARCH64, 0x100000, &ok, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "unsupported ELF machine"));

    make_elf(false, EM_X86_64, 0x100000, &ok, 1); /* a 32-bit ELF must be i386 */
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "want i386"));

    make_elf(true, EM_X86_64, 0x100000, &ok, 1);
    file[EI_CLASS] = 7;
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "unsupported ELF class 7"));

    make_elf(true, EM_X86_64, 0x100000, &ok, 1);
    ((Elf64_Ehdr *)file)->e_type = ET_DYN;
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "not an executable"));

    make_elf(true, EM_X86_64, 0x100000, &ok, 1);
    ((Elf64_Ehdr *)file)->e_phnum = 0xFFFF;
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "program headers end past the file"));

    struct seg big = {PT_LOAD, 0x1000, 0x100000, 0x7ff000, 0x10, 0x2000};
    make_elf(true, EM_X86_64, 0x7ff000, &big, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "outside guest RAM"));

    struct seg wrap = {PT_LOAD, 0x1000, 0, 0xfffffffffffff000ULL, 0x10, 0x2000};
    make_elf(true, EM_X86_64, 0, &wrap, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "outside guest RAM"));

    struct seg low = {PT_LOAD, 0x1000, 0x8000, 0x8000, 0x10, 0x10};
    make_elf(true, EM_X86_64, 0x8000, &low, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "reserved area"));

    make_elf(true, EM_X86_64, 0x500000, &ok, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "entry point 0x500000 is outside every loaded segment"));

    struct seg note = {PT_NOTE, 0x1000, 0, 0, 0x10, 0x10};
    make_elf(true, EM_X86_64, 0x100000, &note, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "no loadable"));

    struct seg inverted = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x20, 0x10};
    make_elf(true, EM_X86_64, 0x100000, &inverted, 1);
    CHECK_EQ(load(size, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "exceeds memory size"));
}

static void empty_file_is_rejected(void)
{
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(0, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "empty"));
}

static void raw_image_runs_in_real_mode(void)
{
    memset(file, 0, sizeof(file));
    memcpy(file, "\xfa\xf4", 2);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(2, &boot, &err, NULL), 0);
    CHECK_EQ(boot.mode, CPU_MODE_REAL);
    CHECK_EQ(boot.real_cs, 0);
    CHECK_EQ(boot.rip, 0);
    CHECK(memcmp(ram_buf, "\xfa\xf4", 2) == 0);
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void put_multiboot_header(size_t at, uint32_t flags)
{
    uint32_t h[3] = {0x1BADB002, flags, -(0x1BADB002 + flags)};
    memcpy(file + at, h, sizeof(h));
}

static void multiboot_elf_gets_magic_and_info(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100};
    size_t size = make_elf(false, EM_386, 0x10000c, &s, 1);
    put_multiboot_header(0x1000, 0x3);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(size, &boot, &err, "console=x"), 0);
    CHECK_EQ(boot.mode, CPU_MODE_PROT32);
    CHECK_EQ(boot.rax, 0x2BADB002);
    CHECK_EQ(boot.rbx, LAYOUT_BOOT_INFO);
    CHECK_EQ(boot.rip, 0x10000c);
    const uint8_t *info = ram_buf + LAYOUT_BOOT_INFO;
    CHECK_EQ(rd32(info) & 0x45, 0x45);                      /* memory, cmdline, mmap */
    CHECK_EQ(rd32(info + 4), 639);                          /* mem_lower in KiB */
    CHECK_EQ(rd32(info + 8), (RAM_SIZE - 0x100000) / 1024); /* mem_upper */
    CHECK_STR((const char *)ram_buf + rd32(info + 16), "test.img console=x");
    uint32_t mmap_len = rd32(info + 44), mmap_addr = rd32(info + 48);
    CHECK_EQ(mmap_len, 3 * 24);
    const uint8_t *e = ram_buf + mmap_addr;
    uint64_t base, len;
    memcpy(&base, e + 24 * 2 + 4, 8);
    memcpy(&len, e + 24 * 2 + 12, 8);
    CHECK_EQ(base, 0x100000);
    CHECK_EQ(len, RAM_SIZE - 0x100000);
    CHECK_EQ(rd32(e + 24 * 2 + 20), 1);
}

static void multiboot_aout_kludge(void)
{
    memset(file, 0, sizeof(file));
    /* header at offset 0x40 claims header_addr 0x200040: the file loads at 0x200000 */
    put_multiboot_header(0x40, 0x10003);
    uint32_t fields[5] = {0x200040, 0x200000, 0x200100, 0x201000, 0x200080};
    memcpy(file + 0x4c, fields, sizeof(fields));
    memcpy(file + 0x80, "\xf4", 1);
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(0x100, &boot, &err, NULL), 0);
    CHECK_EQ(boot.rip, 0x200080);
    CHECK_EQ(ram_buf[0x200080], 0xf4);
    CHECK_EQ(ram_buf[0x200fff], 0); /* bss */

    fields[4] = 0x300000; /* entry outside */
    memcpy(file + 0x4c, fields, sizeof(fields));
    CHECK_EQ(load(0x100, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "entry 0x300000 is outside"));

    put_multiboot_header(0x40, 0x10003 | 0x8); /* an unknown required feature */
    CHECK_EQ(load(0x100, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "requires features"));
}

static void multiboot_elf64_enters_in_32_bit_mode(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100};
    size_t size = make_elf(true, EM_X86_64, 0x10000c, &s, 1);
    put_multiboot_header(0x1000, 0x3);
    struct image img = {.path = "test.img", .data = file, .size = size};
    struct load_error err;
    CHECK_EQ(image_detect(&img, &err), 0);
    CHECK_EQ(img.kind, IMAGE_MULTIBOOT);
    CHECK(img.code64);
    CHECK_EQ(image_entry_mode(&img), CPU_MODE_PROT32);
    struct boot_state boot;
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK_EQ(boot.mode, CPU_MODE_PROT32);
    CHECK_EQ(boot.rax, 0x2BADB002);
    CHECK_EQ(boot.rip, 0x10000c);
}

/* A multiboot2 header at `at`: the fixed part, then the tags (already 8-byte aligned, with
 * their end tag) of tags_len bytes. */
static void put_mb2_header(size_t at, const uint32_t *tags, size_t tags_len)
{
    uint32_t len = 16 + tags_len;
    uint32_t h[4] = {0xE85250D6, 0, len, -(0xE85250D6u + len)};
    memcpy(file + at, h, sizeof(h));
    memcpy(file + at + 16, tags, tags_len);
}

#define MB2_END_TAG 0, 8

/* The tag of `type` in the multiboot2 boot information at LAYOUT_BOOT_INFO, or NULL. */
static const uint8_t *mb2_info_find(uint32_t type)
{
    const uint8_t *info = ram_buf + LAYOUT_BOOT_INFO;
    uint32_t total = rd32(info);
    for (uint32_t off = 8; off + 8 <= total; off += (rd32(info + off + 4) + 7) & ~7u) {
        if (rd32(info + off) == type)
            return info + off;
        if (rd32(info + off) == 0)
            break;
    }
    return NULL;
}

static void multiboot2_elf_gets_magic_and_boot_information(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x200};
    size_t size = make_elf(false, EM_386, 0x100040, &s, 1);
    /* an information request for the command line, memory map and memory information */
    const uint32_t tags[] = {1, 20, 1, 6, 4, 0, MB2_END_TAG};
    put_mb2_header(0x1000, tags, sizeof(tags));
    struct image img = {.path = "test.img", .data = file, .size = size};
    struct load_error err;
    CHECK_EQ(image_detect(&img, &err), 0);
    CHECK_EQ(img.kind, IMAGE_MULTIBOOT2);
    CHECK(!img.code64);
    struct boot_state boot;
    CHECK_EQ(load(size, &boot, &err, "console=x  two"), 0);
    CHECK_EQ(boot.mode, CPU_MODE_PROT32);
    CHECK_EQ(boot.rax, 0x36D76289);
    CHECK_EQ(boot.rbx, LAYOUT_BOOT_INFO);
    CHECK_EQ(boot.rip, 0x100040);
    const uint8_t *info = ram_buf + LAYOUT_BOOT_INFO;
    CHECK_EQ(rd32(info + 4), 0); /* reserved */
    CHECK_EQ(rd32(info) % 8, 0);
    const uint8_t *t = mb2_info_find(1);
    CHECK(t && strcmp((const char *)t + 8, "console=x  two") == 0); /* exactly the arguments */
    t = mb2_info_find(4);
    CHECK(t && rd32(t + 8) == 639 && rd32(t + 12) == (RAM_SIZE - 0x100000) / 1024);
    t = mb2_info_find(6);
    CHECK(t != NULL);
    if (t) {
        CHECK_EQ(rd32(t + 4), 16 + 3 * 24);
        CHECK_EQ(rd32(t + 8), 24); /* entry_size */
        uint64_t base, len;
        memcpy(&base, t + 16 + 2 * 24, 8);
        memcpy(&len, t + 16 + 2 * 24 + 8, 8);
        CHECK_EQ(base, 0x100000);
        CHECK_EQ(len, RAM_SIZE - 0x100000);
        CHECK_EQ(rd32(t + 16 + 2 * 24 + 16), 1);
    }
    t = mb2_info_find(2);
    CHECK(t && strcmp((const char *)t + 8, "kvmstub") == 0);
    t = mb2_info_find(21);
    CHECK(t && rd32(t + 8) == 0x100000);
    CHECK(mb2_info_find(8) == NULL); /* no framebuffer */
    /* the end tag closes the structure */
    CHECK_EQ(rd32(info + rd32(info) - 8), 0);
    CHECK_EQ(rd32(info + rd32(info) - 4), 8);

    CHECK_EQ(load(size, &boot, &err, NULL), 0); /* no --cmdline: an empty command line */
    t = mb2_info_find(1);
    CHECK(t && strcmp((const char *)t + 8, "") == 0);
}

static void multiboot2_elf64_and_address_tags(void)
{
    struct seg s = {PT_LOAD, 0x1000, 0xffffffff80100000ULL, 0x100000, 0x100, 0x100};
    size_t size = make_elf(true, EM_X86_64, 0xffffffff80100010ULL, &s, 1);
    const uint32_t tags[] = {MB2_END_TAG};
    put_mb2_header(0x1000, tags, sizeof(tags));
    struct image img = {.path = "test.img", .data = file, .size = size};
    struct load_error err;
    CHECK_EQ(image_detect(&img, &err), 0);
    CHECK_EQ(img.kind, IMAGE_MULTIBOOT2);
    CHECK(img.code64);
    CHECK_EQ(image_entry_mode(&img), CPU_MODE_PROT32);
    struct boot_state boot;
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK_EQ(boot.mode, CPU_MODE_PROT32); /* the kernel switches to long mode itself */
    CHECK_EQ(boot.rip, 0x100010);         /* the entry, at its physical address */

    /* an entry address tag overrides the ELF's entry */
    const uint32_t entry_tag[] = {3, 12, 0x100020, 0, MB2_END_TAG};
    put_mb2_header(0x1000, entry_tag, sizeof(entry_tag));
    CHECK_EQ(load(size, &boot, &err, NULL), 0);
    CHECK_EQ(boot.rip, 0x100020);

    /* not ELF: the address tag (load from the file's start) and the entry tag */
    memset(file, 0, sizeof(file));
    const uint32_t addr_tags[] = {2, 24, 0x200040, 0xFFFFFFFF, 0,          0x202000,
                                  3, 12, 0x200080, 0,          MB2_END_TAG};
    put_mb2_header(0x40, addr_tags, sizeof(addr_tags));
    file[0x80] = 0xf4;
    CHECK_EQ(load(0x100, &boot, &err, NULL), 0);
    CHECK_EQ(boot.rip, 0x200080);
    CHECK_EQ(ram_buf[0x200080], 0xf4);
    CHECK_EQ(ram_buf[0x201fff], 0); /* bss */
    CHECK(mb2_info_find(21) && rd32(mb2_info_find(21) + 8) == 0x200000);
}

/* Load a one-segment ELF32 whose multiboot2 header has these tags; -1 expected, with why. */
static bool mb2_refused(const uint32_t *tags, size_t tags_len, const char *why)
{
    struct seg s = {PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100};
    size_t size = make_elf(false, EM_386, 0x100000, &s, 1);
    put_mb2_header(0x1000, tags, tags_len);
    struct boot_state boot;
    struct load_error err;
    return load(size, &boot, &err, NULL) == -1 && err_has(&err, why);
}

static void multiboot2_bad_headers_are_refused(void)
{
    const uint32_t unknown_required[] = {42, 8, MB2_END_TAG};
    CHECK(mb2_refused(unknown_required, sizeof(unknown_required), "tag 42 is required"));
    const uint32_t unknown_optional[] = {42 | 1 << 16, 8, MB2_END_TAG};
    CHECK(!mb2_refused(unknown_optional, sizeof(unknown_optional), ""));
    const uint32_t wants_framebuffer_info[] = {1, 16, 1, 8, MB2_END_TAG};
    CHECK(mb2_refused(wants_framebuffer_info, sizeof(wants_framebuffer_info),
                      "requires boot information tag 8 (framebuffer)"));
    const uint32_t may_have_framebuffer_info[] = {1 | 1 << 16, 16, 1, 8, MB2_END_TAG};
    CHECK(!mb2_refused(may_have_framebuffer_info, sizeof(may_have_framebuffer_info), ""));
    const uint32_t framebuffer[] = {5, 20, 1024, 768, 32, 0, MB2_END_TAG};
    CHECK(mb2_refused(framebuffer, sizeof(framebuffer), "requires a framebuffer"));
    const uint32_t optional_framebuffer[] = {5 | 1 << 16, 20, 1024, 768, 32, 0, MB2_END_TAG};
    CHECK(!mb2_refused(optional_framebuffer, sizeof(optional_framebuffer), ""));
    const uint32_t no_end[] = {6, 8};
    CHECK(mb2_refused(no_end, sizeof(no_end), "no end tag"));
    const uint32_t tag_past_end[] = {6, 64, MB2_END_TAG};
    CHECK(mb2_refused(tag_past_end, sizeof(tag_past_end), "past header_length"));
    const uint32_t short_entry[] = {3, 8, MB2_END_TAG};
    CHECK(mb2_refused(short_entry, sizeof(short_entry), "needs at least 12"));
    const uint32_t entry_outside[] = {3, 12, 0x500000, 0, MB2_END_TAG};
    CHECK(mb2_refused(entry_outside, sizeof(entry_outside), "outside every loaded segment"));

    const uint32_t ok[] = {MB2_END_TAG};
    CHECK(!mb2_refused(ok, sizeof(ok), ""));
    file[0x100c] ^= 1; /* the checksum */
    struct boot_state boot;
    struct load_error err;
    CHECK_EQ(load(0x2000, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "bad checksum"));
    CHECK(!mb2_refused(ok, sizeof(ok), ""));
    CHECK_EQ(load(0x1014, &boot, &err, NULL), -1); /* the file ends inside the header */
    CHECK(err_has(&err, "truncated multiboot2 header"));

    /* not ELF: only EFI entry points, or an address tag without an entry tag */
    memset(file, 0, sizeof(file));
    const uint32_t efi_only[] = {2, 24, 0x200040, 0xFFFFFFFF, 0,          0,
                                 9, 12, 0x200080, 0,          MB2_END_TAG};
    put_mb2_header(0x40, efi_only, sizeof(efi_only));
    CHECK_EQ(load(0x100, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "only EFI entry points"));
    const uint32_t address_only[] = {2, 24, 0x200040, 0xFFFFFFFF, 0, 0, MB2_END_TAG};
    put_mb2_header(0x40, address_only, sizeof(address_only));
    CHECK_EQ(load(0x100, &boot, &err, NULL), -1);
    CHECK(err_has(&err, "no entry address tag"));
}

static void e820_for_small_and_large_ram(void)
{
    struct guest_ram ram;
    struct e820_entry map[E820_MAX_ENTRIES];
    ram_init(&ram, NULL, 256 << 20);
    CHECK_EQ(e820_build(&ram, map), 3);
    CHECK_EQ(map[0].addr, 0);
    CHECK_EQ(map[0].size, 0x9FC00);
    CHECK_EQ(map[1].type, E820_RESERVED);
    CHECK_EQ(map[1].addr + map[1].size, 0x100000);
    CHECK_EQ(map[2].addr + map[2].size, 256 << 20);
    ram_init(&ram, NULL, 6ULL << 30);
    CHECK_EQ(e820_build(&ram, map), 4);
    CHECK_EQ(map[2].addr + map[2].size, LAYOUT_LOW_RAM_MAX);
    CHECK_EQ(map[3].addr, LAYOUT_4G);
    CHECK_EQ(map[3].size, (6ULL << 30) - LAYOUT_LOW_RAM_MAX);
}

static void linux_cmdline_adds_nokaslr_under_gdb(void)
{
    char buf[LINUX_CMDLINE_BUF];
    linux_cmdline_build(buf, sizeof(buf), NULL, false, false);
    CHECK_STR(buf, LINUX_CMDLINE_DEFAULT);
    linux_cmdline_build(buf, sizeof(buf), NULL, true, false);
    CHECK_STR(buf, LINUX_CMDLINE_DEFAULT " nokaslr");
    linux_cmdline_build(buf, sizeof(buf), "console=ttyS0 kaslr", true, false);
    CHECK_STR(buf, "console=ttyS0 kaslr");
    linux_cmdline_build(buf, sizeof(buf), "console=ttyS0 nokaslr", true, false);
    CHECK_STR(buf, "console=ttyS0 nokaslr");
    linux_cmdline_build(buf, sizeof(buf), "", true, false);
    CHECK_STR(buf, "nokaslr");
}

static void linux_cmdline_on_emulating_host(void)
{
    char buf[LINUX_CMDLINE_BUF];
    linux_cmdline_build(buf, sizeof(buf), "console=ttyS0", true, true);
    CHECK_STR(buf, "console=ttyS0 nokaslr " LINUX_CMDLINE_EMULATING_HOST);
    /* the kernel parses clearcpuid= into a 128-byte buffer */
    const char *arg = strstr(LINUX_CMDLINE_EMULATING_HOST, "clearcpuid=") + strlen("clearcpuid=");
    CHECK(strlen(arg) < 128);
    /* what does not fit is refused, never cut: a cut clearcpuid list clears other features */
    char user[LINUX_CMDLINE_BUF];
    memset(user, 'x', sizeof(user) - 40);
    user[sizeof(user) - 40] = '\0';
    CHECK(linux_cmdline_build(buf, sizeof(buf), user, true, false));
    CHECK(!linux_cmdline_build(buf, sizeof(buf), user, true, true));
    memset(user, 'x', sizeof(user) - 1);
    user[sizeof(user) - 1] = '\0';
    CHECK(linux_cmdline_build(buf, sizeof(buf), user, false, false)); /* exactly full */
    CHECK(!linux_cmdline_build(buf, sizeof(buf), user, true, false));
}

int main(void)
{
    RUN(elf64_loads_by_physical_address_and_zeroes_bss);
    RUN(link_map_holds_only_segments_linked_above_their_load_address);
    RUN(elf32_enters_protected_mode);
    RUN(bad_elves_are_rejected_with_a_reason);
    RUN(empty_file_is_rejected);
    RUN(raw_image_runs_in_real_mode);
    RUN(multiboot_elf_gets_magic_and_info);
    RUN(multiboot_aout_kludge);
    RUN(multiboot_elf64_enters_in_32_bit_mode);
    RUN(multiboot2_elf_gets_magic_and_boot_information);
    RUN(multiboot2_elf64_and_address_tags);
    RUN(multiboot2_bad_headers_are_refused);
    RUN(e820_for_small_and_large_ram);
    RUN(linux_cmdline_adds_nokaslr_under_gdb);
    RUN(linux_cmdline_on_emulating_host);
    return CHECK_DONE();
}
