/* vm/dev/devices.c — the list of devices and their lifetime. */
#include "vm/dev/devices.h"

#include <stddef.h>

#include "vm/vm.h"

typedef int (*device_init_fn)(struct vm *vm);

static const device_init_fn device_inits[] = {
    dev_debugcon_init, dev_exit_init, dev_article_init, dev_serial_init,
    dev_i8042_init,    dev_cmos_init, dev_pci_init,     dev_acpi_pm_init,
};

int devices_init(struct vm *vm)
{
    for (size_t i = 0; i < sizeof(device_inits) / sizeof(device_inits[0]); i++)
        if (device_inits[i](vm) < 0)
            return -1;
    return 0;
}

int devices_start(struct vm *vm)
{
    return dev_serial_start(vm);
}

void devices_destroy(struct vm *vm)
{
    dev_serial_destroy(vm);
    dev_cmos_destroy(vm);
}
