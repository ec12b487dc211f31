/* vm/vm.c — create, boot, run and tear down the VM. */
#include "vm/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "base/layout.h"
#include "vm/cpuid.h"
#include "vm/dev/devices.h"
#include "vm/kvm.h"
#include "vm/memslots.h"
#include "vm/mptable.h"
#include "vm/platform.h"
#include "vm/runctl.h"
#include "vm/vcpu.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/regdump.h"

static int vm_create_ram(struct vm *vm)
{
    uint64_t size = vm->cfg->ram_size;
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED)
        return diag_errno("cannot allocate %llu MiB of guest RAM",
                          (unsigned long long)(size >> 20));
    ram_init(&vm->ram, host, size);
    return memslots_init(vm);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
    memset(vm, 0, sizeof(*vm));
    vm->cfg = cfg;
    vm->kvm_fd = vm->vm_fd = vm->event_fd = -1;
    vm->console.out_fd = vm->console.in_fd = vm->console.listen_fd = -1; /* not open yet */
    vm->ncpus = cfg->cpus;
    vm->nrunning = cfg->cpus; /* every thread counts as running until it parks */
    for (int i = 0; i < VM_MAX_CPUS; i++) {
        vm->vcpus[i].vm = vm;
        vm->vcpus[i].id = i;
        vm->vcpus[i].fd = -1;
    }
    bus_init(&vm->io, BUS_IO, cfg->trace_io);
    bus_init(&vm->mmio, BUS_MMIO, cfg->trace_io);
    if (runctl_init(vm) < 0 || kvm_open_vm(vm) < 0)
        return -1;
    if (platform_create(vm) < 0 || vm_create_ram(vm) < 0)
        return -1;
    if (console_open(&vm->console, cfg->console) < 0)
        return -1;
    if (devices_init(vm) < 0)
        return -1;
    for (int i = 0; i < vm->ncpus; i++)
        if (vcpu_create(vm, i) < 0)
            return -1;
    return 0;
}

/* Linux without ACPI learns its CPUs and interrupt wiring from the MP table. */
static int vm_write_mptable(struct vm *vm)
{
    uint32_t eax, ebx, ecx, edx;
    __asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
    if (mptable_write(&vm->ram, vm->ncpus, eax, edx) < 0) {
        diag("guest RAM is too small for the MP table");
        return -1;
    }
    return 0;
}

int vm_setup_boot(struct vm *vm, const struct boot_state *boot)
{
    vm->linux_guest = boot->linux_guest;
    vm->boot_mode = boot->mode;
    memcpy(vm->link, boot->link, sizeof(vm->link));
    vm->nlink = boot->nlink;
    if (cpu_mode_write_tables(&vm->ram, boot->mode) < 0)
        return -1;
    if (boot->linux_guest && vm_write_mptable(vm) < 0)
        return -1;
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        if (cpuid_setup(vcpu) < 0 || platform_setup_vcpu(vcpu) < 0)
            return -1;
        /* Linux starts its other CPUs itself (INIT/SIPI through the in-kernel LAPIC); bare
         * guests get every vCPU at the entry point and tell them apart by APIC id. */
        if ((i == 0 || !boot->linux_guest) && cpu_mode_apply(vcpu, boot) < 0)
            return -1;
    }
    return 0;
}

int vm_start(struct vm *vm, bool running)
{
    /* Every thread starts parked (nothing is requested yet), so that all of them exist, and
     * can be kicked, before any vCPU runs. */
    for (int i = 0; i < vm->ncpus; i++)
        if (vcpu_start_thread(&vm->vcpus[i]) < 0) {
            runctl_end(vm, EXIT_SETUP);
            return -1;
        }
    if (running)
        runctl_resume(vm, NULL);
    else
        runctl_wait_parked(vm); /* the controller may change the memory map from now on */
    return 0;
}

int vm_wait(struct vm *vm)
{
    return runctl_wait_end(vm);
}

void vm_guest_reset(struct vm *vm)
{
    bool panicked = console_watch_seen(&vm->console_watch, CONSOLE_SAW_PANIC);
    runctl_end(vm, panicked ? EXIT_GUEST_PANIC : EXIT_GUEST_OK);
}

void vm_fatal(struct vcpu *vcpu, int status, int signal, const char *why)
{
    struct vm *vm = vcpu->vm;
    if (runctl_attached(vm)) {
        diag("vCPU %d: %s; stopped for the debugger (continuing ends the guest)", vcpu->id, why);
        vcpu->fatal_status = status;
        struct stop_event ev = {.kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = signal};
        runctl_report_stop(vcpu, &ev);
        return;
    }
    diag("vCPU %d: %s", vcpu->id, why);
    regdump_print(vcpu);
    runctl_end(vm, status);
}

void vm_explain_end(struct vm *vm, int status)
{
    if (status != EXIT_GUEST_PANIC)
        return;
    const struct console_watch *w = &vm->console_watch;
    if (vm->host.kind == HOST_EMULATING && console_watch_seen(w, CONSOLE_SAW_RUN_INIT) &&
        console_watch_seen(w, CONSOLE_SAW_INIT_DIED))
        diag("the kernel booted to user space, where this host stops it: its KVM (PVM) runs "
             "ring-3 code natively and init's first system call faults, so the kernel panics "
             "(expected here; a hardware-virtualization host runs user space)");
    else
        diag("the Linux guest panicked; its message is on the console");
}

void vm_destroy(struct vm *vm)
{
    runctl_end(vm, EXIT_GUEST_OK);
    for (int i = 0; i < vm->ncpus; i++)
        if (vm->vcpus[i].thread_started)
            pthread_join(vm->vcpus[i].thread, NULL);
    for (int i = 0; i < vm->ncpus; i++)
        vcpu_destroy(&vm->vcpus[i]);
    devices_destroy(vm);
    console_close(&vm->console);
    if (vm->debug_ops)
        vm->debug_ops->destroy(vm);
    memslots_destroy(vm);
    bus_destroy(&vm->mmio);
    bus_destroy(&vm->io);
    if (vm->ram.host)
        munmap(vm->ram.host, vm->ram.size);
    if (vm->ram.backing)
        munmap((void *)vm->ram.backing, vm->ram.size);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    runctl_destroy(vm);
}
