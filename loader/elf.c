/* loader/elf.c — ELF32/ELF64 executables: validation, PT_LOAD by physical address, notes. */
#include "loader/elf.h"

#include <elf.h>
#include <string.h>

#include "base/layout.h"
#include "loader/loader_internal.h"

int elf_parse(const struct image *img, struct elf_file *ef, struct load_error *err)
{
    const uint8_t *d = img->data;
    if (img->size < EI_NIDENT)
        return loader_fail(err, "truncated ELF header (%zu bytes)", img->size);
    if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64)
        return loader_fail(err, "unsupported ELF class %u (want 32- or 64-bit)", d[EI_CLASS]);
    if (d[EI_DATA] != ELFDATA2LSB)
        return loader_fail(err, "ELF is not little-endian");
    ef->img = img;
    ef->is64 = d[EI_CLASS] == ELFCLASS64;
    size_t ehsize = ef->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (img->size < ehsize)
        return loader_fail(err, "truncated ELF header (%zu of %zu bytes)", img->size, ehsize);

    uint16_t type = le_get(d + 16, 2), machine = le_get(d + 18, 2);
    uint16_t want = ef->is64 ? EM_X86_64 : EM_386;
    if (machine != want)
        return loader_fail(err, "unsupported ELF machine %u for ELF%d (want %s)", machine,
                           ef->is64 ? 64 : 32, ef->is64 ? "x86-64" : "i386");
    if (type != ET_EXEC)
        return loader_fail(err, "ELF type %u is not an executable (ET_EXEC)", type);
    if (ef->is64) {
        ef->entry = le_get(d + 24, 8);
        ef->phoff = le_get(d + 32, 8);
        ef->phentsize = le_get(d + 54, 2);
        ef->phnum = le_get(d + 56, 2);
    } else {
        ef->entry = le_get(d + 24, 4);
        ef->phoff = le_get(d + 28, 4);
        ef->phentsize = le_get(d + 42, 2);
        ef->phnum = le_get(d + 44, 2);
    }
    size_t min_phent = ef->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (ef->phnum == 0)
        return loader_fail(err, "ELF has no program headers");
    if (ef->phentsize < min_phent)
        return loader_fail(err, "ELF program header size %u is too small", ef->phentsize);
    if (ef->phoff > img->size || (uint64_t)ef->phnum * ef->phentsize > img->size - ef->phoff)
        return loader_fail(err, "truncated ELF: program headers end past the file (%zu bytes)",
                           img->size);
    return 0;
}

void elf_segment_get(const struct elf_file *ef, unsigned i, struct elf_segment *seg)
{
    const uint8_t *p = ef->img->data + ef->phoff + (uint64_t)i * ef->phentsize;
    seg->type = le_get(p, 4);
    if (ef->is64) {
        seg->offset = le_get(p + 8, 8);
        seg->vaddr = le_get(p + 16, 8);
        seg->paddr = le_get(p + 24, 8);
        seg->filesz = le_get(p + 32, 8);
        seg->memsz = le_get(p + 40, 8);
    } else {
        seg->offset = le_get(p + 4, 4);
        seg->vaddr = le_get(p + 8, 4);
        seg->paddr = le_get(p + 12, 4);
        seg->filesz = le_get(p + 16, 4);
        seg->memsz = le_get(p + 20, 4);
    }
}

static int elf_check_segment(const struct elf_file *ef, unsigned i, const struct elf_segment *s,
                             const struct guest_ram *ram, struct load_error *err)
{
    if (s->filesz > s->memsz)
        return loader_fail(err, "ELF segment %u: file size 0x%llx exceeds memory size 0x%llx", i,
                           (unsigned long long)s->filesz, (unsigned long long)s->memsz);
    if (s->offset > ef->img->size || s->filesz > ef->img->size - s->offset)
        return loader_fail(err,
                           "truncated ELF: segment %u needs bytes up to 0x%llx, file has 0x%zx", i,
                           (unsigned long long)(s->offset + s->filesz), ef->img->size);
    if (!ram_contains(ram, s->paddr, s->memsz))
        return loader_fail(err,
                           "ELF segment %u (0x%llx bytes at 0x%llx) is outside guest RAM "
                           "(%llu MiB); try a larger -m",
                           i, (unsigned long long)s->memsz, (unsigned long long)s->paddr,
                           (unsigned long long)(ram->size >> 20));
    if (loader_overlaps_reserved(s->paddr, s->memsz))
        return loader_fail(err,
                           "ELF segment %u at 0x%llx-0x%llx overlaps kvmstub's reserved area "
                           "0x%llx-0x%llx (link it at 1 MiB or above)",
                           i, (unsigned long long)s->paddr,
                           (unsigned long long)(s->paddr + s->memsz), LAYOUT_RESERVED_START,
                           LAYOUT_RESERVED_END);
    return 0;
}

