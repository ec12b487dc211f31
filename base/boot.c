/* base/boot.c — names of image kinds and CPU modes, for messages and the monitor. */
#include "base/boot.h"

const char *image_kind_name(enum image_kind kind)
{
    static const char *const names[] = {
        [IMAGE_RAW] = "raw (real mode)",     [IMAGE_ELF32] = "ELF32 (protected mode)",
        [IMAGE_ELF64] = "ELF64 (long mode)", [IMAGE_MULTIBOOT] = "multiboot",
        [IMAGE_BZIMAGE] = "Linux bzImage",   [IMAGE_PVH] = "Linux vmlinux (PVH entry)",
        [IMAGE_MULTIBOOT2] = "multiboot2",
    };
    return names[kind];
}

const char *cpu_mode_name(enum cpu_mode mode)
{
    switch (mode) {
    case CPU_MODE_REAL: return "real mode";
    case CPU_MODE_PROT32: return "32-bit protected mode";
    case CPU_MODE_LONG64: return "64-bit long mode";
    }
    return "?";
}
