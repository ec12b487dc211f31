/* debug/kaslr.h — the slide of a KASLR kernel, learnt where the kernel shows it, for gdb.
 *
 * A 64-bit bzImage booted with `kaslr` (kvmstub adds nokaslr under a debugger otherwise) moves
 * itself by a random multiple of its alignment while it decompresses: gdb, which read the
 * vmlinux's symbols at their link addresses, cannot know by how much. kvmstub learns it from
 * the kernel's first write of MSR_GS_BASE while it runs at its virtual address
 * (secondary_startup_64, before start_kernel): KVM's MSR filter makes that write exit, and
 * the slide is the pc's distance from the link address of the text, rounded down to the
 * alignment (the code is within its first aligned block). A slide that is not 0 stops the
 * guest there once, with a line for gdb; `monitor kaslr` says it, qOffsets answers it, and
 * gdb/kvmstub.py relocates the symbols (symbol-file -o) at that stop. Until then, gdb's
 * breakpoints in the kernel image's unmapped region wait (breakpoints.h, MECH_WAITING): gdb
 * moves them when it relocates.
 *
 * Rules: kaslr_arm runs on the controller before the guest starts. The vCPU that sees the write
 * (the boot vCPU: no other runs kernel code before start_kernel) sets known and slide once,
 * before it reports its stop; the controller reads them, and takes the probe out of the
 * filter, only while every vCPU is parked.
 */
#ifndef KVMSTUB_DEBUG_KASLR_H
#define KVMSTUB_DEBUG_KASLR_H

#include <stdbool.h>
#include <stdint.h>

#include "stub/target.h"

struct vm;
struct vcpu;

#define KASLR_PROBE_MSR 0xc0000101u /* MSR_GS_BASE */

struct kaslr_state {
    uint64_t text_link; /* where the kernel's text is linked; 0: not a KASLR kernel */
    uint64_t align;     /* a slide is a multiple of it */
    bool probing;       /* the probe's MSR is in KVM's filter */
    bool known;
    uint64_t slide;
};

/* A KASLR kernel is booted under a debugger (controller, before the guest starts): set the
 * probe. On a host without KVM's MSR filter, says so on stderr and returns -1. */
int kaslr_arm(struct vm *vm, uint64_t text_link, uint64_t align);
/* Whether the probe's MSR belongs in KVM's filter (debug/monitor_break.c builds it). */
bool kaslr_probing(const struct vm *vm);
/* A filtered MSR write, after it was performed (its vCPU's driver). */
void kaslr_msr_written(struct vcpu *vcpu, uint32_t msr);
/* Before the vCPUs run (controller, all parked): a learnt slide's probe leaves the filter. */
void kaslr_before_run(struct vm *vm);
/* A breakpoint at addr cannot be placed yet: it is in the kernel image's region and the
 * slide is not known. */
bool kaslr_waiting(const struct vm *vm, uint64_t addr);
/* The slide, when known: 0, else -1. */
int kaslr_slide(const struct vm *vm, uint64_t *slide);
/* `monitor kaslr`. */
void kaslr_monitor(struct vm *vm, target_print_fn print, void *ctx);

#endif
