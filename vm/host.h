/* vm/host.h — the kind of KVM host kvmstub runs on, and what its guest debugging honours.
 *
 * The one place where host kinds differ (DESIGN.md §7):
 * - HOST_HARDWARE: VT-x or SVM. Guest code runs natively; INT3 under KVM_GUESTDBG_USE_SW_BP
 *   exits as #BP; debug registers fire.
 * - HOST_EMULATING: a KVM that runs guest supervisor code in its instruction emulator (PVM,
 *   /sys/module/kvm_pvm). Some instructions are refused (the CPUID policy hides them); INT3
 *   comes back as an emulation failure, except in real mode where it goes to the guest's
 *   vector table; data watchpoints in debug registers never fire; Linux user space cannot run.
 * The kind is read from the system once. What guest debugging honours is not assumed from the
 * kind but measured, because emulated hardware can differ from real hardware (QEMU's TCG
 * emulation of SVM, where kvm_amd runs, intercepts neither INT3 nor debug registers): a probe
 * runs a few instructions in a scratch VM the first time it is asked.
 */
#ifndef KVMSTUB_VM_HOST_H
#define KVMSTUB_VM_HOST_H

#include <stdbool.h>

enum host_kind { HOST_HARDWARE, HOST_EMULATING };

/* What the probe measured: a breakpoint mechanism works when its exit reaches kvmstub. */
struct host_debug_caps {
    bool probed;
    bool ok;              /* the probe ran; when false, the fields below are guesses */
    bool int3_exits;      /* an INT3 reaches kvmstub (#BP exit, or an emulation failure) */
    bool int3_exits_real; /* the same in real mode */
    bool dr_exec;         /* debug-register instruction breakpoints fire */
    bool dr_data;         /* debug-register data watchpoints fire */
    bool step;            /* single-step exits (it does everywhere kvmstub runs) */
    bool step_sti_exact;  /* a single-step over STI stops right after it (the lane's host runs
                             the next instruction too: kvmstub then steps STI itself) */
    bool step_keeps_tf;   /* a second KVM_RUN steps one instruction again without guest debug
                             set anew: KVM's trap flag outlives a step's exit */
    bool step_exit_dr7;   /* a single-step exit carries DR7 (the CPU's own #DB intercept; not
                             on PVM, where no step exit does) */
    double probe_ms;      /* what the probe cost */
};

struct host {
    enum host_kind kind;
    struct host_debug_caps debug; /* see host_debug_caps() */
};

/* The host kind, from the system (cheap; asks every time). */
enum host_kind host_kind_detect(void);
const char *host_kind_name(enum host_kind kind);
/* Whether this kind of host can run guest ring-3 code (Linux user space). */
bool host_runs_user_space(enum host_kind kind);
/* What guest debugging honours here: probed once, on the first call (a few milliseconds; from
 * the controller, while the guest is stopped). */
const struct host_debug_caps *host_debug_caps(struct host *host, int kvm_fd);

#endif
