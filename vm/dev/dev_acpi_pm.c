/* vm/dev/dev_acpi_pm.c — the ACPI PM1a control register at port 0x604, where QEMU's PC machines
 * have it (PIIX4 and ICH9 PM base 0x600): guests written for QEMU power off by writing SLP_EN
 * (bit 13) with the sleep type of \_S5, which is 0 there — QEMU's own x86 test kernels do, as a
 * 16-bit write, after printing their result. kvmstub ends the guest then, status 0 (as QEMU
 * ends). The S4 sleep type (QEMU's 2: hibernation, which also ends QEMU) ends it too; other sleep
 * types (S3, suspend) are ignored, so the guest carries on as if the suspend failed. SLP_EN
 * reads as 0; the rest of the register reads back what was written. */
#include <string.h>

#include "vm/dev/devices.h"
#include "vm/vm.h"

#define ACPI_PM1A_CNT_PORT         0x604
#define ACPI_PM1_CNT_SIZE          2
#define ACPI_PM1_CNT_SLP_EN        (1u << 13)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK  7u
#define ACPI_SLP_TYP_SOFT_OFF      0 /* QEMU's \_S5 */
#define ACPI_SLP_TYP_HIBERNATE     2 /* QEMU's \_S4 (its s4_val default) */

static void acpi_pm_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                       unsigned size)
{
    struct vm *vm = opaque;
    unsigned offset = port - ACPI_PM1A_CNT_PORT;
    unsigned n = offset + size > ACPI_PM1_CNT_SIZE ? ACPI_PM1_CNT_SIZE - offset : size;
    uint8_t *reg = (uint8_t *)&vm->acpi_pm1_cnt + offset;
    if (!is_write) {
        memset(data, 0xFF, size);
        memcpy(data, reg, n);
        return;
    }
    memcpy(reg, data, n);
    uint16_t value = vm->acpi_pm1_cnt;
    vm->acpi_pm1_cnt &= (uint16_t)~ACPI_PM1_CNT_SLP_EN;
    unsigned type = (value >> ACPI_PM1_CNT_SLP_TYP_SHIFT) & ACPI_PM1_CNT_SLP_TYP_MASK;
    if ((value & ACPI_PM1_CNT_SLP_EN) &&
        (type == ACPI_SLP_TYP_SOFT_OFF || type == ACPI_SLP_TYP_HIBERNATE))
        vm_guest_reset(vm);
}

int dev_acpi_pm_init(struct vm *vm)
{
    return bus_register(&vm->io, ACPI_PM1A_CNT_PORT, ACPI_PM1_CNT_SIZE, "acpi-pm1a-control",
                        acpi_pm_io, vm);
}
