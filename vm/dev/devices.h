/* vm/dev/devices.h — the legacy devices every guest gets, each in its own dev_*.c file. */
#ifndef KVMSTUB_VM_DEV_DEVICES_H
#define KVMSTUB_VM_DEV_DEVICES_H

struct vm;

int devices_init(struct vm *vm);
/* Start what runs on its own (the console input thread). */
int devices_start(struct vm *vm);
void devices_destroy(struct vm *vm);

/* One init function per device file. */
int dev_debugcon_init(struct vm *vm);
int dev_exit_init(struct vm *vm);
int dev_article_init(struct vm *vm);
int dev_serial_init(struct vm *vm);
int dev_serial_start(struct vm *vm);
void dev_serial_destroy(struct vm *vm);
int dev_i8042_init(struct vm *vm);
int dev_cmos_init(struct vm *vm);
void dev_cmos_destroy(struct vm *vm);
int dev_pci_init(struct vm *vm);
int dev_acpi_pm_init(struct vm *vm);

#endif
