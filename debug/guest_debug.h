/* debug/guest_debug.h — the debugger inside the VM: its state (vm->debug, vcpu->debug), the
 * hooks the vCPU layer calls at exits (vm->debug_ops), and guest debugging through
 * KVM_SET_GUEST_DEBUG.
 *
 * Rules.
 * - struct debug_state changes only on the controller's thread (the GDB stub) while the guest
 *   is stopped, every vCPU parked: the stub calls the target only then (stub/target.h). vCPU
 *   threads read it while they run; nothing in it changes under them.
 * - Whether a debugger is attached is run control's (runctl_attached).
 * - `gen` is bumped (atomically) on every change the vCPUs must apply with KVM_SET_GUEST_DEBUG;
 *   each vCPU compares it with the generation it applied before its next KVM_RUN.
 * - struct vcpu_debug belongs to whoever drives that vCPU ([vcpu] in vm/vm.h).
 */
#ifndef KVMSTUB_DEBUG_GUEST_DEBUG_H
#define KVMSTUB_DEBUG_GUEST_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "debug/access_breaks.h"
#include "debug/bp_agent.h"
#include "debug/breakpoints.h"
#include "debug/catch.h"
#include "debug/cpu_view.h"
#include "debug/kaslr.h"
#include "debug/record.h"
#include "debug/snapshots.h"
#include "debug/step_aside.h"
#include "stub/target.h"

struct vm;
struct vcpu;

/* phys, paging, view, exec_file and snapshots are written by the server thread only while every
 * vCPU is stopped (gdb's packets and monitor commands are served only then); vCPU threads read them
 * (agent expressions read memory). */
struct debug_state {
    struct bp_table bps;
    uint64_t gen;         /* bumped on every change the vCPUs must apply (atomic) */
    bool phys;            /* `monitor phys on`: gdb's addresses are physical */
    int paging;           /* `monitor paging MODE`: walk as enum paging_mode; -1: the vCPU's own */
    struct cpu_view view; /* the register layout and pc gdb sees (set when gdb connects) */
    struct bp_agent_output output; /* dprintf text for gdb: its own lock (bp_agent.h) */
    char *exec_file;               /* the booted ELF image's real path, for gdb to read (or NULL) */
    struct snapshot_store snapshots; /* `monitor snapshot` (debug/snapshots.h) */
    struct record record;            /* `monitor record`: its own rules (debug/record.h) */
    struct access_breaks access;     /* `monitor break io|msr` (debug/access_breaks.h) */
    struct catch_set catches;        /* `monitor catch exception` (debug/catch.h) */
    struct kaslr_state kaslr;        /* a KASLR kernel's slide: its own rules (debug/kaslr.h) */
    /* kvmstub steps STI itself (vm/x86/own_step.h): this host's KVM steps past the next
     * instruction too. Written before a resume, with every vCPU parked; read by vCPU threads. */
    bool own_sti_step;
    /* KVM's single-step trap flag outlives a plain step's exit on this host, so guest debug need
     * not be set again before each step (gd_apply); and how an exit shows that KVM's emulator,
     * not the CPU, stepped (see gd_trap_flag_kept). Written as own_sti_step is. */
    bool tf_outlives_step;
    bool tf_needs_exit_dr7;
};

/* Per vCPU (vcpu->debug). [vcpu] Touched only by whoever drives that vCPU (its thread while it
 * runs, the controller for an inline step or a replay while the others are parked), as
 * vm/vm.h's [vcpu] fields: the trap-flag and self-check state below needs no lock. */
struct vcpu_debug {
    uint64_t gen;              /* the generation applied to this vCPU */
    bool step;                 /* single-step as applied with gen */
    unsigned dr_mask;          /* debug-register slots masked, as applied with gen */
    unsigned long regs_writes; /* vcpu->regs.writes when it was applied (cpu_regs.h) */
    bool tf_kept;              /* single-step: KVM's trap flag is still set (gd_trap_flag_kept) */
    bool tf_armed;             /* ... it was set when the vCPU last entered KVM_RUN */
    bool insn_may_change_tf;   /* the instruction stepped then may clear it (x86_may_change_tf) */
    unsigned self_checked;     /* recording: instruction-breakpoint slots kvmstub checks itself
                                  for the step it applied (gd_self_checked_slots) */
    int synth_slot;            /* 1 + the slot whose exit gd_prepare wrote for the current exit */
    bool inject_bp;            /* hand the guest its own #BP on the next entry */
    bool watch_hit;            /* recording: a watchpoint hit to report at the instruction's end */
    enum bp_type watch_type;
    uint64_t watch_addr;
    bool write_done; /* recording: a position ended at an MMIO write exit, at this pc */
    uint64_t write_done_pc;
    struct step_aside aside;
    /* A breakpoint's agent said to run on, but its step aside backed out (step_aside.h): the
     * hit comes again at the next exit, at this pc, and is not evaluated again (a dprintf
     * prints once) unless the registers were written since the hit (cpu_regs.h's count: gdb's
     * writes during the stop, a snapshot restored). */
    bool agent_ran;
    uint64_t agent_ran_pc;
    unsigned long agent_ran_writes;
    unsigned long agent_ran_exit; /* `exits` at the hit */
    unsigned long exits;          /* exits handled so far (gd_exited) */
    struct access_hit hit;   /* the port or MSR access it stopped on, until gdb runs it again */
    struct catch_vcpu catch; /* the exception it stopped on (debug/catch.h) */
};

/* Create vm->debug and every vcpu->debug, and install vm->debug_ops (with --gdb, before the
 * vCPU threads start). 0, or -1 after a message. */
int guest_debug_init(struct vm *vm);
/* Breakpoints or attachment changed: every vCPU re-applies KVM_SET_GUEST_DEBUG. */
void guest_debug_changed(struct vm *vm);
/* Enable or disable guest debugging (attach on the first resume, detach). */
void guest_debug_set_attached(struct vm *vm, bool attached);
/* Before the vCPUs run at gdb's word (a resume with its actions, or a detach with NULL; the
 * controller, every vCPU parked): what each stopped on becomes history — a caught exception is
 * delivered, an access is forgotten — and a step catches exceptions (debug/catch.h,
 * debug/access_breaks.h). current: the vCPU that stopped last. */
void guest_debug_before_run(struct vm *vm, struct vcpu *current,
                            const struct resume_action *actions);
/* Whether gdb asked this vCPU to step (s, or a range), whatever else steps it. */
bool guest_debug_gdb_steps(const struct vcpu *vcpu);
/* Report a stop of this kind on this vCPU (a breakpoint or watchpoint at addr). */
void guest_debug_report(struct vcpu *vcpu, enum bp_type type, uint64_t addr);
/* The MMIO-bus handler of trapped and write-protected pages (opaque: the vm): performs the
 * access on RAM (keeping INT3s over written bytes) and reports a hit when it touches watched
 * bytes. */
void guest_debug_trapped_access(void *opaque, struct vcpu *vcpu, uint64_t gpa, bool is_write,
                                uint8_t *data, unsigned size);

#endif
