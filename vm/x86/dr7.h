/* vm/x86/dr7.h — x86 debug-register encoding (DR7) and splitting ranges into DR-sized pieces.
 * Pure logic, unit-tested. */
#ifndef KVMSTUB_VM_X86_DR7_H
#define KVMSTUB_VM_X86_DR7_H

#include <stdbool.h>
#include <stdint.h>

#define DR_NSLOTS      4
#define DR7_FIXED      0x400ULL /* bit 10 reads as one */
#define DR7_GE         0x200ULL /* global exact breakpoints */
#define DR7_BASE       (DR7_FIXED | DR7_GE)
#define DR6_B(n)       (1ULL << (n))
#define DR6_B_ANY      0xFULL        /* B0-B3: a debug-register slot fired */
#define DR6_BD         (1ULL << 13)  /* debug-register access detected */
#define DR6_BS         (1ULL << 14)  /* single-step */
#define DR6_BT         (1ULL << 15)  /* task switch */
#define DR6_FIXED_ONES 0xFFFF0FF0ULL /* the bits DR6 reads as one, as KVM reports them */

/* The R/W field: what a slot watches. x86 has no read-only data breakpoint (10 is I/O). */
enum dr_rw { DR_RW_EXEC = 0, DR_RW_WRITE = 1, DR_RW_IO = 2, DR_RW_ACCESS = 3 };

/* LEN field bits for a length of 1, 2, 4 or 8 bytes; -1 for any other length. */
int dr7_len_bits(unsigned len);
/* dr7 with slot enabled (global) for rw and len (len is ignored for execute: 1 byte). */
uint64_t dr7_set(uint64_t dr7, int slot, enum dr_rw rw, unsigned len);
uint64_t dr7_clear(uint64_t dr7, int slot);
bool dr7_enabled(uint64_t dr7, int slot);
/* What an enabled slot watches. */
enum dr_rw dr7_rw(uint64_t dr7, int slot);

struct dr_piece {
    uint64_t addr;
    unsigned len; /* 1, 2, 4 or 8, and addr is aligned to it */
};

/* Cover [addr, addr + len) with as few aligned 1/2/4/8-byte pieces as possible. Returns the
 * number of pieces, or -1 when more than max are needed. */
int dr_split(uint64_t addr, uint64_t len, struct dr_piece *out, int max);

#endif
