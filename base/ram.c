/* base/ram.c — guest RAM layout, bounds-checked access and the -m size parser. */
#include "base/ram.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/layout.h"

void ram_init(struct guest_ram *ram, uint8_t *host, uint64_t size)
{
    ram->host = host;
    ram->backing = NULL; /* anonymous: untouched pages read as zero */
    ram->size = size;
    ram->low_size = size < LAYOUT_LOW_RAM_MAX ? size : LAYOUT_LOW_RAM_MAX;
}

int ram_regions(const struct guest_ram *ram, struct ram_region out[2])
{
    out[0] = (struct ram_region){.gpa = 0, .size = ram->low_size, .offset = 0};
    if (ram->size == ram->low_size)
        return 1;
    out[1] = (struct ram_region){
        .gpa = LAYOUT_4G, .size = ram->size - ram->low_size, .offset = ram->low_size};
    return 2;
}

/* Offset into host of gpa and the contiguous bytes available there; false when not RAM. */
static bool ram_locate(const struct guest_ram *ram, uint64_t gpa, uint64_t *offset, uint64_t *avail)
{
    struct ram_region r[2];
    int n = ram_regions(ram, r);
    for (int i = 0; i < n; i++) {
        if (gpa >= r[i].gpa && gpa - r[i].gpa < r[i].size) {
            *offset = r[i].offset + (gpa - r[i].gpa);
            *avail = r[i].size - (gpa - r[i].gpa);
            return true;
        }
    }
    return false;
}

uint64_t ram_span(const struct guest_ram *ram, uint64_t gpa)
{
    uint64_t offset, avail;
    return ram_locate(ram, gpa, &offset, &avail) ? avail : 0;
}

bool ram_contains(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
    if (len == 0)
        return ram_span(ram, gpa) > 0 || gpa == ram->low_size;
    return ram_span(ram, gpa) >= len;
}

void *ram_ptr(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
    uint64_t offset, avail;
    if (!ram->host || !ram_locate(ram, gpa, &offset, &avail) || avail < len)
        return NULL;
    return ram->host + offset;
}

bool ram_write(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len)
{
    void *p = ram_ptr(ram, gpa, len);
    if (!p)
        return false;
    memcpy(p, src, len);
    return true;
}

bool ram_read(const struct guest_ram *ram, uint64_t gpa, void *dst, uint64_t len)
{
    const void *p = ram_ptr(ram, gpa, len);
    if (!p)
        return false;
    memcpy(dst, p, len);
    return true;
}

bool ram_parse_size(const char *text, uint64_t *out)
{
    if (!text || !isdigit((unsigned char)*text))
        return false;
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return false;
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: return false;
    }
    if (*end) {
        end++; /* the unit letter; "KiB" and "KB" are accepted too */
        if (strcmp(end, "") != 0 && strcasecmp(end, "B") != 0 && strcasecmp(end, "iB") != 0)
            return false;
    }
    if (shift && value > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)value << shift;
    return true;
}
