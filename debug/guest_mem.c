/* debug/guest_mem.c — the debugger's view of guest memory. */
#include "debug/guest_mem.h"

#include <string.h>

#include "debug/guest_debug.h"
#include "vm/vm.h"

int guest_paging(struct vcpu *vcpu, struct paging_ctx *out)
{
    if (vcpu_paging(vcpu, out) < 0)
        return -1;
    const struct debug_state *d = vcpu->vm->debug;
    if (d && d->paging >= 0) {
        out->mode = d->paging; /* the debugger asked to see memory through another paging mode */
        out->pse = true;
    }
    return 0;
}

int guest_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out)
{
    struct paging_ctx ctx;
    if (guest_paging(vcpu, &ctx) < 0)
        return linear_translate_unknown(out);
    return linear_translate(&vcpu->vm->ram, &ctx, linear, out);
}

size_t guest_mem_copy(struct vcpu *vcpu, uint64_t addr, void *buf, size_t len, bool write,
                      bool phys)
{
    struct paging_ctx ctx;
    if (!phys && guest_paging(vcpu, &ctx) < 0)
        return 0;
    return linear_copy(&vcpu->vm->ram, phys ? NULL : &ctx, addr, buf, len, write);
}

/* Physical addresses: the RAM region that holds addr, or the gap up to the next one (or to the
 * top of the address space). */
static void phys_region(const struct guest_ram *ram, uint64_t addr, struct pagewalk_region *out)
{
    struct ram_region regions[2];
    int n = ram_regions(ram, regions);
    uint64_t gap_start = 0;
    for (int i = 0; i < n; i++) {
        const struct ram_region *r = &regions[i];
        if (addr < r->gpa) {
            *out = (struct pagewalk_region){.start = gap_start, .size = r->gpa - gap_start};
            return;
        }
        if (addr - r->gpa < r->size) {
            *out = (struct pagewalk_region){
                .start = r->gpa, .size = r->size, .mapped = true, .write = true, .exec = true};
            return;
        }
        gap_start = r->gpa + r->size;
    }
    *out = (struct pagewalk_region){.start = gap_start, .size = -gap_start};
}

int guest_mem_region(struct vcpu *vcpu, uint64_t addr, bool phys, struct pagewalk_region *out)
{
    struct paging_ctx ctx;
    if (phys) {
        phys_region(&vcpu->vm->ram, addr, out);
        return 0;
    }
    if (guest_paging(vcpu, &ctx) < 0)
        return -1;
    return linear_region(&vcpu->vm->ram, &ctx, addr, out);
}
