/* debug/cpu_view.h — how the vCPUs are shown to gdb: which register layout it gets
 * (--gdb-arch), the one line kvmstub prints when the guest's mode outgrows that layout, and,
 * with --gdb-realmode-linear, the real-mode pc as the linear address CS.base + IP.
 *
 * gdb takes its register layout once, when it connects, and cannot change it in a session:
 *   auto     x86-64 for an image that holds 64-bit code (an ELF64 container, whatever its boot
 *            protocol; a bzImage; a PVH vmlinux), otherwise from vCPU 0's mode at connect
 *   i8086    real mode (i386 registers, 16-bit disassembly): images that start in real mode
 *   i386     images that start in real or 32-bit protected mode
 *   x86-64   any image: every register in every mode
 * A layout narrower than the mode the image starts in is refused. When a stopped vCPU is in a
 * mode wider than the layout (i386 and long mode; i8086 and protected mode), kvmstub says once
 * per connection what to do: reconnect, or start with a wider --gdb-arch.
 */
#ifndef KVMSTUB_DEBUG_CPU_VIEW_H
#define KVMSTUB_DEBUG_CPU_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "base/boot.h"
#include "stub/target.h"

struct vm;
struct vcpu;

struct cpu_view_options {
    bool arch_auto;        /* --gdb-arch auto (the default) */
    enum target_arch arch; /* otherwise, the layout asked for */
    bool realmode_linear;  /* --gdb-realmode-linear */
    bool image_code64;     /* the image holds 64-bit code (struct image's code64) */
};

/* The view of one VM: its options, and what the connected gdb was given. Only the gdb stub's
 * thread (the controller) touches it; vCPU threads never do. */
struct cpu_view {
    struct cpu_view_options opts;
    enum target_arch layout; /* what the connected gdb got */
    bool notice_given;       /* the one line for this connection is out */
};

/* --gdb-arch's words: auto, i8086, i386, x86-64. False for anything else. */
bool cpu_view_parse_arch(const char *word, struct cpu_view_options *o);
/* NULL when the layout asked for can show an image that starts in entry_mode; otherwise why
 * it cannot (for the message that refuses the option). */
const char *cpu_view_misfit(const struct cpu_view_options *o, enum cpu_mode entry_mode);

/* The mode a stopped vCPU is in (real mode when its registers cannot be read). */
enum cpu_mode cpu_view_mode(struct vcpu *vcpu);
/* gdb connects: the layout it gets. */
enum target_arch cpu_view_connect(struct vm *vm);
/* The guest stopped on vcpu, gdb attached: print the notice if its mode has outgrown the
 * layout (once per connection). */
void cpu_view_stopped(struct vm *vm, struct vcpu *vcpu);
/* Registers as read from the vCPU -> as gdb sees them (the linear pc in real mode). */
void cpu_view_regs_out(struct vm *vm, struct vcpu *vcpu, struct x86_regs *regs);
/* Registers gdb wrote -> what the vCPU gets, given what it holds (old): a new linear pc in real
 * mode becomes IP (CS.base + IP when it fits, otherwise CS too); a new CS alone keeps IP.
 * -EINVAL for a pc real mode cannot reach. */
int cpu_view_regs_in(struct vm *vm, struct vcpu *vcpu, const struct x86_regs *old,
                     struct x86_regs *regs);

#endif