int elf_load_segments(const struct elf_file *ef, struct guest_ram *ram, uint64_t *entry_phys,
                      struct boot_state *boot, struct load_error *err)
{
    bool entry_found = false;
    unsigned loaded = 0;
    for (unsigned i = 0; i < ef->phnum; i++) {
        struct elf_segment s;
        elf_segment_get(ef, i, &s);
        if (s.type != PT_LOAD || s.memsz == 0)
            continue;
        if (elf_check_segment(ef, i, &s, ram, err) < 0)
            return -1;
        uint8_t *dst = ram_ptr(ram, s.paddr, s.memsz);
        memcpy(dst, ef->img->data + s.offset, s.filesz);
        memset(dst + s.filesz, 0, s.memsz - s.filesz);
        loaded++;
        /* Linked above where it is loaded: a higher-half kernel (not Linux's per-CPU segment,
         * linked at 0 as an offset). */
        if (s.vaddr > s.paddr && boot->nlink < BOOT_LINK_SEGMENTS)
            boot->link[boot->nlink++] =
                (struct link_segment){.vaddr = s.vaddr, .paddr = s.paddr, .size = s.memsz};
        /* The entry is virtual, like the segments' p_vaddr. */
        if (entry_phys && !entry_found && ef->entry >= s.vaddr && ef->entry - s.vaddr < s.memsz) {
            *entry_phys = s.paddr + (ef->entry - s.vaddr);
            entry_found = true;
        }
    }
    if (loaded == 0)
        return loader_fail(err, "ELF has no loadable (PT_LOAD) segments");
    if (entry_phys && !entry_found)
        return loader_fail(err, "ELF entry point 0x%llx is outside every loaded segment",
                           (unsigned long long)ef->entry);
    return 0;
}

bool elf_paddr_loaded(const struct elf_file *ef, uint64_t paddr)
{
    for (unsigned i = 0; i < ef->phnum; i++) {
        struct elf_segment s;
        elf_segment_get(ef, i, &s);
        if (s.type == PT_LOAD && paddr >= s.paddr && paddr - s.paddr < s.memsz)
            return true;
    }
    return false;
}

bool elf_find_note(const struct elf_file *ef, const char *name, uint32_t type, const uint8_t **desc,
                   uint32_t *desc_len)
{
    size_t name_len = strlen(name) + 1;
    for (unsigned i = 0; i < ef->phnum; i++) {
        struct elf_segment s;
        elf_segment_get(ef, i, &s);
        if (s.type != PT_NOTE || s.offset > ef->img->size || s.filesz > ef->img->size - s.offset)
            continue;
        const uint8_t *p = ef->img->data + s.offset, *end = p + s.filesz;
        while (end - p >= 12) {
            uint32_t namesz = le_get(p, 4), descsz = le_get(p + 4, 4), ntype = le_get(p + 8, 4);
            uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ULL;
            uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ULL;
            if (name_pad + desc_pad > (uint64_t)(end - p - 12))
                break;
            const uint8_t *n = p + 12;
            if (ntype == type && namesz == name_len && memcmp(n, name, name_len) == 0) {
                *desc = n + name_pad;
                *desc_len = descsz;
                return true;
            }
            p += 12 + name_pad + desc_pad;
        }
    }
    return false;
}

int elf_load(const struct image *img, struct guest_ram *ram, struct boot_state *boot,
             struct load_error *err)
{
    struct elf_file ef;
    uint64_t entry;
    if (elf_parse(img, &ef, err) < 0 || elf_load_segments(&ef, ram, &entry, boot, err) < 0)
        return -1;
    boot->mode = ef.is64 ? CPU_MODE_LONG64 : CPU_MODE_PROT32;
    boot->rip = entry;
    if (ef.is64 && entry >= LAYOUT_4G)
        return loader_fail(err,
                           "ELF64 entry 0x%llx is above 4 GiB: kvmstub enters 64-bit images "
                           "through an identity map of the first 4 GiB",
                           (unsigned long long)entry);
    return 0;
}
