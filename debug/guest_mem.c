/* debug/guest_mem.c — linear and physical guest memory access for the debugger and emulator. */
#include "debug/guest_mem.h"

#include <string.h>
#include <sys/ioctl.h>

#include "vm/x86/cpu_mode.h"
#include "base/diag.h"
#include "vm/x86/cpu_regs.h"
#include "debug/guest_debug_state.h"
#include "vm/vm.h"

static bool guest_mem_read_phys(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    return ram_read(ctx, gpa, buf, len);
}

int guest_translate_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs, uint64_t linear,
                          struct pagewalk_result *out)
{
    enum paging_mode mode = paging_mode_of(sregs->cr0, sregs->cr4, sregs->efer);
    bool pse = sregs->cr4 & X86_CR4_PSE;
    const struct debug_state *d = vcpu->vm->debug;
    if (d && d->paging >= 0) {
        mode = d->paging; /* the debugger asked to see memory through another paging mode */
        pse = true;
    }
    return pagewalk(mode, sregs->cr3, pse, linear, guest_mem_read_phys, &vcpu->vm->ram, out);
}

int guest_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out)
{
    struct kvm_sregs sregs;
    if (cpu_get_sregs(vcpu, &sregs) < 0) {
        memset(out, 0, sizeof(*out));
        out->fault = "cannot read the vCPU's control registers";
        return -1;
    }
    return guest_translate_sregs(vcpu, &sregs, linear, out);
}

size_t guest_mem_copy(struct vcpu *vcpu, uint64_t addr, void *buf, size_t len, bool write,
                      bool phys)
{
    struct kvm_sregs sregs;
    if (!phys && cpu_get_sregs(vcpu, &sregs) < 0)
        return 0;
    const struct guest_ram *ram = &vcpu->vm->ram;
    size_t done = 0;
    while (done < len) {
        uint64_t linear = addr + done;
        if (linear < addr)
            break; /* wrapped past 2^64 */
        uint64_t gpa = linear, chunk = len - done;
        if (!phys) {
            struct pagewalk_result walk;
            if (guest_translate_sregs(vcpu, &sregs, linear, &walk) < 0)
                break;
            gpa = walk.gpa;
            uint64_t in_page = walk.page_size - (linear & (walk.page_size - 1));
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
