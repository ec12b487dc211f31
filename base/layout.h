/* base/layout.h — where kvmstub puts its own structures in guest physical memory.
 *
 * Bare-metal images (ELF, multiboot) must keep clear of [LAYOUT_RESERVED_START,
 * LAYOUT_RESERVED_END): the loaders refuse segments there. Raw real-mode images need none of it
 * and may use all of low memory.
 */
#ifndef KVMSTUB_BASE_LAYOUT_H
#define KVMSTUB_BASE_LAYOUT_H

#define LAYOUT_RESERVED_START   0x1000ULL
#define LAYOUT_GDT              0x1000ULL /* 8 descriptors */
#define LAYOUT_BOOT_INFO        0x2000ULL /* multiboot info / hvm_start_info */
#define LAYOUT_BOOT_INFO_MAX    0x5000ULL /* multiboot2's info, all in one: up to the zero page */
#define LAYOUT_BOOT_MMAP        0x3000ULL /* memory map that BOOT_INFO points to */
#define LAYOUT_BOOT_CMDLINE     0x4000ULL /* multiboot/PVH command line, up to 4 KiB */
#define LAYOUT_BOOT_CMDLINE_MAX 0x1000ULL
#define LAYOUT_ZERO_PAGE        0x7000ULL /* Linux boot_params */
#define LAYOUT_PML4             0x9000ULL /* identity page tables for long-mode entry */
#define LAYOUT_PDPT             0xA000ULL
#define LAYOUT_PD               0xB000ULL /* 4 pages: 4 GiB of 2 MiB pages */
#define LAYOUT_RESERVED_END     0x10000ULL

#define LAYOUT_LINUX_CMDLINE     0x20000ULL /* bzImage command line */
#define LAYOUT_LINUX_CMDLINE_MAX 0x10000ULL
#define LAYOUT_MPTABLE           0x9FC00ULL /* MP floating pointer + table (reserved in e820) */
#define LAYOUT_EBDA_START        0x9FC00ULL
#define LAYOUT_HIGH_START        0x100000ULL

/* The 32-bit hole: RAM beyond LAYOUT_LOW_RAM_MAX is mapped from 4 GiB up. */
#define LAYOUT_LOW_RAM_MAX 0xC0000000ULL
#define LAYOUT_4G          0x100000000ULL

/* Addresses KVM needs below 4 GiB for the in-kernel irqchip on Intel (inside the hole). */
#define LAYOUT_IDENTITY_MAP 0xFFFBC000ULL
#define LAYOUT_TSS          0xFFFBD000ULL

/* GDT selectors set up by cpu_mode (the Linux boot protocol wants code 0x10, data 0x18). */
#define GDT_SEL_CODE32 0x10
#define GDT_SEL_DATA   0x18
#define GDT_SEL_CODE64 0x20
#define GDT_SEL_TSS    0x28
#define GDT_ENTRIES    8

#endif
