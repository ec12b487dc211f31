/* bench/kvm_step.h — the floor under any stub's single-step: what one KVM single-step exit
 * costs on this host, measured with a bare VM (no stub, no threads, no sockets): KVM_RUN with
 * KVM_GUESTDBG_SINGLESTEP over 32-bit straight-line code, optionally with KVM_GET_REGS after
 * each exit as a stub needs for the pc. */
#ifndef KVMSTUB_BENCH_KVM_STEP_H
#define KVMSTUB_BENCH_KVM_STEP_H

#include <stdbool.h>
#include <stddef.h>

/* steps exits; 0 with *us the mean per exit, or -1 with a reason in err. */
int kvm_step_measure(int steps, bool get_regs, double *us, char *err, size_t errlen);

#endif
