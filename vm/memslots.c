/* vm/memslots.c — register guest RAM with KVM, splitting slots around trapped pages. */
#include "base/x86.h"
#include "vm/memslots.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
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

/* Register every RAM region minus the trapped pages, replacing what was there. */
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
        for (; t < m->ntrapped && m->trapped[t] < end; t++) {
            uint64_t page = m->trapped[t];
            if (page < cursor)
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

int memslots_init(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    memset(m, 0, sizeof(*m));
    return memslots_apply(vm);
}

bool memslots_page_trapped(const struct vm *vm, uint64_t gpa)
{
    const struct memslot_map *m = &vm->memslots;
    uint64_t page = x86_page_of(gpa);
    for (int i = 0; i < m->ntrapped; i++)
        if (m->trapped[i] == page)
            return true;
    return false;
}

int memslots_trap_page(struct vm *vm, uint64_t gpa)
{
    struct memslot_map *m = &vm->memslots;
    uint64_t page = x86_page_of(gpa);
    if (memslots_page_trapped(vm, page))
        return 0;
    uint64_t *grown = realloc(m->trapped, (m->ntrapped + 1) * sizeof(*grown));
    if (!grown)
        return diag_errno("out of memory for trapped pages");
    m->trapped = grown;
    int i = m->ntrapped++;
    while (i > 0 && m->trapped[i - 1] > page) {
        m->trapped[i] = m->trapped[i - 1];
        i--;
    }
    m->trapped[i] = page;
    return memslots_apply(vm);
}

int memslots_untrap_page(struct vm *vm, uint64_t gpa)
{
    struct memslot_map *m = &vm->memslots;
    uint64_t page = x86_page_of(gpa);
    for (int i = 0; i < m->ntrapped; i++) {
        if (m->trapped[i] == page) {
            memmove(&m->trapped[i], &m->trapped[i + 1],
                    (m->ntrapped - i - 1) * sizeof(*m->trapped));
            m->ntrapped--;
            return memslots_apply(vm);
        }
    }
    return 0;
}

void memslots_destroy(struct vm *vm)
{
    free(vm->memslots.trapped);
    vm->memslots.trapped = NULL;
    vm->memslots.ntrapped = 0;
}
