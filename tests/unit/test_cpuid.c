/* tests/unit/test_cpuid.c — kvmstub's CPUID policy: APIC ids and the hypervisor bit always;
 * on emulating hosts, the features the host's emulator cannot run are hidden and the vendor
 * is Intel. */
#include <linux/kvm.h>
#include <stdlib.h>

#include "check.h"
#include "vm/cpuid.h"

#define NENT 6

static struct kvm_cpuid2 *make_table(void)
{
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NENT * sizeof(c->entries[0]));
    c->nent = NENT;
    c->entries[0] = (struct kvm_cpuid_entry2){.function = 0,
                                              .eax = 0xd,
                                              .ebx = 0x68747541,
                                              .edx = 0x69746e65,
                                              .ecx = 0x444d4163}; /* AMD */
    c->entries[1] = (struct kvm_cpuid_entry2){
        .function = 1, .ebx = 0x00020800, .ecx = 0x76f83203, .edx = 0x178bfbff};
    c->entries[2] =
        (struct kvm_cpuid_entry2){.function = 7, .index = 0, .ebx = 0x219c07a9, .ecx = 0x0040069c};
    c->entries[3] = (struct kvm_cpuid_entry2){.function = 0xd, .index = 1, .eax = 0xf};
    c->entries[4] = (struct kvm_cpuid_entry2){.function = 0xb, .index = 1, .edx = 0};
    c->entries[5] = (struct kvm_cpuid_entry2){.function = 0x80000001, .ecx = 0x75c237ff};
    return c;
}

static void hardware_host_keeps_features(void)
{
    struct kvm_cpuid2 *c = make_table();
    cpuid_apply_policy(c, 3, false);
    CHECK_EQ(c->entries[1].ecx, 0x76f83203 | 0x80000000u); /* only the hypervisor bit */
    CHECK_EQ(c->entries[1].ebx >> 24, 3);                  /* APIC id */
    CHECK_EQ(c->entries[4].edx, 3);                        /* x2APIC id */
    CHECK_EQ(c->entries[0].ebx, 0x68747541);               /* still AMD */
    CHECK_EQ(c->entries[2].ebx, 0x219c07a9);
    free(c);
}

static void emulating_host_hides_what_it_cannot_run(void)
{
    struct kvm_cpuid2 *c = make_table();
    cpuid_apply_policy(c, 0, true);
    uint32_t ecx1 = c->entries[1].ecx;
    CHECK(!(ecx1 & (1u << 26)));              /* XSAVE */
    CHECK(!(ecx1 & (1u << 23)));              /* POPCNT */
    CHECK(!(ecx1 & (1u << 28)));              /* AVX */
    CHECK(!(ecx1 & (1u << 20)));              /* SSE4.2 */
    CHECK(ecx1 & (1u << 31));                 /* hypervisor */
    CHECK(ecx1 & (1u << 0));                  /* SSE3 stays */
    CHECK(!(c->entries[2].ebx & (1u << 20))); /* SMAP */
    CHECK(!(c->entries[2].ebx & (1u << 7)));  /* SMEP */
    CHECK(!(c->entries[2].ebx & (1u << 0)));  /* FSGSBASE */
    CHECK(!(c->entries[2].ecx & (1u << 2)));  /* UMIP */
    CHECK(!(c->entries[2].ecx & (1u << 22))); /* RDPID */
    CHECK_EQ(c->entries[3].eax, 0);           /* no XSAVE state */
    CHECK(!(c->entries[5].ecx & (1u << 5)));  /* ABM */
    CHECK(memcmp(&c->entries[0].ebx, "Genu", 4) == 0);
    CHECK(memcmp(&c->entries[0].edx, "ineI", 4) == 0);
    CHECK(memcmp(&c->entries[0].ecx, "ntel", 4) == 0);
    free(c);
}

int main(void)
{
    RUN(hardware_host_keeps_features);
    RUN(emulating_host_hides_what_it_cannot_run);
    return CHECK_DONE();
}
