/* vm/x86/linear_mem.h — guest memory by linear address, as a vCPU's paging sees it.
 *
 * A paging context (mode, CR3, PSE) comes from a vCPU's control registers; linear_translate
 * and linear_copy are pure logic over struct guest_ram (page by page, bounds-checked, stopping
 * at the first byte that is unmapped or not RAM). The vcpu_* forms use the vCPU's own paging:
 * what the CPU itself would reach. The debugger's view (physical mode, another paging mode) is
 * built on these in debug/guest_mem.h.
 */
#ifndef KVMSTUB_VM_X86_LINEAR_MEM_H
#define KVMSTUB_VM_X86_LINEAR_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ram.h"
#include "vm/x86/pagewalk.h"

struct vcpu;
struct kvm_sregs;

struct paging_ctx {
    enum paging_mode mode;
    uint64_t cr3;
    bool pse; /* CR4.PSE: 4 MiB pages in 32-bit paging */
};

void paging_ctx_of(const struct kvm_sregs *sregs, struct paging_ctx *out);
/* The page walk's reader (pagewalk_read_fn) over guest RAM: ram is a struct guest_ram. */
bool linear_read_phys(void *ram, uint64_t gpa, void *buf, size_t len);
/* Translate linear through ctx. 0, or -1 with out->fault. */
/* For a translation that cannot start (the vCPU's paging unknown): fills out, returns -1. */
int linear_translate_unknown(struct pagewalk_result *out);
int linear_translate(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t linear,
                     struct pagewalk_result *out);
/* The region of linear addresses around linear (pagewalk_region). 0. */
int linear_region(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t linear,
                  struct pagewalk_region *out);
/* Copy between buf and guest memory at addr: linear through ctx, or physical when ctx is NULL.
 * Returns the bytes copied (short at the first unmapped or non-RAM byte). */
size_t linear_copy(const struct guest_ram *ram, const struct paging_ctx *ctx, uint64_t addr,
                   void *buf, size_t len, bool write);

/* The vCPU's own paging context; -1 (with a message) when its registers cannot be read. */
int vcpu_paging(struct vcpu *vcpu, struct paging_ctx *out);
/* Translate or copy through the vCPU's own paging. */
int vcpu_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out);
size_t vcpu_mem_copy(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len, bool write);
/* Whole reads and writes: true when every byte was copied. */
bool vcpu_mem_read(struct vcpu *vcpu, uint64_t linear, void *buf, size_t len);
bool vcpu_mem_write(struct vcpu *vcpu, uint64_t linear, const void *buf, size_t len);

#endif
