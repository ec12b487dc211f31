/* vm/dev/devices.h — the legacy devices every guest gets, each in its own dev_*.c file. */
#ifndef KVMSTUB_VM_DEV_DEVICES_H
#define KVMSTUB_VM_DEV_DEVICES_H

#include <stddef.h>
#include <stdint.h>

struct vm;

int devices_init(struct vm *vm);
/* Start what runs on its own (the console input thread). */
int devices_start(struct vm *vm);
void devices_destroy(struct vm *vm);

/* What the guest sees of the devices (UART registers and receive FIFO, CMOS, the PCI address
 * latch, ACPI PM1a control), for snapshots: taken and put back under the port bus lock, while
 * every vCPU is parked. The i8042, debug console and exit ports hold no state. */
struct devices_state;
struct devices_state *devices_save(struct vm *vm); /* NULL when out of memory */
void devices_restore(struct vm *vm, const struct devices_state *st);
void devices_state_free(struct devices_state *st);
/* As bytes, for snapshot files: the size, a copy out, and a new state from bytes (NULL when
 * len is not that size, or out of memory). The layout is this build's own. */
size_t devices_state_size(void);
void devices_state_pack(const struct devices_state *st, uint8_t *buf);
struct devices_state *devices_state_unpack(const uint8_t *buf, size_t len);

/* One init function per device file. */
int dev_debugcon_init(struct vm *vm);
int dev_exit_init(struct vm *vm);
int dev_article_init(struct vm *vm);
int dev_serial_init(struct vm *vm);
int dev_serial_start(struct vm *vm);
void dev_serial_destroy(struct vm *vm);
void *dev_serial_save(struct vm *vm); /* malloc'd, NULL when out of memory */
size_t dev_serial_saved_size(void);
void dev_serial_restore(struct vm *vm, const void *saved);
int dev_i8042_init(struct vm *vm);
int dev_cmos_init(struct vm *vm);
void dev_cmos_destroy(struct vm *vm);
void *dev_cmos_save(struct vm *vm); /* malloc'd, NULL when out of memory */
size_t dev_cmos_saved_size(void);
void dev_cmos_restore(struct vm *vm, const void *saved);
int dev_pci_init(struct vm *vm);
int dev_acpi_pm_init(struct vm *vm);

#endif
