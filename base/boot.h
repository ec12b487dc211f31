/* base/boot.h — what a loaded image asks of the machine: its kind and the boot CPU's state.
 *
 * Shared by loader/ (which fills it) and vm/ (which applies it), so neither includes the other.
 */
#ifndef KVMSTUB_BASE_BOOT_H
#define KVMSTUB_BASE_BOOT_H

#include <stdbool.h>
#include <stdint.h>

enum image_kind {
    IMAGE_RAW,        /* flat binary, real mode */
    IMAGE_ELF32,      /* 32-bit protected mode, paging off */
    IMAGE_ELF64,      /* long mode, identity-mapped */
    IMAGE_MULTIBOOT,  /* multiboot v1 (ELF32, ELF64 or a.out kludge) */
    IMAGE_BZIMAGE,    /* Linux boot protocol */
    IMAGE_PVH,        /* ELF vmlinux entered through its PVH note */
    IMAGE_MULTIBOOT2, /* multiboot2 (ELF32, ELF64 or its address tag) */
    IMAGE_KIND_COUNT
};

enum cpu_mode {
    CPU_MODE_REAL,
    CPU_MODE_PROT32, /* flat 4 GiB segments, paging off */
    CPU_MODE_LONG64, /* identity page tables for the first 4 GiB */
};

/* The CPU state a loader asks for. Registers not named here start at zero. */
/* Where one of an ELF image's segments is linked and where it was loaded, when it is linked
 * above (a higher-half kernel before it maps itself): debuggers translate its addresses. */
struct link_segment {
    uint64_t vaddr, paddr, size;
};
#define BOOT_LINK_SEGMENTS 8

struct boot_state {
    enum cpu_mode mode;
    uint64_t rip;
    uint16_t real_cs; /* real mode: CS selector (base = real_cs << 4) */
    uint64_t rax, rbx, rsi;
    bool linux_guest; /* Linux wants the irqchip, CPUID policy, MSRs, reboot = exit 0 */
    struct link_segment link[BOOT_LINK_SEGMENTS]; /* the first nlink such segments */
    int nlink;
    /* A 64-bit Linux bzImage: where its text is linked, and the alignment of the slide KASLR
     * may move it by (debug/kaslr.h); 0 otherwise. */
    uint64_t linux_text_link, linux_slide_align;
};

/* x86-64 Linux: the kernel image's virtual region (__START_KERNEL_map up to the modules). */
#define LINUX_START_KERNEL_MAP 0xffffffff80000000ULL
#define LINUX_KERNEL_TEXT_END  0xffffffffc0000000ULL

const char *image_kind_name(enum image_kind kind);
const char *cpu_mode_name(enum cpu_mode mode);

#endif
