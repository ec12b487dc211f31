/* vm/vcpu.c — one thread per vCPU: KVM_RUN and the dispatch of every exit. */
#include "vm/vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "base/x86.h"
#include "vm/msr_filter.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/dr7.h"
#include "vm/x86/emulation_failure.h"
#include "vm/x86/linear_mem.h"

int vcpu_create(struct vm *vm, int id)
{
    struct vcpu *vcpu = &vm->vcpus[id];
    vcpu->vm = vm;
    vcpu->id = id;
    vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
    if (vcpu->fd < 0)
        return diag_errno("KVM_CREATE_VCPU %d", id);
    vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
    if (vcpu->run == MAP_FAILED) {
        vcpu->run = NULL;
        return diag_errno("mmap of the kvm_run area of vCPU %d", id);
    }
    if (vm->sync_regs)
        vcpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
    return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
    if (vcpu->vm->debug_ops)
        vcpu->vm->debug_ops->vcpu_destroy(vcpu);
    if (vcpu->run)
        munmap(vcpu->run, vcpu->vm->run_size);
    if (vcpu->fd > 0)
        close(vcpu->fd);
    vcpu->run = NULL;
    vcpu->fd = -1;
}

/* A port or MMIO access was handled: KVM completes the instruction on the next KVM_RUN. */
static void vcpu_access_done(struct vcpu *vcpu)
{
    vcpu->io_pending = true;
    if (vcpu->vm->debug_ops)
        vcpu->vm->debug_ops->after_access(vcpu);
}

static void vcpu_handle_io(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
    const struct vm_debug_ops *ops = vcpu->vm->debug_ops;
    for (unsigned i = 0; i < run->io.count; i++, data += run->io.size) { /* string I/O */
        if (ops && ops->port_replayed(vcpu, run->io.port, is_write, data, run->io.size))
            continue;
        bus_dispatch(&vcpu->vm->io, vcpu, run->io.port, is_write, data, run->io.size);
        if (ops)
            ops->port_done(vcpu, run->io.port, is_write, data, run->io.size);
    }
    vcpu_access_done(vcpu);
}

/* An access to guest physical memory that is not RAM: a region of the MMIO bus (a trapped
 * page), or nothing, which reads as all ones and drops writes. Under a debugger an access to
 * nothing also stops the guest (SIGBUS) so the developer can see who did it. */
static void vcpu_handle_mmio(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct vm *vm = vcpu->vm;
    unsigned len = run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : sizeof(run->mmio.data);
    bool claimed =
        bus_dispatch(&vm->mmio, vcpu, run->mmio.phys_addr, run->mmio.is_write, run->mmio.data, len);
    if (!claimed && runctl_attached(vm)) {
        struct stop_event ev = {
            .kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = GDB_SIGNAL_BUS};
        diag("vCPU %d accessed 0x%" PRIx64 ", which is neither RAM nor a device", vcpu->id,
             (uint64_t)run->mmio.phys_addr);
        runctl_report_stop(vcpu, &ev);
    }
    vcpu_access_done(vcpu);
}

/* The state a vCPU has after INIT or reset: CS:IP f000:fff0 with base 0xffff0000. */
static bool vcpu_in_reset_state(struct vcpu *vcpu)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    return cpu_get_regs(vcpu, &r) == 0 && cpu_get_sregs(vcpu, &s) == 0 && r.rip == 0xFFF0 &&
           s.cs.selector == 0xF000 && s.cs.base == 0xFFFF0000ULL;
}

/* Whether a Linux guest's triple fault is its reboot (reboot=t, kvmstub's default command line,
 * and panic=-1's way out): its console said it was restarting or had panicked, or, where KVM
 * kept the vCPU's state through the shutdown, it was at the INT3 Linux's triple-fault reboot
 * runs after loading an empty IDT (idt_invalidate; a reboot whose message did not reach the
 * console, loglevel=0). The INT3 tells it from a crash before the kernel's first LIDT (kvmstub
 * starts it with an empty IDT) or in kexec's purgatory. Any other triple fault of a Linux guest
 * is a crash. */
