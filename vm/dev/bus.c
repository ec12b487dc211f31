/* vm/dev/bus.c — the address-range registry and dispatcher behind port I/O and MMIO. */
#include "vm/dev/bus.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

static const char *bus_kind_name(enum bus_kind kind)
{
    return kind == BUS_IO ? "io" : "mmio";
}

void bus_init(struct bus *bus, enum bus_kind kind, bool trace)
{
    memset(bus, 0, sizeof(*bus));
    bus->kind = kind;
    bus->trace = trace;
    pthread_mutex_init(&bus->lock, NULL);
}

void bus_destroy(struct bus *bus)
{
    free(bus->regions);
    bus->regions = NULL;
    bus->n = bus->cap = 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name, bus_fn fn,
                 void *opaque)
{
    int at = 0;
    for (; at < bus->n && bus->regions[at].base < base; at++)
        ;
    for (int i = at - 1; i <= at; i++) {
        const struct bus_region *r = i >= 0 && i < bus->n ? &bus->regions[i] : NULL;
        if (r && base < r->base + r->len && r->base < base + len) {
            diag("internal error: %s 0x%" PRIx64 "-0x%" PRIx64 " of %s overlaps %s",
                 bus_kind_name(bus->kind), base, base + len - 1, name, r->name);
            return -1;
        }
    }
    if (bus->n == bus->cap) {
        int cap = bus->cap ? 2 * bus->cap : 16;
        struct bus_region *grown = realloc(bus->regions, cap * sizeof(*grown));
        if (!grown)
            return diag_errno("out of memory registering %s", name);
        bus->regions = grown;
        bus->cap = cap;
    }
    memmove(&bus->regions[at + 1], &bus->regions[at], (bus->n - at) * sizeof(*bus->regions));
    bus->regions[at] = (struct bus_region){base, len, name, fn, opaque};
    bus->n++;
    return 0;
}

int bus_unregister(struct bus *bus, uint64_t base)
{
    for (int i = 0; i < bus->n; i++) {
        if (bus->regions[i].base == base) {
            memmove(&bus->regions[i], &bus->regions[i + 1],
                    (bus->n - i - 1) * sizeof(*bus->regions));
            bus->n--;
            return 0;
        }
    }
    return -1;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr)
{
    int lo = 0, hi = bus->n; /* binary search: the MMIO bus may hold many trapped pages */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const struct bus_region *r = &bus->regions[mid];
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->len)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

static void bus_trace(const struct bus *bus, const struct bus_region *r, uint64_t addr,
                      bool is_write, const uint8_t *data, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, data, size <= 8 ? size : 8);
    const char *who = r ? r->name : bus->kind == BUS_IO ? "unclaimed" : "no device";
    if (bus->kind == BUS_IO)
        diag("io: %s port 0x%04" PRIx64 " size %u %s 0x%0*" PRIx64 " (%s)",
             is_write ? "out" : "in ", addr, size, is_write ? "<-" : "->", (int)size * 2, v, who);
    else
        diag("mmio: %s 0x%" PRIx64 " size %u %s 0x%" PRIx64 " (%s)", is_write ? "write" : "read ",
             addr, size, is_write ? "<-" : "->", v, who);
}

bool bus_dispatch(struct bus *bus, struct vcpu *vcpu, uint64_t addr, bool is_write, uint8_t *data,
                  unsigned size)
{
    pthread_mutex_lock(&bus->lock);
    const struct bus_region *r = bus_find(bus, addr);
    if (r)
        r->fn(r->opaque, vcpu, addr, is_write, data, size);
    else if (!is_write)
        memset(data, 0xFF, size);
    if (bus->trace)
        bus_trace(bus, r, addr, is_write, data, size);
    pthread_mutex_unlock(&bus->lock);
    return r != NULL;
}
