/* vm/x86/pagewalk.c — the page walk for no paging, 32-bit, PAE, 4-level and 5-level paging:
 * one address at a time, the region around one, every page the tables map. */
#include "vm/x86/pagewalk.h"

#include <string.h>

#include "base/x86.h"

#define PTE_ADDR_MASK   0x000FFFFFFFFFF000ULL
#define PDE32_4M_LOW    0xFFC00000ULL /* bits 31:22 */
#define PDE32_4M_HIGH   0x001FE000ULL /* bits 20:13 = physical bits 39:32 (PSE-36/40) */
#define PAE_PDPT_ADDR   0xFFFFFFE0ULL
#define CR3_32_ADDR     0xFFFFF000ULL
#define LINEAR_32_LIMIT 0x100000000ULL

enum paging_mode paging_mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    if (!(cr0 & X86_CR0_PG))
        return PAGING_NONE;
    if (efer & X86_EFER_LMA)
        return (cr4 & X86_CR4_LA57) ? PAGING_5LEVEL : PAGING_4LEVEL;
    return (cr4 & X86_CR4_PAE) ? PAGING_PAE : PAGING_32;
}

const char *paging_mode_name(enum paging_mode mode)
{
    static const char *const names[] = {
        [PAGING_NONE] = "paging off",       [PAGING_32] = "32-bit paging",
        [PAGING_PAE] = "PAE paging",        [PAGING_4LEVEL] = "4-level paging",
        [PAGING_5LEVEL] = "5-level paging",
    };
    return names[mode];
}

bool paging_mode_parse(const char *word, enum paging_mode *mode)
{
    static const char *const words[] = {
        [PAGING_NONE] = "none",     [PAGING_32] = "32bit",      [PAGING_PAE] = "pae",
        [PAGING_4LEVEL] = "4level", [PAGING_5LEVEL] = "5level",
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(word, words[i]) == 0) {
            *mode = (enum paging_mode)i;
            return true;
        }
    }
    return false;
}

/* One table level: which bits of the linear address index it, and its entry size. */
struct pagewalk_level {
    const char *name;
    unsigned shift; /* lowest linear-address bit of the index */
    unsigned index_bits;
    unsigned entry_size; /* 4 (32-bit paging) or 8 */
    bool can_be_large;   /* PS = 1 maps a page here */
};

static const struct pagewalk_level levels_32[] = {
    {"PDE", 22, 10, 4, true},
    {"PTE", 12, 10, 4, false},
};
static const struct pagewalk_level levels_pae[] = {
    {"PDPTE", 30, 2, 8, false},
    {"PDE", 21, 9, 8, true},
    {"PTE", 12, 9, 8, false},
};
static const struct pagewalk_level levels_5[] = {
    {"PML5E", 48, 9, 8, false}, {"PML4E", 39, 9, 8, false}, {"PDPTE", 30, 9, 8, true},
    {"PDE", 21, 9, 8, true},    {"PTE", 12, 9, 8, false},
};

/* The levels of a paging mode (none for PAGING_NONE) and the address of its top table. */
static uint64_t paging_tables(enum paging_mode mode, uint64_t cr3,
                              const struct pagewalk_level **levels, int *nlevels)
{
    switch (mode) {
    case PAGING_32: *levels = levels_32, *nlevels = 2; return cr3 & CR3_32_ADDR;
    case PAGING_PAE: *levels = levels_pae, *nlevels = 3; return cr3 & PAE_PDPT_ADDR;
    case PAGING_4LEVEL: *levels = levels_5 + 1, *nlevels = 4; return cr3 & PTE_ADDR_MASK;
    case PAGING_5LEVEL: *levels = levels_5, *nlevels = 5; return cr3 & PTE_ADDR_MASK;
    default: *levels = NULL, *nlevels = 0; return 0;
    }
}

/* The width of a linear address in 4- and 5-level paging (32 in the 32-bit modes). */
static unsigned linear_bits(enum paging_mode mode)
{
    return mode == PAGING_5LEVEL ? 57 : mode == PAGING_4LEVEL ? 48 : 32;
}

/* A present entry at level l maps a page itself (PS; in 32-bit paging only with CR4.PSE). */
static bool entry_maps_large_page(enum paging_mode mode, const struct pagewalk_level *l, bool pse,
                                  uint64_t entry)
{
    return l->can_be_large && (entry & X86_PTE_LARGE) && (mode != PAGING_32 || pse);
}

/* The physical base of the page a leaf entry maps. */
static uint64_t page_base(enum paging_mode mode, bool large, uint64_t entry, uint64_t page_size)
{
    if (mode == PAGING_32 && large)
        return (entry & PDE32_4M_LOW) | ((entry & PDE32_4M_HIGH) << 19);
    return entry & PTE_ADDR_MASK & ~(page_size - 1);
}

