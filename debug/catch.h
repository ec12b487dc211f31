/* debug/catch.h — exception catchpoints (`monitor catch exception`): the guest stops when it
 * raises a caught exception, before the handler runs.
 *
 * The mechanism: a breakpoint of kvmstub's own (breakpoints.h, is_catch) on the handler of
 * each caught vector, read from the IDT (the IVT in real mode) of the vCPU that stopped last —
 * when the command is given, and again before every resume, so a guest that loaded a new IDT
 * since is followed from its next stop on. At a hit the vCPU is taken back to before the
 * delivery (the frame the CPU pushed gives RIP, RFLAGS, RSP), so gdb sees the instruction that
 * raised a fault; on resume KVM delivers the exception as the CPU raised it (error code, CR2)
 * and the handler's breakpoint lets that one delivery through. A register write by gdb during
 * the stop drops the exception (the developer moved the pc: the guest goes on from there).
 * Traps (#DB, #BP, #OF), #DF, #MC and deliveries that changed privilege stop at the handler
 * instead, the frame's values shown by `monitor exception`. Vectors that share one handler
 * are all reported as the lowest of them (the handler cannot tell which one came).
 *
 * Rules: the caught set (struct catch_set in the debug state) and the breakpoints change only
 * on the controller's thread while every vCPU is parked; struct catch_vcpu is its vCPU's
 * driver's while it runs and the controller's while it is stopped ([vcpu] in vm/vm.h).
 */
#ifndef KVMSTUB_DEBUG_CATCH_H
#define KVMSTUB_DEBUG_CATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/exception_names.h"
#include "stub/target.h"

struct vm;
struct vcpu;
struct breakpoint;

struct catch_set {
    uint32_t vectors;                    /* caught, a bit per vector */
    uint64_t handler[EXCEPTION_VECTORS]; /* where each caught one's breakpoint is */
    bool placed[EXCEPTION_VECTORS];      /* it has one */
};

/* The exception a vCPU stopped on. */
struct catch_hit {
    bool valid;   /* stopped on it; until the vCPU runs again */
    bool deliver; /* deliver it on resume (a rewound fault that gdb did not redirect) */
    bool rewound; /* the registers are those before the delivery */
    int vector;
    bool has_error_code;
    uint32_t error_code;
    uint64_t cr2;
    uint64_t handler;   /* linear */
    uint64_t raised_at; /* the pushed pc */
};

struct catch_vcpu {
    struct catch_hit hit;
    bool passing;       /* the next hit of `pass_at` is the delivery gdb let go */
    bool pass_injected; /* ... injected by kvmstub (not the handler it stopped at) */
    uint64_t pass_at;
    /* A pass whose step aside backed out (debug/step_aside.h) is kept for the hit that comes
     * again, while the registers (cpu_regs.h's count) are as they were. */
    bool pass_kept;
    unsigned long pass_kept_writes;
    bool own_tf; /* its RFLAGS.TF before the step by gdb it is taking */
};

/* `monitor catch exception ...` / `monitor catch`: set or list (print as monitor commands do). */
void catch_command(struct vm *vm, struct vcpu *vcpu, int argc, char *const argv[],
                   target_print_fn print, void *ctx);
/* Before the vCPUs run at gdb's word (controller, all parked): a resume (actions, one per vCPU)
 * follows IDT changes, catches every exception while some vCPU steps, and delivers what gdb
 * let go; a detach (actions NULL: its breakpoints about to go) only delivers. */
void catch_before_run(struct vm *vm, struct vcpu *current, const struct resume_action *actions);
/* gdb wrote this vCPU's registers: the exception it stopped on is not delivered. */
void catch_regs_written(struct vcpu *vcpu);
/* A vCPU hit catch breakpoint b (at its first instruction): stop, or let the delivery pass. */
void catch_hit(struct vcpu *vcpu, const struct breakpoint *b);
/* `monitor exception`'s lines about the exception this vCPU stopped on; false when none. */
bool catch_describe(struct vcpu *vcpu, target_print_fn print, void *ctx);

#endif
