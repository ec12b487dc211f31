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
