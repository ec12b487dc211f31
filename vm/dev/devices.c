/* vm/dev/devices.c — the list of devices and their lifetime. */
#include "vm/dev/devices.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

struct devices_state {
    void *serial, *cmos;
    uint32_t pci_address;
    uint16_t acpi_pm1_cnt;
};

struct devices_state *devices_save(struct vm *vm)
{
    struct devices_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->serial = dev_serial_save(vm);
    st->cmos = dev_cmos_save(vm);
    if (!st->serial || !st->cmos) {
        devices_state_free(st);
        return NULL;
    }
    pthread_mutex_lock(&vm->io.lock);
    st->pci_address = vm->pci_address;
    st->acpi_pm1_cnt = vm->acpi_pm1_cnt;
    pthread_mutex_unlock(&vm->io.lock);
    return st;
}

void devices_restore(struct vm *vm, const struct devices_state *st)
{
    dev_serial_restore(vm, st->serial);
    dev_cmos_restore(vm, st->cmos);
    pthread_mutex_lock(&vm->io.lock);
    vm->pci_address = st->pci_address;
    vm->acpi_pm1_cnt = st->acpi_pm1_cnt;
    pthread_mutex_unlock(&vm->io.lock);
}

void devices_state_free(struct devices_state *st)
{
    if (!st)
        return;
    free(st->serial);
    free(st->cmos);
    free(st);
}

size_t devices_state_size(void)
{
    return dev_serial_saved_size() + dev_cmos_saved_size() + sizeof(uint32_t) + sizeof(uint16_t);
}

void devices_state_pack(const struct devices_state *st, uint8_t *buf)
{
    memcpy(buf, st->serial, dev_serial_saved_size());
    buf += dev_serial_saved_size();
    memcpy(buf, st->cmos, dev_cmos_saved_size());
    buf += dev_cmos_saved_size();
    memcpy(buf, &st->pci_address, sizeof(st->pci_address));
    memcpy(buf + sizeof(st->pci_address), &st->acpi_pm1_cnt, sizeof(st->acpi_pm1_cnt));
}

struct devices_state *devices_state_unpack(const uint8_t *buf, size_t len)
{
    if (len != devices_state_size())
        return NULL;
    struct devices_state *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->serial = malloc(dev_serial_saved_size());
    st->cmos = malloc(dev_cmos_saved_size());
    if (!st->serial || !st->cmos) {
        devices_state_free(st);
        return NULL;
    }
    memcpy(st->serial, buf, dev_serial_saved_size());
    buf += dev_serial_saved_size();
    memcpy(st->cmos, buf, dev_cmos_saved_size());
    buf += dev_cmos_saved_size();
    memcpy(&st->pci_address, buf, sizeof(st->pci_address));
    memcpy(&st->acpi_pm1_cnt, buf + sizeof(st->pci_address), sizeof(st->acpi_pm1_cnt));
    return st;
}
