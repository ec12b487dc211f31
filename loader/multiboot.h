/* loader/multiboot.h — what the multiboot (v1) and multiboot2 loaders share: loading by the
 * header's address fields or as an ELF, the 32-bit entry, and the memory they report. */
#ifndef KVMSTUB_LOADER_MULTIBOOT_H
#define KVMSTUB_LOADER_MULTIBOOT_H

#include "loader/loader_internal.h"

/* Where the header's address fields (multiboot's a.out kludge, multiboot2's address and entry
 * tags) put the file: physical addresses, as the specifications define them. */
struct multiboot_fields {
    uint32_t header_addr;   /* where the header itself lands */
    uint32_t load_addr;     /* where loading starts (at or before the header) */
    uint32_t load_end_addr; /* where the loaded bytes end; 0: the end of the file */
    uint32_t bss_end_addr;  /* where the zeroed bss ends; 0: no bss */
    uint32_t entry_addr;
};

/* Copy the file to where the fields say (the header at hdr_off in the file), zero the bss, and
 * check the entry lies in what was loaded. */
int multiboot_load_fields(const struct image *img, size_t hdr_off, const struct multiboot_fields *f,
                          struct guest_ram *ram, struct load_error *err);
/* A physical entry point the 32-bit protected-mode entry can jump to, or an error. */
int multiboot_check_entry(uint64_t entry, struct load_error *err);
/* The boot CPU as both versions enter the kernel: 32-bit protected mode at entry, EAX = the
 * boot loader's magic, EBX = the information's address. */
void multiboot_enter(struct boot_state *boot, uint64_t entry, uint32_t magic, uint64_t info);
/* The basic memory information, in KiB: below 640 KiB (lower) and from 1 MiB up (upper). */
void multiboot_memory(const struct guest_ram *ram, uint32_t *lower_kib, uint32_t *upper_kib);

#endif
