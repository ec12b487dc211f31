/* vm/dev/dev_i8042.c — just enough of the i8042 keyboard controller: status reads say "no data",
 * and the reset command (0xFE to port 0x64) ends the guest cleanly (Linux reboot=k, or its
 * fallback). */
#include <string.h>

#include "base/exit_status.h"
#include "vm/dev/devices.h"
#include "vm/vm.h"

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET    0xFE
#define I8042_STATUS_IDLE  0x1C /* system flag, command, unlocked; buffers empty */

static void i8042_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                     unsigned size)
{
    struct vm *vm = opaque;
    if (is_write) {
        if (port == I8042_COMMAND_PORT && data[0] == I8042_CMD_RESET)
            vm_guest_reset(vm);
        return;
    }
    memset(data, 0, size);
    if (port == I8042_COMMAND_PORT)
        data[0] = I8042_STATUS_IDLE;
}

int dev_i8042_init(struct vm *vm)
{
    if (bus_register(&vm->io, I8042_DATA_PORT, 1, "i8042-data", i8042_io, vm) < 0)
        return -1;
    return bus_register(&vm->io, I8042_COMMAND_PORT, 1, "i8042-command", i8042_io, vm);
}
