/* vm/dev/dev_exit.c — the exit port 0xF4 (QEMU's isa-debug-exit): writing v ends kvmstub with
 * status (v << 1) | 1. */
#include <string.h>

#include "base/exit_status.h"
#include "vm/dev/devices.h"
#include "vm/runctl.h"
#include "vm/vm.h"

#define EXIT_PORT 0xF4

static void exit_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                    unsigned size)
{
    if (!is_write) {
        memset(data, 0xFF, size);
        return;
    }
    uint32_t value = 0;
    memcpy(&value, data, size);
    runctl_end(opaque, EXIT_PORT_STATUS(value));
}

int dev_exit_init(struct vm *vm)
{
    return bus_register(&vm->io, EXIT_PORT, 4, "exit", exit_io, vm);
}
