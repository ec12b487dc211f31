/* debug/guest_mem.h — guest memory as a vCPU sees it: linear addresses through its page tables,
 * page by page, bounds-checked against RAM. */
#ifndef KVMSTUB_DEBUG_GUEST_MEM_H
#define KVMSTUB_DEBUG_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/x86/pagewalk.h"

struct vcpu;
struct kvm_sregs;

/* Translate a linear address with the vCPU's current paging state. 0, or -1 (out->fault). */
int guest_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out);
/* The same with control registers given (the caller already has them). */
int guest_translate_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs, uint64_t linear,
                          struct pagewalk_result *out);
/* Copy between buf and guest memory at addr (linear, or physical when phys). Goes page by page
 * and stops at the first byte that is unmapped or not RAM. Returns the bytes copied. */
size_t guest_mem_copy(struct vcpu *vcpu, uint64_t addr, void *buf, size_t len, bool write,
                      bool phys);

#endif
