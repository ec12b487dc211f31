/* vm/dev/ioport.c — the port I/O registry and dispatcher. */
#include "vm/dev/ioport.h"

#include <string.h>

#include "base/diag.h"

void ioport_bus_init(struct ioport_bus *bus, bool trace)
{
    memset(bus, 0, sizeof(*bus));
    bus->trace = trace;
    pthread_mutex_init(&bus->lock, NULL);
}

int ioport_register(struct ioport_bus *bus, uint16_t base, uint16_t count, const char *name,
                    ioport_fn fn, void *opaque)
{
    for (int i = 0; i < bus->n; i++) {
        const struct ioport_range *r = &bus->ranges[i];
        if (base < r->base + r->count && r->base < base + count) {
            diag("internal error: ports 0x%x-0x%x of %s overlap %s", base, base + count - 1, name,
                 r->name);
            return -1;
        }
    }
    if (bus->n == IOPORT_MAX_RANGES) {
        diag("internal error: too many port ranges (registering %s)", name);
        return -1;
    }
    bus->ranges[bus->n++] = (struct ioport_range){base, count, name, fn, opaque};
    return 0;
}

static const struct ioport_range *ioport_find(const struct ioport_bus *bus, uint16_t port)
{
    for (int i = 0; i < bus->n; i++)
        if (port >= bus->ranges[i].base && port - bus->ranges[i].base < bus->ranges[i].count)
            return &bus->ranges[i];
    return NULL;
}

static void ioport_trace(const struct ioport_range *r, uint16_t port, bool is_write,
                         const uint8_t *data, unsigned size)
{
    uint32_t v = 0;
    memcpy(&v, data, size);
    diag("io: %s port 0x%04x size %u %s 0x%0*x (%s)", is_write ? "out" : "in ", port, size,
         is_write ? "<-" : "->", (int)size * 2, v, r ? r->name : "unclaimed");
}

void ioport_dispatch(struct ioport_bus *bus, struct vcpu *vcpu, uint16_t port, bool is_write,
                     uint8_t *data, unsigned size, unsigned count)
{
    pthread_mutex_lock(&bus->lock);
    const struct ioport_range *r = ioport_find(bus, port);
    for (unsigned i = 0; i < count; i++, data += size) {
        if (r)
            r->fn(r->opaque, vcpu, port, is_write, data, size);
        else if (!is_write)
            memset(data, 0xFF, size);
        if (bus->trace)
            ioport_trace(r, port, is_write, data, size);
    }
    pthread_mutex_unlock(&bus->lock);
}
