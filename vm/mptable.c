/* vm/mptable.c — the MP table (MultiProcessor Specification 1.4), as Firecracker builds it:
 * one processor entry per vCPU, an ISA bus, the IOAPIC, ISA IRQ i on IOAPIC pin i (KVM's
 * default routing), LINT0 ExtINT and LINT1 NMI. */
#include "vm/mptable.h"

#include <string.h>

#include "base/layout.h"

#define MP_SPEC_REV       4
#define MP_APIC_VERSION   0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_ISA_IRQS       16
#define MP_BUS_ISA_ID     0

enum mp_entry_type { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };
enum mp_irq_type { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

#define MP_CPU_ENABLED   0x1
#define MP_CPU_BSP       0x2
#define MP_IOAPIC_USABLE 0x1

struct __attribute__((packed)) mpf_intel {
    char signature[4]; /* "_MP_" */
    uint32_t physptr;
    uint8_t length; /* in 16-byte units */
    uint8_t specification;
    uint8_t checksum;
    uint8_t feature[5];
};

struct __attribute__((packed)) mpc_table {
    char signature[4]; /* "PCMP" */
    uint16_t length;
    uint8_t spec;
    uint8_t checksum;
    char oem[8];
    char productid[12];
    uint32_t oemptr;
    uint16_t oemsize;
    uint16_t entries;
    uint32_t lapic;
    uint16_t ext_length;
    uint8_t ext_checksum;
    uint8_t reserved;
};

struct __attribute__((packed)) mpc_cpu {
    uint8_t type;
    uint8_t apicid;
    uint8_t apicver;
    uint8_t cpuflag;
    uint32_t cpufeature;
    uint32_t featureflag;
    uint32_t reserved[2];
};

struct __attribute__((packed)) mpc_bus {
    uint8_t type;
    uint8_t busid;
    char bustype[6];
};

struct __attribute__((packed)) mpc_ioapic {
    uint8_t type;
    uint8_t apicid;
    uint8_t apicver;
    uint8_t flags;
    uint32_t apicaddr;
};

struct __attribute__((packed)) mpc_intsrc {
    uint8_t type;
    uint8_t irqtype;
    uint16_t irqflag;
    uint8_t srcbus;
    uint8_t srcbusirq;
    uint8_t dstapic;
    uint8_t dstirq;
};

static uint8_t mp_checksum(const void *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return (uint8_t)-sum;
}

/* Append configuration-table entries, counting them. */
struct mp_entries {
    uint8_t *p;
    uint16_t count;
};

static void mp_put(struct mp_entries *e, const void *entry, size_t size, uint16_t n)
{
    memcpy(e->p, entry, size);
    e->p += size;
    e->count += n;
}

int mptable_write(struct guest_ram *ram, int ncpus, uint32_t cpu_signature, uint32_t features)
{
    size_t size = sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
                  ncpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
                  sizeof(struct mpc_ioapic) + (MP_ISA_IRQS + 2) * sizeof(struct mpc_intsrc);
    uint8_t *base = ram_ptr(ram, LAYOUT_MPTABLE, size);
    if (!base)
        return -1;
    memset(base, 0, size);
    struct mpf_intel *mpf = (struct mpf_intel *)base;
    struct mpc_table *table = (struct mpc_table *)(mpf + 1);
    struct mp_entries e = {.p = (uint8_t *)(table + 1)};
    uint8_t ioapic_id = ncpus;

    for (int i = 0; i < ncpus; i++) {
        struct mpc_cpu cpu = {.type = MP_PROCESSOR,
                              .apicid = i,
                              .apicver = MP_APIC_VERSION,
                              .cpuflag = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0),
                              .cpufeature = cpu_signature,
                              .featureflag = features};
        mp_put(&e, &cpu, sizeof(cpu), 1);
    }
    struct mpc_bus bus = {.type = MP_BUS, .busid = MP_BUS_ISA_ID, .bustype = "ISA   "};
    mp_put(&e, &bus, sizeof(bus), 1);
    struct mpc_ioapic ioapic = {.type = MP_IOAPIC,
                                .apicid = ioapic_id,
                                .apicver = MP_IOAPIC_VERSION,
                                .flags = MP_IOAPIC_USABLE,
                                .apicaddr = MPTABLE_IOAPIC_ADDR};
    mp_put(&e, &ioapic, sizeof(ioapic), 1);
    for (int irq = 0; irq < MP_ISA_IRQS; irq++) {
        struct mpc_intsrc src = {.type = MP_INTSRC,
                                 .irqtype = MP_INT,
                                 .srcbus = MP_BUS_ISA_ID,
                                 .srcbusirq = irq,
                                 .dstapic = ioapic_id,
                                 .dstirq = irq};
        mp_put(&e, &src, sizeof(src), 1);
    }
    struct mpc_intsrc lint[2] = {
        {.type = MP_LINTSRC,
         .irqtype = MP_EXTINT,
         .srcbus = MP_BUS_ISA_ID,
         .dstapic = 0,
         .dstirq = 0},
        {.type = MP_LINTSRC,
         .irqtype = MP_NMI,
         .srcbus = MP_BUS_ISA_ID,
         .dstapic = 0xFF,
         .dstirq = 1},
    };
    mp_put(&e, lint, sizeof(lint), 2);

    memcpy(table->signature, "PCMP", 4);
    table->length = e.p - (uint8_t *)table;
    table->spec = MP_SPEC_REV;
    memcpy(table->oem, "KVMSTUB ", 8);
    memcpy(table->productid, "KVMSTUB     ", 12);
    table->entries = e.count;
    table->lapic = MPTABLE_LAPIC_ADDR;
    table->checksum = mp_checksum(table, table->length);

    memcpy(mpf->signature, "_MP_", 4);
    mpf->physptr = LAYOUT_MPTABLE + sizeof(*mpf);
    mpf->length = 1;
    mpf->specification = MP_SPEC_REV;
    mpf->checksum = mp_checksum(mpf, sizeof(*mpf));
    return (int)size;
}
