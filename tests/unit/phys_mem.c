/* tests/unit/phys_mem.c — synthetic guest-physical memory for page-walk tests (phys_mem.h). */
#include "phys_mem.h"

#include <string.h>

uint8_t test_mem[TEST_MEM_SIZE];

bool read_mem(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    (void)ctx;
    if (gpa >= TEST_MEM_SIZE || len > TEST_MEM_SIZE - gpa)
        return false;
    memcpy(buf, test_mem + gpa, len);
    return true;
}

void put32(uint64_t gpa, uint32_t v)
{
    memcpy(test_mem + gpa, &v, 4);
}

void put64(uint64_t gpa, uint64_t v)
{
    memcpy(test_mem + gpa, &v, 8);
}
