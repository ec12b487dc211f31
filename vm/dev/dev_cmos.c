/* vm/dev/dev_cmos.c — the CMOS RTC at ports 0x70/0x71: index register (bit 7 masks NMI), the
 * host's UTC time in BCD, 24-hour mode, and the status registers Linux reads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/diag.h"
#include "vm/dev/devices.h"
#include "vm/vm.h"

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT  0x71
#define CMOS_INDEX_MASK 0x7F /* bit 7 is the NMI mask */
#define CMOS_NREGS      128

enum cmos_reg {
    CMOS_SECONDS = 0x00,
    CMOS_MINUTES = 0x02,
    CMOS_HOURS = 0x04,
    CMOS_WEEKDAY = 0x06,
    CMOS_DAY = 0x07,
    CMOS_MONTH = 0x08,
    CMOS_YEAR = 0x09,
    CMOS_STATUS_A = 0x0A,
    CMOS_STATUS_B = 0x0B,
    CMOS_STATUS_C = 0x0C,
    CMOS_STATUS_D = 0x0D,
    CMOS_CENTURY = 0x32,
};

#define CMOS_STATUS_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz rate, no update in progress */
#define CMOS_STATUS_B_DEFAULT 0x02 /* 24-hour mode, BCD */
#define CMOS_STATUS_D_VALID   0x80 /* battery good */

struct dev_cmos {
    uint8_t index;
    uint8_t regs[CMOS_NREGS];
};

static uint8_t bcd(int v)
{
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t cmos_read(struct dev_cmos *cmos, uint8_t reg)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    switch (reg) {
    case CMOS_SECONDS: return bcd(tm.tm_sec);
    case CMOS_MINUTES: return bcd(tm.tm_min);
    case CMOS_HOURS: return bcd(tm.tm_hour);
    case CMOS_WEEKDAY: return bcd(tm.tm_wday + 1);
    case CMOS_DAY: return bcd(tm.tm_mday);
    case CMOS_MONTH: return bcd(tm.tm_mon + 1);
    case CMOS_YEAR: return bcd(tm.tm_year % 100);
    case CMOS_CENTURY: return bcd((tm.tm_year + 1900) / 100);
    default: return cmos->regs[reg];
    }
}

static void cmos_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                    unsigned size)
{
    struct dev_cmos *cmos = opaque;
    if (port == CMOS_INDEX_PORT) {
        if (is_write)
            cmos->index = data[0] & CMOS_INDEX_MASK;
        else
            data[0] = cmos->index;
        return;
    }
    if (!is_write) {
        data[0] = cmos_read(cmos, cmos->index);
        return;
    }
    /* Time and the read-only status registers C and D ignore writes. */
    if (cmos->index >= CMOS_STATUS_A && cmos->index != CMOS_STATUS_C &&
        cmos->index != CMOS_STATUS_D && cmos->index != CMOS_CENTURY)
        cmos->regs[cmos->index] = data[0];
}

int dev_cmos_init(struct vm *vm)
{
    struct dev_cmos *cmos = calloc(1, sizeof(*cmos));
    if (!cmos)
        return diag_errno("out of memory for the CMOS");
    cmos->regs[CMOS_STATUS_A] = CMOS_STATUS_A_DEFAULT;
    cmos->regs[CMOS_STATUS_B] = CMOS_STATUS_B_DEFAULT;
    cmos->regs[CMOS_STATUS_D] = CMOS_STATUS_D_VALID;
    vm->cmos = cmos;
    return bus_register(&vm->io, CMOS_INDEX_PORT, 2, "cmos", cmos_io, cmos);
}

size_t dev_cmos_saved_size(void)
{
    return sizeof(struct dev_cmos);
}

void *dev_cmos_save(struct vm *vm)
{
    struct dev_cmos *copy = malloc(sizeof(*copy));
    if (!copy)
        return NULL;
    pthread_mutex_lock(&vm->io.lock);
    *copy = *vm->cmos;
    pthread_mutex_unlock(&vm->io.lock);
    return copy;
}

void dev_cmos_restore(struct vm *vm, const void *saved)
{
    pthread_mutex_lock(&vm->io.lock);
    *vm->cmos = *(const struct dev_cmos *)saved;
    pthread_mutex_unlock(&vm->io.lock);
}

void dev_cmos_destroy(struct vm *vm)
{
    free(vm->cmos);
    vm->cmos = NULL;
}
