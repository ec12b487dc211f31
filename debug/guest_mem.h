/* debug/guest_mem.h — guest memory as the debugger sees it: linear addresses through the
 * stopped vCPU's page tables, or through the paging mode `monitor paging` chose, or physical
 * addresses with `monitor phys on` (vm/x86/linear_mem.h does the walking and copying). */
#ifndef KVMSTUB_DEBUG_GUEST_MEM_H
#define KVMSTUB_DEBUG_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/x86/linear_mem.h"

struct vcpu;

/* The paging context the debugger uses for this vCPU (its own, unless `monitor paging` chose
 * another mode). -1 when the vCPU's registers cannot be read. */
int guest_paging(struct vcpu *vcpu, struct paging_ctx *out);
/* Translate a linear address as the debugger sees it. 0, or -1 (out->fault). */
int guest_translate(struct vcpu *vcpu, uint64_t linear, struct pagewalk_result *out);
/* The region around addr (linear, or physical when phys: RAM, or the gap up to the next RAM). 0,
 * or -1 when the vCPU's paging cannot be read. */
int guest_mem_region(struct vcpu *vcpu, uint64_t addr, bool phys, struct pagewalk_region *out);
/* Copy between buf and guest memory at addr (linear, or physical when phys). Returns the bytes
 * copied (short at the first byte that is unmapped or not RAM). */
size_t guest_mem_copy(struct vcpu *vcpu, uint64_t addr, void *buf, size_t len, bool write,
                      bool phys);

#endif
