/* tests/unit/phys_mem.h — 1 MiB of synthetic guest-physical memory for the unit tests that
 * walk page tables (test_pagewalk, test_hmp_info): entries written with put32/put64, read
 * through read_mem as a pagewalk_read_fn. */
#ifndef KVMSTUB_TESTS_UNIT_PHYS_MEM_H
#define KVMSTUB_TESTS_UNIT_PHYS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEST_MEM_SIZE (1 << 20)
extern uint8_t test_mem[TEST_MEM_SIZE];

/* False (nothing read) beyond the 1 MiB. */
bool read_mem(void *ctx, uint64_t gpa, void *buf, size_t len);
void put32(uint64_t gpa, uint32_t v);
void put64(uint64_t gpa, uint64_t v);

#endif