static bool linux_reboot_by_triple_fault(struct vcpu *vcpu, bool reset_state)
{
    const struct console_watch *w = &vcpu->vm->console_watch;
    if (console_watch_seen(w, CONSOLE_SAW_RESTART) || console_watch_seen(w, CONSOLE_SAW_PANIC))
        return true;
    struct kvm_regs r;
    struct kvm_sregs s;
    uint8_t insn[2]; /* the byte before the pc too: after an INT3, where its delivery left it */
    if (reset_state || cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0 ||
        s.idt.limit != 0)
        return false;
    uint64_t pc = cpu_pc_linear(&r, &s);
    return pc > 0 && vcpu_mem_read(vcpu, pc - 1, insn, 2) &&
           (insn[0] == X86_INSN_INT3 || insn[1] == X86_INSN_INT3);
}

static void vcpu_handle_shutdown(struct vcpu *vcpu)
{
    bool reset_state = vcpu_in_reset_state(vcpu);
    if (vcpu->vm->linux_guest && linux_reboot_by_triple_fault(vcpu, reset_state)) {
        vm_guest_reset(vcpu->vm);
        return;
    }
    const char *crash = !vcpu->vm->linux_guest ? "triple fault (KVM_EXIT_SHUTDOWN)"
                        : reset_state ? "triple fault (KVM_EXIT_SHUTDOWN) of the Linux guest, not "
                                        "its reboot (no restart or panic on its console)"
                                      : "triple fault (KVM_EXIT_SHUTDOWN) of the Linux guest, not "
                                        "its reboot (no restart or panic on its console, an IDT "
                                        "in place)";
    vcpu->fatal_shutdown = reset_state ? SHUTDOWN_STATE_RESET : SHUTDOWN_STATE_KEPT;
    char why[320];
    snprintf(why, sizeof(why), "%s%s", crash,
             reset_state ? "; this host's KVM reset the vCPU on the shutdown (kvm_amd does, as AMD "
                           "hardware does), so its registers are the reset state, not those of "
                           "the faulting instruction"
                         : "");
    vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, why);
}

static void vcpu_handle_debug(struct vcpu *vcpu)
{
    if (vcpu->vm->debug_ops) {
        vcpu->vm->debug_ops->debug_exit(vcpu);
        return;
    }
    vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_TRAP, "debug exit without a debugger");
}

static void vcpu_handle_exit(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct vm *vm = vcpu->vm;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: vcpu_handle_io(vcpu); break;
    case KVM_EXIT_MMIO: vcpu_handle_mmio(vcpu); break;
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        msr_filter_handle_exit(vcpu);
        vcpu_access_done(vcpu);
        break;
    case KVM_EXIT_HLT:
        /* No in-kernel irqchip: nothing can ever interrupt this vCPU, so HLT ends it. */
        runctl_vcpu_done(vcpu);
        break;
    case KVM_EXIT_DEBUG: vcpu_handle_debug(vcpu); break;
    case KVM_EXIT_SHUTDOWN: vcpu_handle_shutdown(vcpu); break;
    case KVM_EXIT_INTERNAL_ERROR:
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
            emulation_failure_handle(vcpu);
        else if (run->internal.suberror != KVM_INTERNAL_ERROR_DELIVERY_EV || !vm->debug_ops ||
                 !vm->debug_ops->delivery_failed(vcpu))
            vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM internal error");
        break;
    case KVM_EXIT_FAIL_ENTRY:
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM could not enter the guest");
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_RESET ||
            run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
            vm_guest_reset(vm);
        else
            vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "unexpected KVM system event");
        break;
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR: break;
    default: {
        char why[64];
        snprintf(why, sizeof(why), "unhandled KVM exit reason %u", run->exit_reason);
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, why);
    }
    }
}

/* The exit KVM gives after a single-step (KVM_EXIT_DEBUG, #DB, DR6.BS), for an instruction
 * kvmstub executed itself. */
static void vcpu_step_trap(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct kvm_regs r;
    struct kvm_sregs s;
    uint64_t pc = 0;
    if (cpu_get_regs(vcpu, &r) == 0 && cpu_get_sregs(vcpu, &s) == 0)
        pc = cpu_pc_linear(&r, &s);
    run->exit_reason = KVM_EXIT_DEBUG;
    memset(&run->debug.arch, 0, sizeof(run->debug.arch));
    run->debug.arch.exception = X86_VECTOR_DB;
    run->debug.arch.dr6 = DR6_BS | DR6_FIXED_ONES;
    run->debug.arch.pc = pc;
}

