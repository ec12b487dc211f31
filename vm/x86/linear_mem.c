/* vm/x86/linear_mem.c — translate and copy guest memory by linear address. */
#include "vm/x86/linear_mem.h"

#include <linux/kvm.h>
#include <string.h>

#include "base/x86.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

bool linear_read_phys(void *ram, uint64_t gpa, void *buf, size_t len)
{
    return ram_read(ram, gpa, buf, len);
}

void paging_ctx_of(const struct kvm_sregs *sregs, struct paging_ctx *out)
{
    out->mode = paging_mode_of(sregs->cr0, sregs->cr4, sregs->efer);
    out->cr3 = sregs->cr3;
    out->pse = sregs->cr4 & X86_CR4_PSE;
}

int linear_translate(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t linear,
                     struct pagewalk_result *out)
{
    return pagewalk(ctx->mode, ctx->cr3, ctx->pse, linear, linear_read_phys, (void *)ram, out);
}

int linear_region(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t linear,
                  struct pagewalk_region *out)
{
    return pagewalk_region(ctx->mode, ctx->cr3, ctx->pse, linear, linear_read_phys, (void *)ram,
                           out);
}

size_t linear_copy(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t addr,
                   void *buf, size_t len, bool write)
{
    size_t done = 0;
    while (done < len) {
        uint64_t at = addr + done;
        if (at < addr)
            break; /* wrapped past 2^64 */
        uint64_t gpa = at, chunk = len - done;
        if (ctx) {
            struct pagewalk_result walk;
            if (linear_translate(ram, ctx, at, &walk) < 0)
                break;
            gpa = walk.gpa;
            uint64_t in_page = walk.page_size - (at & (walk.page_size - 1));
            if (chunk > in_page)
                chunk = in_page;
        }
        uint64_t span = ram_span(ram, gpa);
        if (span == 0)
            break;
        if (chunk > span)
            chunk = span;
        uint8_t *host = ram_ptr(ram, gpa, chunk);
        if (write)
            memcpy(host, (const uint8_t *)buf + done, chunk);
        else
            memcpy((uint8_t *)buf + done, host, chunk);
        done += chunk;
    }
    return done;
}

int linear_translate_unknown(struct pagewalk_result *out)
{
    memset(out, 0, sizeof(*out));
    out->fault = "cannot read the vCPU's control registers";
    return -1;
}

int vcpu_paging(struct vcpu *vcpu, struct paging_ctx *out)
{
    struct kvm_sregs sregs;
    if (cpu_get_sregs(vcpu, &sregs) < 0)
        return -1;
    paging_ctx_of(&sregs, out);
    return 0;
}

int vcpu_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out)
{
    struct paging_ctx ctx;
    if (vcpu_paging(vcpu, &ctx) < 0)
        return linear_translate_unknown(out);
    return linear_translate(&vcpu->vm->ram, &ctx, linear, out);
}

size_t vcpu_mem_copy(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len, bool write)
{
    struct paging_ctx ctx;
    if (vcpu_paging(vcpu, &ctx) < 0)
        return 0;
    return linear_copy(&vcpu->vm->ram, &ctx, linear, buf, len, write);
}

bool vcpu_mem_read(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len)
{
    return vcpu_mem_copy(vcpu, linear, buf, len, false) == len;
}

bool vcpu_mem_write(struct vcpu *vcpu, uint64_t linear, const void *buf, size_t len)
{
    return vcpu_mem_copy(vcpu, linear, (void *)buf, len, true) == len;
}
