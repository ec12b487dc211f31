/* loader/image.c — open an image file, detect its kind, and hand it to the right loader. */
#include "loader/loader_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/elf.h"

#include "base/layout.h"
#include <elf.h>

int loader_fail(struct load_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

bool loader_overlaps_reserved(uint64_t gpa, uint64_t len)
{
    return len && gpa < LAYOUT_RESERVED_END && gpa + len > LAYOUT_RESERVED_START;
}

int image_detect(struct image *img, struct load_error *err)
{
    if (img->size == 0)
        return loader_fail(err, "the image is empty");
    if (bzimage_detect(img)) {
        img->kind = IMAGE_BZIMAGE;
        img->code64 = true;
        return 0;
    }
    /* A kernel with both multiboot headers boots as multiboot2 (GRUB 2's `multiboot2`). */
    enum image_kind multiboot = multiboot2_find_header(img)  ? IMAGE_MULTIBOOT2
                                : multiboot_find_header(img) ? IMAGE_MULTIBOOT
                                                             : IMAGE_RAW;
    if (image_is_elf(img)) {
        struct elf_file ef;
        if (elf_parse(img, &ef, err) < 0)
            return -1;
        uint32_t pvh_entry;
        img->code64 = ef.is64;
        if (ef.is64 && pvh_find_entry(&ef, &pvh_entry))
            img->kind = IMAGE_PVH;
        else if (multiboot != IMAGE_RAW)
            img->kind = multiboot;
        else
            img->kind = ef.is64 ? IMAGE_ELF64 : IMAGE_ELF32;
        return 0;
    }
    img->kind = multiboot;
    return 0;
}

int image_open(struct image *img, const char *path, struct load_error *err)
{
    memset(img, 0, sizeof(*img));
    img->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return loader_fail(err, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return loader_fail(err, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return loader_fail(err, "not a regular file");
    }
    img->size = st.st_size;
    if (img->size > 0) {
        void *p = mmap(NULL, img->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return loader_fail(err, "cannot map the file: %s", strerror(e));
        }
        img->data = p;
    }
    close(fd);
    if (image_detect(img, err) < 0) {
        image_close(img);
        return -1;
    }
    return 0;
}

void image_close(struct image *img)
{
    if (img->data && img->size)
        munmap((void *)img->data, img->size);
    img->data = NULL;
}

enum cpu_mode image_entry_mode(const struct image *img)
{
    switch (img->kind) {
    case IMAGE_RAW: return CPU_MODE_REAL;
    case IMAGE_ELF64: return CPU_MODE_LONG64;
    case IMAGE_BZIMAGE: return bzimage_entry64(img) ? CPU_MODE_LONG64 : CPU_MODE_PROT32;
    case IMAGE_ELF32:
    case IMAGE_MULTIBOOT:
    case IMAGE_MULTIBOOT2:
    case IMAGE_PVH:
    case IMAGE_KIND_COUNT: break;
    }
    return CPU_MODE_PROT32;
}

bool image_is_elf(const struct image *img)
{
    return img->size >= SELFMAG && memcmp(img->data, ELFMAG, SELFMAG) == 0;
}

uint64_t image_min_ram(const struct image *img)
{
    uint64_t top = img->size;
    if (img->kind != IMAGE_RAW && img->kind != IMAGE_BZIMAGE) {
        struct elf_file ef;
        struct load_error ignored = {{0}};
        if (image_is_elf(img) && elf_parse(img, &ef, &ignored) == 0) {
            for (unsigned i = 0; i < ef.phnum; i++) {
                struct elf_segment s;
                elf_segment_get(&ef, i, &s);
                if (s.type == PT_LOAD && s.paddr + s.memsz > top && s.paddr < LAYOUT_LOW_RAM_MAX)
                    top = s.paddr + s.memsz;
            }
        }
    }
    return top;
}

int loader_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                struct boot_state *boot, struct load_error *err)
{
    memset(boot, 0, sizeof(*boot));
    switch (img->kind) {
    case IMAGE_RAW: return raw_load(img, ram, opt, boot, err);
    case IMAGE_ELF32:
    case IMAGE_ELF64: return elf_load(img, ram, boot, err);
    case IMAGE_MULTIBOOT: return multiboot_load(img, ram, opt, boot, err);
    case IMAGE_BZIMAGE: return bzimage_load(img, ram, opt, boot, err);
    case IMAGE_PVH: return pvh_load(img, ram, opt, boot, err);
    case IMAGE_MULTIBOOT2: return multiboot2_load(img, ram, opt, boot, err);
    case IMAGE_KIND_COUNT: break;
    }
    return loader_fail(err, "unknown image kind");
}
