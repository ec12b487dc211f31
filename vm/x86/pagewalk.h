/* vm/x86/pagewalk.h — software translation of linear to physical addresses, every x86 paging mode.
 *
 * Pure logic: page-table entries are read through a callback, so unit tests can walk synthetic
 * tables. Used for gdb's memory accesses, LLDB's memory regions and the monitor's `translate`
 * and `info mem|tlb`.
 */
#ifndef KVMSTUB_VM_X86_PAGEWALK_H
#define KVMSTUB_VM_X86_PAGEWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/x86.h"

enum paging_mode {
    PAGING_NONE,   /* real mode or protected mode with CR0.PG = 0 */
    PAGING_32,     /* 2-level, 4 KiB pages and, with CR4.PSE, 4 MiB pages */
    PAGING_PAE,    /* 3-level, 4 KiB and 2 MiB pages */
    PAGING_4LEVEL, /* long mode, 4 KiB, 2 MiB and 1 GiB pages */
    PAGING_5LEVEL, /* long mode with CR4.LA57 */
};

#define PAGEWALK_MAX_LEVELS 5

struct pagewalk_step {
    const char *name;   /* "PML5E", "PML4E", "PDPTE", "PDE", "PTE" */
    uint64_t entry_gpa; /* where the entry is */
    uint64_t entry;     /* its value (0 when it could not be read) */
};

struct pagewalk_result {
    uint64_t gpa;       /* the physical address of the linear address */
    uint64_t page_size; /* of the page that maps it; on a "not present" fault, of the region the
                           missing entry would map (0 for any other fault) */
    int nsteps;
    struct pagewalk_step steps[PAGEWALK_MAX_LEVELS];
    const char *fault; /* why it failed: "not present", "non-canonical", ... */
};

/* Read len bytes of guest physical memory; false when they are not RAM. */
typedef bool (*pagewalk_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

enum paging_mode paging_mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer);
const char *paging_mode_name(enum paging_mode mode);
/* Short names for commands: none, 32bit, pae, 4level, 5level. False for another word. */
bool paging_mode_parse(const char *word, enum paging_mode *mode);

/* Translate linear. Returns 0, or -1 with out->fault saying why (steps so far are filled). */
int pagewalk(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear, pagewalk_read_fn read,
             void *ctx, struct pagewalk_result *out);

/* A region of linear addresses: [start, start + size), start + size wrapping to 0 at the top
 * of the address space. Mapped (readable, and writable and executable as the page-table entries
 * along the way allow) or not. */
struct pagewalk_region {
    uint64_t start, size;
    bool mapped, write, exec;
};

/* Walks one region takes at most each way beyond its first page (pages alike are one region). */
#define PAGEWALK_REGION_MAX_WALKS 512

/* The region around linear: the page (or missing table entry's extent) that holds it, extended
 * over the pages before and after it mapped alike or unmapped alike. With paging off, the 4 GiB
 * linear space. Returns 0. */
int pagewalk_region(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear,
                    pagewalk_read_fn read, void *ctx, struct pagewalk_region *out);

/* The largest page table: 512 entries of 8 bytes, or 1024 of 4. */
#define PAGEWALK_TABLE_BYTES X86_PAGE_SIZE

/* A page the tables map: one present leaf entry (a PTE, or a PDE or PDPTE with PS). */
struct pagewalk_leaf {
    uint64_t linear;        /* its first linear address, canonical in 4- and 5-level paging */
    uint64_t size;          /* 4 KiB, 2 MiB, 4 MiB or 1 GiB */
    uint64_t gpa;           /* the physical address it maps to */
    uint64_t entry;         /* the leaf entry as read (32 bits in 32-bit paging) */
    bool large;             /* a PDE or PDPTE with PS: bit 7 is PS there, not the PTE's PAT */
    bool user, write, exec; /* as every entry on the way allows (U/S, R/W, no NX) */
};

typedef int (*pagewalk_leaf_fn)(void *fnctx, const struct pagewalk_leaf *leaf);

/* Call fn for every present leaf, in ascending order of (canonical) linear address. Each table
 * is read whole; a table outside RAM maps nothing. With paging off there are no leaves. Returns
 * 0, or the first non-zero value fn returned (which ends the enumeration). */
int pagewalk_each_leaf(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                       void *ctx, pagewalk_leaf_fn fn, void *fnctx);

#endif
