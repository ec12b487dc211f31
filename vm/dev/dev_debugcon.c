/* vm/dev/dev_debugcon.c — the Bochs/QEMU debug console at port 0xE9: each byte written is a
 * character on the console; reading it returns 0xE9 (how guests detect it). */
#include <stdint.h>

#include "vm/dev/devices.h"
#include "vm/vm.h"

#define DEBUGCON_PORT 0xE9

static void debugcon_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write,
                        uint8_t *data, unsigned size)
{
    struct vm *vm = opaque;
    if (is_write)
        console_write(&vm->console, data, 1);
    else
        for (unsigned i = 0; i < size; i++)
            data[i] = DEBUGCON_PORT;
}

int dev_debugcon_init(struct vm *vm)
{
    return bus_register(&vm->io, DEBUGCON_PORT, 1, "debugcon", debugcon_io, vm);
}