/* The table a present non-leaf entry points at. */
static uint64_t next_table(enum paging_mode mode, uint64_t entry)
{
    return entry & (mode == PAGING_32 ? CR3_32_ADDR : PTE_ADDR_MASK);
}

/* What the entry at depth (0: the top table) takes away: user access, write, execute. PAE's
 * PDPTEs have none of these bits (they are reserved there), 32-bit paging has no NX. */
static void entry_permissions(enum paging_mode mode, int depth, uint64_t entry, bool *user,
                              bool *write, bool *exec)
{
    if (mode == PAGING_PAE && depth == 0)
        return;
    if (!(entry & X86_PTE_USER))
        *user = false;
    if (!(entry & X86_PTE_WRITE))
        *write = false;
    if (mode != PAGING_32 && (entry & X86_PTE_NX))
        *exec = false;
}

static int walk_fail(struct pagewalk_result *out, const char *why)
{
    out->fault = why;
    return -1;
}

/* linear with bit (bits - 1) copied into every bit above it. */
static uint64_t sign_extend(uint64_t linear, unsigned bits)
{
    return (uint64_t)((int64_t)(linear << (64 - bits)) >> (64 - bits));
}

static bool canonical(uint64_t linear, unsigned bits)
{
    return sign_extend(linear, bits) == linear;
}

int pagewalk(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear, pagewalk_read_fn read,
             void *ctx, struct pagewalk_result *out)
{
    memset(out, 0, sizeof(*out));
    switch (mode) {
    case PAGING_NONE:
        if (linear >= LINEAR_32_LIMIT)
            return walk_fail(out, "beyond 4 GiB with paging off");
        out->gpa = linear;
        out->page_size = X86_PAGE_SIZE;
        return 0;
    case PAGING_32:
    case PAGING_PAE:
        if (linear >= LINEAR_32_LIMIT)
            return walk_fail(out, mode == PAGING_32 ? "beyond 4 GiB with 32-bit paging"
                                                    : "beyond 4 GiB with PAE paging");
        break;
    case PAGING_4LEVEL:
    case PAGING_5LEVEL:
        if (!canonical(linear, linear_bits(mode)))
            return walk_fail(out, "non-canonical address");
        break;
    default: return walk_fail(out, "unknown paging mode");
    }
    const struct pagewalk_level *lv;
    int nlevels;
    uint64_t table = paging_tables(mode, cr3, &lv, &nlevels);

    for (int i = 0; i < nlevels; i++) {
        const struct pagewalk_level *l = &lv[i];
        uint64_t index = (linear >> l->shift) & ((1ULL << l->index_bits) - 1);
        struct pagewalk_step *step = &out->steps[out->nsteps++];
        step->name = l->name;
        step->entry_gpa = table + index * l->entry_size;
        uint64_t entry = 0;
        if (!read(ctx, step->entry_gpa, &entry, l->entry_size))
            return walk_fail(out, "page table outside guest RAM");
        step->entry = entry;
        if (!(entry & X86_PTE_PRESENT)) {
            out->page_size = 1ULL << l->shift; /* what the entry would map */
            return walk_fail(out, "not present");
        }
        bool large = entry_maps_large_page(mode, l, pse, entry);
        if (large || i == nlevels - 1) {
            uint64_t page_size = 1ULL << l->shift;
            out->gpa = page_base(mode, large, entry, page_size) | (linear & (page_size - 1));
            out->page_size = page_size;
            return 0;
        }
        table = next_table(mode, entry);
    }
    return walk_fail(out, "walk did not end");
}

/* Write and execute as every entry of a walk allows them. */
static void walk_permissions(enum paging_mode mode, const struct pagewalk_result *w, bool *write,
                             bool *exec)
{
    bool user = true;
    *write = *exec = true;
    for (int i = 0; i < w->nsteps; i++)
        entry_permissions(mode, i, w->steps[i].entry, &user, write, exec);
}

/* The region one walk finds: the page that maps linear, or the extent a missing entry would
 * map, or the span a fault of the whole mode covers (beyond 4 GiB, the non-canonical hole). */
static void region_of_walk(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear,
                           pagewalk_read_fn read, void *ctx, struct pagewalk_region *out)
{
    struct pagewalk_result w;
    memset(out, 0, sizeof(*out));
    if (pagewalk(mode, cr3, pse, linear, read, ctx, &w) == 0) {
        out->mapped = true;
        walk_permissions(mode, &w, &out->write, &out->exec);
        out->start = linear & ~(w.page_size - 1);
        out->size = w.page_size;
        return;
    }
    if (w.page_size) { /* not present at some level */
        out->start = linear & ~(w.page_size - 1);
        out->size = w.page_size;
    } else if (mode == PAGING_4LEVEL || mode == PAGING_5LEVEL) {
        unsigned bits = linear_bits(mode);
        uint64_t half = 1ULL << (bits - 1);
        if (!canonical(linear, bits)) { /* the non-canonical hole */
            out->start = half;
            out->size = -half - half;
        } else { /* a page table outside RAM */
            out->start = linear & ~(X86_PAGE_SIZE - 1);
            out->size = X86_PAGE_SIZE;
        }
    } else if (linear >= LINEAR_32_LIMIT) {
        out->start = LINEAR_32_LIMIT;
        out->size = -LINEAR_32_LIMIT; /* to the top: start + size wraps to 0 */
    } else {
        out->start = linear & ~(X86_PAGE_SIZE - 1);
        out->size = X86_PAGE_SIZE;
    }
}

