/* vm/dev/bus.h — one bus type for port I/O and MMIO: devices register handlers on address
 * ranges, and an exit is dispatched by lookup (kvmtool's mmio.c, kvm-host's bus.c).
 *
 * Accesses are serialized by the bus's lock, so devices need no locks of their own. The
 * regions of a bus change only when nothing can dispatch on it: the port bus at setup, the
 * MMIO bus under the memory-map rule (vm/runctl.h, runctl_map_held). An address no region
 * claims reads as all ones and drops writes. With tracing on, every access is logged on stderr.
 */
#ifndef KVMSTUB_VM_DEV_BUS_H
#define KVMSTUB_VM_DEV_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* One access of size bytes at addr (a port, or a guest physical address). For reads fill
 * data; for writes read it. */
typedef void (*bus_fn)(void *opaque, struct vcpu *vcpu, uint64_t addr, bool is_write, uint8_t *data,
                       unsigned size);

struct bus_region {
    uint64_t base;
    uint64_t len;
    const char *name;
    bus_fn fn;
    void *opaque;
};

enum bus_kind { BUS_IO, BUS_MMIO };

struct bus {
    enum bus_kind kind;
    struct bus_region *regions; /* sorted by base, never overlapping */
    int n, cap;
    bool trace;
    pthread_mutex_t lock;
};

void bus_init(struct bus *bus, enum bus_kind kind, bool trace);
void bus_destroy(struct bus *bus);
/* Claim [base, base + len). Returns 0, or -1 (overlap, out of memory) after a message. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name, bus_fn fn,
                 void *opaque);
/* Release the region that starts at base; -1 when there is none. */
int bus_unregister(struct bus *bus, uint64_t base);
/* The region that holds addr, or NULL. */
const struct bus_region *bus_find(const struct bus *bus, uint64_t addr);
/* Dispatch one access; false when no region claims addr (reads then see all ones). */
bool bus_dispatch(struct bus *bus, struct vcpu *vcpu, uint64_t addr, bool is_write, uint8_t *data,
                  unsigned size);

#endif
