/* vm/memslots.c — register guest RAM with KVM, splitting slots around trapped pages. */
#include "vm/memslots.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/runctl.h"
#include "vm/vm.h"

static int memslots_set(struct vm *vm, int slot, uint64_t gpa, uint64_t size, uint64_t offset)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)(vm->ram.host + offset),
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return diag_errno("KVM_SET_USER_MEMORY_REGION (slot %d, 0x%llx+0x%llx)", slot,
                          (unsigned long long)gpa, (unsigned long long)size);
    return 0;
}

/* Register every RAM region minus the trapped pages (but the exempt one), replacing what was
 * there. Deleting every slot first leaves RAM absent for a moment: the memory-map rule is what
 * makes that safe, no vCPU can run meanwhile. */
static int memslots_apply(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    for (int i = 0; i < m->nslots; i++)
        if (memslots_set(vm, i, 0, 0, 0) < 0)
            return -1;
    m->nslots = 0;
    struct ram_region regions[2];
    int nregions = ram_regions(&vm->ram, regions);
    int t = 0;
    for (int r = 0; r < nregions; r++) {
        uint64_t start = regions[r].gpa, end = regions[r].gpa + regions[r].size;
        uint64_t cursor = start;
        for (; t < m->ntrapped && m->trapped[t].page < end; t++) {
            uint64_t page = m->trapped[t].page;
            if (page < cursor || page == m->exempt)
                continue;
            if (page > cursor && memslots_set(vm, m->nslots++, cursor, page - cursor,
                                              regions[r].offset + (cursor - start)) < 0)
                return -1;
            cursor = page + X86_PAGE_SIZE;
        }
        if (end > cursor && memslots_set(vm, m->nslots++, cursor, end - cursor,
                                         regions[r].offset + (cursor - start)) < 0)
            return -1;
    }
    return 0;
}

/* The memory-map rule, checked where the map changes. */
static int memslots_check_rule(struct vm *vm, const struct vcpu *self, const char *what)
{
    if (runctl_map_held(vm, self))
        return 0;
    diag("internal error: %s while another vCPU may run (the memory map changes only with "
         "every other vCPU parked)",
         what);
    return -1;
}

int memslots_init(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    memset(m, 0, sizeof(*m));
    m->exempt = MEMSLOT_NONE;
    return memslots_apply(vm);
}

void memslots_destroy(struct vm *vm)
{
    free(vm->memslots.trapped);
    vm->memslots.trapped = NULL;
    vm->memslots.ntrapped = vm->memslots.cap = 0;
}

static struct memslot_trap *memslots_find(const struct memslot_map *m, uint64_t page)
{
    for (int i = 0; i < m->ntrapped; i++)
        if (m->trapped[i].page == page)
            return &m->trapped[i];
    return NULL;
}

bool memslots_page_trapped(const struct vm *vm, uint64_t gpa)
{
    return memslots_find(&vm->memslots, x86_page_of(gpa)) != NULL;
}

int memslots_trap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                       void *opaque)
{
    struct memslot_map *m = &vm->memslots;
    uint64_t page = x86_page_of(gpa);
    struct memslot_trap *t = memslots_find(m, page);
    if (t) {
        const struct bus_region *r = bus_find(&vm->mmio, page);
        if (!r || r->fn != fn || r->opaque != opaque) {
            diag("internal error: page 0x%" PRIx64 " trapped for two handlers", page);
            return -1;
        }
        t->refs++;
        return 0;
    }
    if (memslots_check_rule(vm, self, "trapping a page") < 0)
        return -1;
    if (m->ntrapped == m->cap) {
        int cap = m->cap ? 2 * m->cap : 16;
        struct memslot_trap *grown = realloc(m->trapped, cap * sizeof(*grown));
        if (!grown)
            return diag_errno("out of memory for trapped pages");
        m->trapped = grown;
        m->cap = cap;
    }
    if (bus_register(&vm->mmio, page, X86_PAGE_SIZE, "trapped page", fn, opaque) < 0)
        return -1;
    int i = m->ntrapped++;
    while (i > 0 && m->trapped[i - 1].page > page) {
        m->trapped[i] = m->trapped[i - 1];
        i--;
    }
    m->trapped[i] = (struct memslot_trap){.page = page, .refs = 1};
    return memslots_apply(vm);
}

int memslots_untrap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa)
{
    struct memslot_map *m = &vm->memslots;
    struct memslot_trap *t = memslots_find(m, x86_page_of(gpa));
    if (!t)
        return 0;
    if (--t->refs > 0)
        return 0;
    if (memslots_check_rule(vm, self, "untrapping a page") < 0) {
        t->refs++;
        return -1;
    }
    uint64_t page = t->page;
    int i = t - m->trapped;
    memmove(&m->trapped[i], &m->trapped[i + 1], (m->ntrapped - i - 1) * sizeof(*m->trapped));
    m->ntrapped--;
    bus_unregister(&vm->mmio, page);
    if (m->exempt == page)
        m->exempt = MEMSLOT_NONE;
    return memslots_apply(vm);
}

int memslots_exempt(struct vm *vm, const struct vcpu *self, uint64_t page)
{
    struct memslot_map *m = &vm->memslots;
    if (page != MEMSLOT_NONE && !memslots_find(m, page))
        page = MEMSLOT_NONE; /* nothing to map back */
    if (m->exempt == page)
        return 0;
    if (memslots_check_rule(vm, self, "mapping a trapped page back") < 0)
        return -1;
    m->exempt = page;
    return memslots_apply(vm);
}
