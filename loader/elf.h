/* loader/elf.h — a validated view of an ELF32/ELF64 x86 executable (program headers, notes). */
#ifndef KVMSTUB_LOADER_ELF_H
#define KVMSTUB_LOADER_ELF_H

#include "loader/loader_internal.h"

struct elf_file {
    const struct image *img;
    bool is64;
    uint64_t entry;
    uint64_t phoff;
    unsigned phnum;
    unsigned phentsize;
};

struct elf_segment {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Check the ELF header and the program header table; -1 with err set when they are bad. */
int elf_parse(const struct image *img, struct elf_file *ef, struct load_error *err);
void elf_segment_get(const struct elf_file *ef, unsigned i, struct elf_segment *seg);
/* Copy every PT_LOAD to its physical address, zero its bss, translate the entry point to a
 * physical address (entry_phys NULL: the caller has an entry of its own), and note in boot the
 * segments linked elsewhere than they were loaded. */
int elf_load_segments(const struct elf_file *ef, struct guest_ram *ram, uint64_t *entry_phys,
                      struct boot_state *boot, struct load_error *err);
/* The physical address lies in a PT_LOAD segment (its bss included). */
bool elf_paddr_loaded(const struct elf_file *ef, uint64_t paddr);
/* Find a note (name, type) in the PT_NOTE segments; its descriptor in desc and desc_len. */
bool elf_find_note(const struct elf_file *ef, const char *name, uint32_t type, const uint8_t **desc,
                   uint32_t *desc_len);

#endif
