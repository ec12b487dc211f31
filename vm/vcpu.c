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

#include "vm/x86/cpu_mode.h"
#include "base/diag.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/emulation_failure.h"
#include "base/exit_status.h"
#include "debug/guest_debug.h"
#include "vm/runctl.h"
#include "debug/trap_step.h"
#include "vm/vm.h"

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
    trap_step_free(vcpu);
    if (vcpu->run)
        munmap(vcpu->run, vcpu->vm->run_size);
    if (vcpu->fd > 0)
        close(vcpu->fd);
    vcpu->run = NULL;
    vcpu->fd = -1;
}

static void vcpu_handle_io(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    ioport_dispatch(&vcpu->vm->io, vcpu, run->io.port, run->io.direction == KVM_EXIT_IO_OUT, data,
                    run->io.size, run->io.count);
    vcpu->io_pending = true;
    guest_debug_step_after_io(vcpu);
}

/* Physical memory that is not RAM: reads see all ones, writes are dropped. Under a debugger
 * the access also stops the guest (SIGBUS) so the developer can see who did it. */
static void vcpu_handle_unmapped_mmio(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    struct vm *vm = vcpu->vm;
    if (!run->mmio.is_write)
        memset(run->mmio.data, 0xFF, sizeof(run->mmio.data));
    if (vm->cfg->trace_io) {
        uint64_t v = 0;
        memcpy(&v, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
        diag("mmio: %s 0x%" PRIx64 " size %u %s 0x%" PRIx64 " (no device)",
             run->mmio.is_write ? "write" : "read ", (uint64_t)run->mmio.phys_addr, run->mmio.len,
             run->mmio.is_write ? "<-" : "->", v);
    }
    vcpu->io_pending = true;
    if (guest_debug_attached(vm)) {
        struct stop_event ev = {
            .kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = GDB_SIGNAL_BUS};
        diag("vCPU %d accessed 0x%" PRIx64 ", which is neither RAM nor a device", vcpu->id,
             (uint64_t)run->mmio.phys_addr);
        runctl_report_stop(vcpu, &ev);
    }
}

static void vcpu_handle_hlt(struct vcpu *vcpu)
{
    /* No in-kernel irqchip: nothing can ever interrupt this vCPU, so HLT ends it. */
    runctl_vcpu_done(vcpu);
}

static void vcpu_handle_exit(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    if (vcpu->vm->cfg->trace_exits)
        diag("vCPU %d: exit %u", vcpu->id, run->exit_reason);
    switch (run->exit_reason) {
    case KVM_EXIT_IO: vcpu_handle_io(vcpu); break;
    case KVM_EXIT_MMIO:
        if (!guest_debug_handle_mmio(vcpu))
            vcpu_handle_unmapped_mmio(vcpu);
        guest_debug_step_after_io(vcpu);
        break;
    case KVM_EXIT_HLT: vcpu_handle_hlt(vcpu); break;
    case KVM_EXIT_DEBUG: guest_debug_handle_exit(vcpu); break;
    case KVM_EXIT_SHUTDOWN:
        if (vcpu->vm->linux_guest)
            vm_guest_reset(vcpu->vm);
        else
            vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "triple fault (KVM_EXIT_SHUTDOWN)");
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
            emulate_failure(vcpu);
        else
            vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM internal error");
        break;
    case KVM_EXIT_FAIL_ENTRY:
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM could not enter the guest");
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        if (run->system_event.type == KVM_SYSTEM_EVENT_RESET ||
            run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
            vm_guest_reset(vcpu->vm);
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

/* One KVM_RUN and its exit, on whichever thread drives the vCPU. A vCPU resumed after a fatal
 * stop ends the guest instead. Returns false when the vCPU cannot run on (the guest ended or
 * is stopped on something fatal); a kick (EINTR) is not a failure. */
static bool vcpu_run_once(struct vcpu *vcpu)
{
    if (vcpu->fatal_status) {
        vm_end(vcpu->vm, vcpu->fatal_status); /* resumed after a fatal stop */
        return false;
    }
    if (guest_debug_prepare(vcpu) < 0) {
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "cannot set guest debug state");
        return false;
    }
    int r = ioctl(vcpu->fd, KVM_RUN, 0);
    vcpu->io_pending = false;
    cpu_regs_exited(vcpu);
    if (r < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return true; /* kicked: run control decides whether to park */
        diag_errno("KVM_RUN (vCPU %d)", vcpu->id);
        vm_fatal(vcpu, EXIT_GUEST_CRASH, GDB_SIGNAL_SEGV, "KVM_RUN failed");
        return false;
    }
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
    vcpu->thread_started = true;
    return 0;
}