/* --trace-exits: the exit, where, and what a debug exit or an internal error says. */
static void vcpu_trace_exit(struct vcpu *vcpu)
{
    const struct kvm_run *run = vcpu->run;
    struct kvm_regs r;
    unsigned long long rip = cpu_get_regs(vcpu, &r) == 0 ? r.rip : ~0ULL;
    if (run->exit_reason == KVM_EXIT_DEBUG)
        diag("vCPU %d: exit %u (debug) at rip 0x%llx: exception %u, pc 0x%llx, dr6 0x%llx",
             vcpu->id, run->exit_reason, rip, run->debug.arch.exception,
             (unsigned long long)run->debug.arch.pc, (unsigned long long)run->debug.arch.dr6);
    else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
        diag("vCPU %d: exit %u (internal error %u) at rip 0x%llx", vcpu->id, run->exit_reason,
             run->internal.suberror, rip);
    else
        diag("vCPU %d: exit %u at rip 0x%llx", vcpu->id, run->exit_reason, rip);
}

/* One KVM_RUN and its exit (or an instruction the debugger stepped itself, and its trap), on
 * whichever thread drives the vCPU. A vCPU resumed after a fatal
 * stop ends the guest instead. Returns false when the vCPU cannot run on (the guest ended or
 * is stopped on something fatal); a kick (EINTR) is not a failure. */
static bool vcpu_run_once(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    if (vcpu->fatal_status) {
        runctl_end(vm, vcpu->fatal_status); /* resumed after a fatal stop */
        return false;
    }
    int prepared = vm->debug_ops ? vm->debug_ops->prepare(vcpu) : 0;
    if (prepared < 0) {
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "cannot set guest debug state");
        return false;
    }
    int r = 0;
    if (prepared == VM_DEBUG_PREPARED_STEPPED) {
        vcpu_step_trap(vcpu); /* the debugger stepped the instruction: its registers are set */
        if (vm->cfg->trace_exits)
            diag("vCPU %d: the debugger stepped the instruction itself (STI, INT n or SYSCALL)",
                 vcpu->id);
    } else if (prepared == VM_DEBUG_PREPARED_EXIT) {
        if (vm->cfg->trace_exits)
            diag("vCPU %d: the debugger found its breakpoint at the pc before running it",
                 vcpu->id);
    } else {
        bool completing = vcpu->io_pending; /* KVM completes that access first */
        r = ioctl(vcpu->fd, KVM_RUN, 0);
        vcpu->io_pending = false;
        vcpu->event_injected = false;
        bool access_exit = r >= 0 && (vcpu->run->exit_reason == KVM_EXIT_IO ||
                                      vcpu->run->exit_reason == KVM_EXIT_MMIO);
        cpu_regs_exited(vcpu, completing || access_exit);
    }
    if (r < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return true; /* kicked: run control decides whether to park */
        diag_errno("KVM_RUN (vCPU %d)", vcpu->id);
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM_RUN failed");
        return false;
    }
    if (vm->cfg->trace_exits)
        vcpu_trace_exit(vcpu);
    if (!vm->debug_ops || !vm->debug_ops->exited(vcpu))
        vcpu_handle_exit(vcpu);
    return !vcpu->done;
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *vcpu = arg;
    char name[16];
    snprintf(name, sizeof(name), "vcpu%d", vcpu->id);
    pthread_setname_np(pthread_self(), name);
    while (runctl_wait_runnable(vcpu))
        vcpu_run_once(vcpu);
    return NULL;
}

void vcpu_step_here(struct vcpu *vcpu)
{
    for (;;) {
        bool stopped = runctl_stop_reported(vcpu->vm);
        if (stopped && !vcpu->io_pending)
            break;
        /* Once the step has stopped, only let KVM complete a pending access. */
        vcpu->run->immediate_exit = stopped;
        if (!vcpu_run_once(vcpu))
            break;
    }
    vcpu->run->immediate_exit = 0;
}

int vcpu_start_thread(struct vcpu *vcpu)
{
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, RUNCTL_KICK_SIGNAL);
    /* The vCPU thread takes only kicks; SIGINT and friends go to the main thread. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        errno = rc;
        return diag_errno("cannot start the thread of vCPU %d", vcpu->id);
    }
    runctl_thread_started(vcpu); /* from now on a kick signals the thread */
    return 0;
}