static bool regions_alike(const struct pagewalk_region *a, const struct pagewalk_region *b)
{
    return a->mapped == b->mapped && (!a->mapped || (a->write == b->write && a->exec == b->exec));
}

int pagewalk_region(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear,
                    pagewalk_read_fn read, void *ctx, struct pagewalk_region *out)
{
    if (mode == PAGING_NONE) {
        bool low = linear < LINEAR_32_LIMIT;
        *out = (struct pagewalk_region){.start = low ? 0 : LINEAR_32_LIMIT,
                                        .size = low ? LINEAR_32_LIMIT : -LINEAR_32_LIMIT,
                                        .mapped = low,
                                        .write = low,
                                        .exec = low};
        return 0;
    }
    region_of_walk(mode, cr3, pse, linear, read, ctx, out);
    /* Extend it over the pages before and after that look the same, a bounded number of walks
     * each way. */
    struct pagewalk_region r;
    for (int i = 0; i < PAGEWALK_REGION_MAX_WALKS && out->start != 0; i++) {
        region_of_walk(mode, cr3, pse, out->start - 1, read, ctx, &r);
        if (r.start + r.size != out->start || !regions_alike(&r, out))
            break;
        out->start = r.start;
        out->size += r.size;
    }
    for (int i = 0; i < PAGEWALK_REGION_MAX_WALKS; i++) {
        uint64_t next = out->start + out->size;
        if (next == 0 || next < out->start)
            break;
        region_of_walk(mode, cr3, pse, next, read, ctx, &r);
        if (r.start != next || !regions_alike(&r, out))
            break;
        out->size += r.size;
    }
    return 0;
}

/* What every level of one pagewalk_each_leaf shares. */
struct leaf_walk {
    enum paging_mode mode;
    bool pse;
    const struct pagewalk_level *levels;
    int nlevels;
    pagewalk_read_fn read;
    void *ctx;
    pagewalk_leaf_fn fn;
    void *fnctx;
};

/* Every present leaf under the table at gpa table, the one at depth (0: the top table), whose
 * first entry maps linear address base; user, write and exec: what the entries above allow. */
static int each_leaf_in(const struct leaf_walk *w, int depth, uint64_t table, uint64_t base,
                        bool user, bool write, bool exec)
{
    const struct pagewalk_level *l = &w->levels[depth];
    unsigned n = 1u << l->index_bits;
    uint8_t entries[PAGEWALK_TABLE_BYTES];
    if (!w->read(w->ctx, table, entries, (size_t)n * l->entry_size))
        return 0; /* a table outside RAM maps nothing */
    for (unsigned i = 0; i < n; i++) {
        uint64_t entry = 0;
        memcpy(&entry, entries + (size_t)i * l->entry_size, l->entry_size);
        if (!(entry & X86_PTE_PRESENT))
            continue;
        uint64_t linear = base + ((uint64_t)i << l->shift);
        bool u = user, wr = write, x = exec;
        entry_permissions(w->mode, depth, entry, &u, &wr, &x);
        bool large = entry_maps_large_page(w->mode, l, w->pse, entry);
        int rc;
        if (large || depth == w->nlevels - 1) {
            bool long_mode = w->mode == PAGING_4LEVEL || w->mode == PAGING_5LEVEL;
            uint64_t size = 1ULL << l->shift;
            struct pagewalk_leaf leaf = {
                .linear = long_mode ? sign_extend(linear, linear_bits(w->mode)) : linear,
                .size = size,
                .gpa = page_base(w->mode, large, entry, size),
                .entry = entry,
                .large = large,
                .user = u,
                .write = wr,
                .exec = x,
            };
            rc = w->fn(w->fnctx, &leaf);
        } else {
            rc = each_leaf_in(w, depth + 1, next_table(w->mode, entry), linear, u, wr, x);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int pagewalk_each_leaf(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                       void *ctx, pagewalk_leaf_fn fn, void *fnctx)
{
    struct leaf_walk w = {
        .mode = mode, .pse = pse, .read = read, .ctx = ctx, .fn = fn, .fnctx = fnctx};
    uint64_t top = paging_tables(mode, cr3, &w.levels, &w.nlevels);
    if (w.nlevels == 0)
        return 0;
    return each_leaf_in(&w, 0, top, 0, true, true, true);
}
