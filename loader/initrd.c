/* loader/initrd.c — read an initial ramdisk into guest RAM, as high as it may go. */
#include "loader/loader_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read the initrd file into guest RAM at the highest page-aligned address that stays below
 * max_addr and clear of [avoid_start, avoid_end) (the kernel and where it decompresses). */
int initrd_load(struct guest_ram *ram, const char *path, uint64_t max_addr, uint64_t avoid_end,
                uint64_t *addr, uint64_t *size, struct load_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return loader_fail(err, "initrd %s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return loader_fail(err, "initrd %s: not a regular file", path);
    }
    uint64_t top = ram->low_size < max_addr ? ram->low_size : max_addr;
    uint64_t len = st.st_size;
    if (len == 0 || len > top || ((top - len) & X86_PAGE_MASK) < avoid_end) {
        close(fd);
        return loader_fail(err,
                           "initrd %s (%llu KiB) does not fit in guest RAM above the kernel "
                           "(%llu MiB of RAM; try a larger -m)",
                           path, (unsigned long long)(len >> 10),
                           (unsigned long long)(ram->size >> 20));
    }
    uint64_t at = (top - len) & X86_PAGE_MASK;
    uint8_t *dst = ram_ptr(ram, at, len);
    uint64_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, dst + done, len - done);
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return loader_fail(err, "initrd %s: read failed: %s", path, strerror(e));
        }
        done += n;
    }
    close(fd);
    *addr = at;
    *size = len;
    return 0;
}
