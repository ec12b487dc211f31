/* loader/pvh.c — an uncompressed ELF vmlinux entered through its PVH note
 * (XEN_ELFNOTE_PHYS32_ENTRY), as Firecracker and cloud-hypervisor boot Linux: no
 * decompression, and gdb debugs the very file kvmstub booted.
 *
 * The PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h): 32-bit protected mode,
 * flat segments, paging off, EBX = the physical address of a struct hvm_start_info that
 * holds the command line, the memory map and the initrd as the first module.
 */
#include "loader/loader_internal.h"

#include <elf.h>
#include <string.h>

#include "base/layout.h"
#include "loader/e820.h"
#include "loader/elf.h"

#define XEN_NOTE_NAME            "Xen"
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC          0x336ec578
#define HVM_START_VERSION        1

struct hvm_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

struct hvm_memmap_table_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

/* Where the pieces go, inside kvmstub's reserved area. */
#define PVH_START_INFO LAYOUT_BOOT_INFO
#define PVH_MODLIST    (LAYOUT_BOOT_INFO + 0x100)
#define PVH_MEMMAP     LAYOUT_BOOT_MMAP

bool pvh_find_entry(const struct elf_file *ef, uint32_t *entry)
{
    const uint8_t *desc;
    uint32_t len;
    if (!elf_find_note(ef, XEN_NOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, &desc, &len) || len < 4)
        return false;
    memcpy(entry, desc, 4);
    return true;
}

/* The end of the highest loaded segment: the initrd goes above it. */
static uint64_t pvh_image_end(const struct elf_file *ef)
{
    uint64_t end = 0;
    for (unsigned i = 0; i < ef->phnum; i++) {
        struct elf_segment s;
        elf_segment_get(ef, i, &s);
        if (s.type == PT_LOAD && s.paddr + s.memsz > end)
            end = s.paddr + s.memsz;
    }
    return end;
}

int pvh_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
             struct boot_state *boot, struct load_error *err)
{
    struct elf_file ef;
    uint32_t entry;
    if (elf_parse(img, &ef, err) < 0)
        return -1;
    if (!pvh_find_entry(&ef, &entry))
        return loader_fail(err, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) in this vmlinux");
    /* The ELF entry of a vmlinux is the 64-bit entry's physical address: not ours to use. */
    if (elf_load_segments(&ef, ram, NULL, boot, err) < 0)
        return -1;
    if (!elf_paddr_loaded(&ef, entry))
        return loader_fail(err, "PVH entry 0x%x is outside every loaded segment", entry);

    struct hvm_start_info info = {.magic = HVM_START_MAGIC, .version = HVM_START_VERSION};
    const char *cmdline = opt->cmdline ? opt->cmdline : "";
    if (strlen(cmdline) >= LAYOUT_BOOT_CMDLINE_MAX)
        return loader_fail(err, "command line too long for PVH (max %llu bytes)",
                           LAYOUT_BOOT_CMDLINE_MAX - 1);
    ram_write(ram, LAYOUT_BOOT_CMDLINE, cmdline, strlen(cmdline) + 1);
    info.cmdline_paddr = LAYOUT_BOOT_CMDLINE;

    struct e820_entry map[E820_MAX_ENTRIES];
    int n = e820_build(ram, map);
    for (int i = 0; i < n; i++) {
        struct hvm_memmap_table_entry e = {map[i].addr, map[i].size, map[i].type, 0};
        ram_write(ram, PVH_MEMMAP + i * sizeof(e), &e, sizeof(e));
    }
    info.memmap_paddr = PVH_MEMMAP;
    info.memmap_entries = n;

    if (opt->initrd) {
        struct hvm_modlist_entry mod = {0};
        if (initrd_load(ram, opt->initrd, LAYOUT_LOW_RAM_MAX, pvh_image_end(&ef), &mod.paddr,
                        &mod.size, err) < 0)
            return -1;
        ram_write(ram, PVH_MODLIST, &mod, sizeof(mod));
        info.nr_modules = 1;
        info.modlist_paddr = PVH_MODLIST;
    }
    ram_write(ram, PVH_START_INFO, &info, sizeof(info));

    boot->mode = CPU_MODE_PROT32;
    boot->rip = entry;
    boot->rbx = PVH_START_INFO;
    boot->linux_guest = true;
    return 0;
}
