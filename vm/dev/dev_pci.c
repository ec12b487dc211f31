/* vm/dev/dev_pci.c — PCI configuration mechanism #1 with no devices: the address register reads
 * back what was written, data reads all ones (no device at any address). */
#include <string.h>

#include "vm/dev/devices.h"
#include "vm/vm.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC

/* The address register lives in the device's own state, kept in the VM object. */
static void pci_address_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write,
                           uint8_t *data, unsigned size)
{
    uint32_t *address = opaque;
    unsigned offset = port - PCI_CONFIG_ADDRESS;
    if (offset + size > 4)
        size = 4 - offset;
    if (is_write)
        memcpy((uint8_t *)address + offset, data, size);
    else
        memcpy(data, (uint8_t *)address + offset, size);
}

static void pci_data_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write,
                        uint8_t *data, unsigned size)
{
    if (!is_write)
        memset(data, 0xFF, size);
}

int dev_pci_init(struct vm *vm)
{
    if (bus_register(&vm->io, PCI_CONFIG_ADDRESS, 4, "pci-address", pci_address_io,
                     &vm->pci_address) < 0)
        return -1;
    return bus_register(&vm->io, PCI_CONFIG_DATA, 4, "pci-data", pci_data_io, vm);
}
