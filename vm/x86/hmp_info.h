/* vm/x86/hmp_info.h — QEMU's HMP `info mem`, `info tlb` and `info registers` text, in the form
 * qemu-system-x86_64 prints it, for gdb front ends (pwndbg, gef) that parse QEMU's monitor.
 *
 * Pure formatting: page tables are read through a callback (pagewalk_each_leaf), registers come
 * in a plain struct, and each line goes to a callback, without its newline. The x87/SSE part of
 * QEMU's `info registers` is left out.
 */
#ifndef KVMSTUB_VM_X86_HMP_INFO_H
#define KVMSTUB_VM_X86_HMP_INFO_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/x86/pagewalk.h"

/* One line of output, without its newline. */
typedef void (*hmp_line_fn)(void *ctx, const char *line);

/* A vCPU's state as `info registers` shows it. */
struct hmp_cpu_state {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_debugregs debugregs; /* the guest's own DR0-3, DR6, DR7 */
    bool interrupt_shadow;          /* interrupts blocked for one instruction (STI, MOV SS) */
    bool smm;                       /* in system-management mode */
    bool halted;                    /* in HLT, waiting for an interrupt (or halted for good) */
};

/* `info mem`: the mapped linear ranges, a line for each run of contiguous pages alike in user
 * access and write permission: "START-END SIZE urw", END - START == SIZE on every line (a range
 * that reaches the top of the address space ends at 10000000000000000, 17 digits, so that it
 * still holds). "PG disabled" with paging off. */
void hmp_info_mem(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                  void *read_ctx, hmp_line_fn line, void *ctx);

/* `info tlb`: a line for each present page, "LINEAR: PHYSICAL XGPDACTUW" (the leaf entry's NX,
 * G, PS, D, A, PCD, PWT, U/S and R/W bits). "PG disabled" with paging off. */
void hmp_info_tlb(enum paging_mode mode, uint64_t cr3, bool pse, pagewalk_read_fn read,
                  void *read_ctx, hmp_line_fn line, void *ctx);

/* `info registers` for one vCPU: general registers, flags, segments, descriptor tables, control
 * and debug registers, EFER. */
void hmp_info_registers(const struct hmp_cpu_state *cpu, hmp_line_fn line, void *ctx);

#endif
