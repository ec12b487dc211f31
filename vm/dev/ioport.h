/* vm/dev/ioport.h — port I/O devices register on port ranges; exits are dispatched by lookup.
 *
 * A port no device claims reads as all ones and drops writes. With --trace-io every access
 * is logged on stderr, claimed or not.
 */
#ifndef KVMSTUB_VM_DEV_IOPORT_H
#define KVMSTUB_VM_DEV_IOPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Handle one access of size 1, 2 or 4 bytes at port. For reads fill data; for writes read it. */
typedef void (*ioport_fn)(void *opaque, struct vcpu *vcpu, uint16_t port, bool is_write,
                          uint8_t *data, unsigned size);

struct ioport_range {
    uint16_t base;
    uint16_t count;
    const char *name;
    ioport_fn fn;
    void *opaque;
};

#define IOPORT_MAX_RANGES 32

struct ioport_bus {
    struct ioport_range ranges[IOPORT_MAX_RANGES];
    int n;
    bool trace;
    pthread_mutex_t lock; /* one access at a time: devices need no locks of their own */
};

void ioport_bus_init(struct ioport_bus *bus, bool trace);
/* Claim [base, base + count). Returns 0, or -1 (overlap, table full) after a message. */
int ioport_register(struct ioport_bus *bus, uint16_t base, uint16_t count, const char *name,
                    ioport_fn fn, void *opaque);
/* Dispatch `count` accesses (string I/O) of `size` bytes each at data. */
void ioport_dispatch(struct ioport_bus *bus, struct vcpu *vcpu, uint16_t port, bool is_write,
                     uint8_t *data, unsigned size, unsigned count);

#endif
