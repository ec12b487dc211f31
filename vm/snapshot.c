/* vm/snapshot.c — taking and applying whole-machine snapshots (see snapshot.h). */
#include "vm/snapshot.h"
#include "vm/runctl.h"
#include "vm/snapshot_internal.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm/dev/devices.h"
#include "vm/snapshot_ram.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0
#define CPUID_MAX_ENTRIES     256

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < errlen && saved)
        snprintf(err + n, errlen - n, ": %s", strerror(saved));
    return -1;
}

static struct kvm_msrs *msrs_alloc(uint32_t n)
{
    return calloc(1, sizeof(struct kvm_msrs) + (n ? n : 1) * sizeof(struct kvm_msr_entry));
}

/* KVM's list of MSRs to save; NULL with a message. */
static struct kvm_msr_list *msr_index_list(struct vm *vm, char *err, size_t errlen)
{
    struct kvm_msr_list probe = {.nmsrs = 0};
    if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
        fail(err, errlen, "KVM_GET_MSR_INDEX_LIST");
        return NULL;
    }
    struct kvm_msr_list *list = calloc(1, sizeof(*list) + (probe.nmsrs + 1) * sizeof(uint32_t));
    if (!list) {
        errno = ENOMEM;
        fail(err, errlen, "the MSR list");
        return NULL;
    }
    list->nmsrs = probe.nmsrs;
    if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
        fail(err, errlen, "KVM_GET_MSR_INDEX_LIST");
        free(list);
        return NULL;
    }
    return list;
}

/* Every MSR of KVM's list that this vCPU reads back, with its value; NULL on failure.
 * KVM_GET_MSRS stops at the first MSR it cannot read (one the guest's CPUID lacks): that one is
 * left out and the rest read on. */
static struct kvm_msrs *read_msrs(struct vm *vm, struct vcpu *vcpu, char *err, size_t errlen)
{
    struct kvm_msr_list *list = msr_index_list(vm, err, errlen);
    if (!list)
        return NULL;
    struct kvm_msrs *out = msrs_alloc(list->nmsrs), *req = msrs_alloc(list->nmsrs);
    if (!out || !req) {
        errno = ENOMEM;
        fail(err, errlen, "vCPU %d's MSRs", vcpu->id);
        goto fail;
    }
    for (uint32_t next = 0; next < list->nmsrs;) {
        req->nmsrs = list->nmsrs - next;
        for (uint32_t i = 0; i < req->nmsrs; i++)
            req->entries[i] = (struct kvm_msr_entry){.index = list->indices[next + i]};
        int n = ioctl(vcpu->fd, KVM_GET_MSRS, req);
        if (n < 0) {
            fail(err, errlen, "KVM_GET_MSRS (vCPU %d)", vcpu->id);
            goto fail;
        }
        memcpy(out->entries + out->nmsrs, req->entries, n * sizeof(struct kvm_msr_entry));
        out->nmsrs += n;
        next += n + 1;
    }
    free(list);
    free(req);
    return out;
fail:
    free(list);
    free(req);
    free(out);
    return NULL;
}

/* Write them back; an MSR KVM refuses is acceptable only if it already holds the value. */
static int write_msrs(struct vcpu *vcpu, const struct kvm_msrs *msrs, char *err, size_t errlen)
{
    struct kvm_msrs *req = msrs_alloc(msrs->nmsrs);
    if (!req) {
        errno = ENOMEM;
        return fail(err, errlen, "vCPU %d's MSRs", vcpu->id);
    }
    int rc = 0;
    for (uint32_t next = 0; next < msrs->nmsrs && rc == 0;) {
        req->nmsrs = msrs->nmsrs - next;
        memcpy(req->entries, msrs->entries + next, req->nmsrs * sizeof(struct kvm_msr_entry));
        int n = ioctl(vcpu->fd, KVM_SET_MSRS, req);
        if (n < 0) {
            rc = fail(err, errlen, "KVM_SET_MSRS (vCPU %d)", vcpu->id);
            break;
        }
        next += n;
        if (next >= msrs->nmsrs)
            break;
        struct {
            struct kvm_msrs head;
            struct kvm_msr_entry entry;
        } one = {.head.nmsrs = 1, .entry.index = msrs->entries[next].index};
        if (ioctl(vcpu->fd, KVM_GET_MSRS, &one) != 1 ||
            one.entry.data != msrs->entries[next].data) {
            errno = 0;
            rc = fail(err, errlen, "KVM refused MSR 0x%x of vCPU %d", msrs->entries[next].index,
                      vcpu->id);
        }
        next++;
    }
    free(req);
    return rc;
}

static uint32_t xsave_size_of(struct vm *vm)
{
#ifdef KVM_CAP_XSAVE2
    int size = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
    if (size > (int)sizeof(struct kvm_xsave))
        return (uint32_t)size;
#endif
    (void)vm;
    return sizeof(struct kvm_xsave);
}

static int take_vcpu(struct snapshot *snap, struct vcpu *vcpu, char *err, size_t errlen)
{
    struct vcpu_snapshot *c = &snap->cpu[vcpu->id];
    int fd = vcpu->fd;
    c->done = runctl_vcpu_is_done(vcpu);
    c->fatal_status = vcpu->fatal_status; /* changes only while the vCPU is parked (vm.h) */
    c->fatal_shutdown = vcpu->fatal_shutdown;
    if (ioctl(fd, KVM_GET_REGS, &c->regs) < 0)
        return fail(err, errlen, "KVM_GET_REGS (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_GET_SREGS, &c->sregs) < 0)
        return fail(err, errlen, "KVM_GET_SREGS (vCPU %d)", vcpu->id);
    c->xsave = calloc(1, snap->xsave_size);
    if (!c->xsave) {
        errno = ENOMEM;
        return fail(err, errlen, "vCPU %d's XSAVE area", vcpu->id);
    }
    unsigned long get_xsave = KVM_GET_XSAVE;
#ifdef KVM_GET_XSAVE2
    if (snap->xsave_size > sizeof(struct kvm_xsave))
        get_xsave = KVM_GET_XSAVE2;
#endif
    if (ioctl(fd, get_xsave, c->xsave) < 0)
        return fail(err, errlen, "KVM_GET_XSAVE (vCPU %d)", vcpu->id);
    if (snap->has_xcrs && ioctl(fd, KVM_GET_XCRS, &c->xcrs) < 0)
        return fail(err, errlen, "KVM_GET_XCRS (vCPU %d)", vcpu->id);
    c->msrs = read_msrs(vcpu->vm, vcpu, err, errlen);
    if (!c->msrs)
        return -1;
    if (snap->irqchip && ioctl(fd, KVM_GET_LAPIC, &c->lapic) < 0)
        return fail(err, errlen, "KVM_GET_LAPIC (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_GET_VCPU_EVENTS, &c->events) < 0)
        return fail(err, errlen, "KVM_GET_VCPU_EVENTS (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_GET_MP_STATE, &c->mp_state) < 0)
        return fail(err, errlen, "KVM_GET_MP_STATE (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_GET_DEBUGREGS, &c->debugregs) < 0)
        return fail(err, errlen, "KVM_GET_DEBUGREGS (vCPU %d)", vcpu->id);
    c->cpuid = calloc(1, sizeof(*c->cpuid) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    if (!c->cpuid) {
        errno = ENOMEM;
        return fail(err, errlen, "vCPU %d's CPUID", vcpu->id);
    }
    c->cpuid->nent = CPUID_MAX_ENTRIES;
    if (ioctl(fd, KVM_GET_CPUID2, c->cpuid) < 0)
        return fail(err, errlen, "KVM_GET_CPUID2 (vCPU %d)", vcpu->id);
    return 0;
}

/* In KVM's order (as QEMU puts them): registers, XSAVE, XCRs, sregs, MSRs, MP state, LAPIC,
 * events, debug registers; the TSC deadline again after the LAPIC, whose timer mode resets it. */
static int apply_vcpu(const struct snapshot *snap, struct vcpu *vcpu, char *err, size_t errlen)
{
    const struct vcpu_snapshot *c = &snap->cpu[vcpu->id];
    int fd = vcpu->fd;
    if (ioctl(fd, KVM_SET_REGS, &c->regs) < 0)
        return fail(err, errlen, "KVM_SET_REGS (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_SET_XSAVE, c->xsave) < 0)
        return fail(err, errlen, "KVM_SET_XSAVE (vCPU %d)", vcpu->id);
    if (snap->has_xcrs && ioctl(fd, KVM_SET_XCRS, &c->xcrs) < 0)
        return fail(err, errlen, "KVM_SET_XCRS (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_SET_SREGS, &c->sregs) < 0)
        return fail(err, errlen, "KVM_SET_SREGS (vCPU %d)", vcpu->id);
    if (write_msrs(vcpu, c->msrs, err, errlen) < 0)
        return -1;
    if (ioctl(fd, KVM_SET_MP_STATE, &c->mp_state) < 0)
        return fail(err, errlen, "KVM_SET_MP_STATE (vCPU %d)", vcpu->id);
    if (snap->irqchip) {
        if (ioctl(fd, KVM_SET_LAPIC, &c->lapic) < 0)
            return fail(err, errlen, "KVM_SET_LAPIC (vCPU %d)", vcpu->id);
        for (uint32_t i = 0; i < c->msrs->nmsrs; i++) {
            if (c->msrs->entries[i].index != MSR_IA32_TSC_DEADLINE)
                continue;
            struct {
                struct kvm_msrs head;
                struct kvm_msr_entry entry;
            } one = {.head.nmsrs = 1, .entry = c->msrs->entries[i]};
            if (ioctl(fd, KVM_SET_MSRS, &one) != 1)
                return fail(err, errlen, "KVM_SET_MSRS TSC deadline (vCPU %d)", vcpu->id);
        }
    }
    struct kvm_vcpu_events events = c->events;
    events.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
                    KVM_VCPUEVENT_VALID_SHADOW;
    if (ioctl(fd, KVM_SET_VCPU_EVENTS, &events) < 0)
        return fail(err, errlen, "KVM_SET_VCPU_EVENTS (vCPU %d)", vcpu->id);
    if (ioctl(fd, KVM_SET_DEBUGREGS, &c->debugregs) < 0)
        return fail(err, errlen, "KVM_SET_DEBUGREGS (vCPU %d)", vcpu->id);
    runctl_restore_vcpu(vcpu, c->done, c->fatal_status, c->fatal_shutdown);
    cpu_regs_forget(vcpu);
    return 0;
}

static int take_platform(struct snapshot *snap, struct vm *vm, char *err, size_t errlen)
{
    if (!snap->irqchip)
        return 0;
    for (int i = 0; i < 3; i++) {
        snap->chips[i].chip_id = (uint32_t)i;
        if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &snap->chips[i]) < 0)
            return fail(err, errlen, "KVM_GET_IRQCHIP %d", i);
    }
    if (ioctl(vm->vm_fd, KVM_GET_PIT2, &snap->pit) < 0)
        return fail(err, errlen, "KVM_GET_PIT2");
    if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &snap->clock) < 0)
        return fail(err, errlen, "KVM_GET_CLOCK");
    return 0;
}

static int apply_platform(const struct snapshot *snap, struct vm *vm, char *err, size_t errlen)
{
    if (!snap->irqchip)
        return 0;
    struct kvm_clock_data clock = {.clock = snap->clock.clock};
    if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
        return fail(err, errlen, "KVM_SET_CLOCK");
    for (int i = 0; i < 3; i++)
        if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &snap->chips[i]) < 0)
            return fail(err, errlen, "KVM_SET_IRQCHIP %d", i);
    if (ioctl(vm->vm_fd, KVM_SET_PIT2, &snap->pit) < 0)
        return fail(err, errlen, "KVM_SET_PIT2");
    return 0;
}

struct snapshot *snapshot_take(struct vm *vm, char *err, size_t errlen)
{
    struct snapshot *snap = calloc(1, sizeof(*snap));
    if (!snap) {
        errno = ENOMEM;
        fail(err, errlen, "snapshot");
        return NULL;
    }
    snap->ncpus = vm->ncpus;
    snap->irqchip = vm->cfg->irqchip;
    snap->xsave_size = xsave_size_of(vm);
    snap->has_xcrs = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
    int rc = take_platform(snap, vm, err, errlen);
    for (int i = 0; i < vm->ncpus && rc == 0; i++)
        rc = take_vcpu(snap, &vm->vcpus[i], err, errlen);
    if (rc == 0) {
        snap->devices = devices_save(vm);
        snap->console = vm->console_watch; /* fed by vCPU threads: all are stopped */
        if (!snap->devices) {
            errno = ENOMEM;
            rc = fail(err, errlen, "the devices' state");
        }
    }
    if (rc == 0)
        rc = ram_copy_take(&snap->ram, vm->ram.host, vm->ram.backing, vm->ram.size, err, errlen);
    if (rc < 0) {
        snapshot_free(snap);
        return NULL;
    }
    return snap;
}

int snapshot_apply_cpu_and_devices(struct vm *vm, const struct snapshot *snap, char *err,
                                   size_t errlen)
{
    if (apply_platform(snap, vm, err, errlen) < 0)
        return -1;
    for (int i = 0; i < vm->ncpus; i++)
        if (apply_vcpu(snap, &vm->vcpus[i], err, errlen) < 0)
            return -1;
    devices_restore(vm, snap->devices);
    vm->console_watch = snap->console; /* every vCPU is stopped */
    return 0;
}

static int apply_all(struct vm *vm, const struct snapshot *snap, uint64_t *pages, char *err,
                     size_t errlen)
{
    if (ram_copy_apply(&snap->ram, vm->ram.host, vm->ram.backing, vm->ram.size, pages, err,
                       errlen) < 0)
        return -1;
    return snapshot_apply_cpu_and_devices(vm, snap, err, errlen);
}

int snapshot_apply(struct vm *vm, const struct snapshot *snap, uint64_t *pages_written, char *err,
                   size_t errlen)
{
    *pages_written = 0;
    if (snap->ncpus != vm->ncpus || snap->irqchip != vm->cfg->irqchip ||
        snap->ram.size != vm->ram.size) {
        errno = 0;
        return fail(err, errlen, "the snapshot is of another machine (vCPUs, irqchip or RAM)");
    }
    /* Nothing half-done: should KVM refuse a part, the machine goes back to how it was. */
    char undo_err[160];
    struct snapshot *undo = snapshot_take(vm, undo_err, sizeof(undo_err));
    if (!undo)
        return fail(err, errlen, "cannot keep the current state to fall back on (%s)", undo_err);
    int rc = apply_all(vm, snap, pages_written, err, errlen);
    if (rc < 0) {
        uint64_t ignored;
        size_t n = strlen(err);
        if (apply_all(vm, undo, &ignored, undo_err, sizeof(undo_err)) == 0)
            snprintf(err + n, errlen - n, "; the machine is as it was before");
        else
            snprintf(err + n, errlen - n, "; going back failed too (%s)", undo_err);
    }
    snapshot_free(undo);
    return rc;
}

void snapshot_free(struct snapshot *snap)
{
    if (!snap)
        return;
    for (int i = 0; i < VM_MAX_CPUS; i++) {
        free(snap->cpu[i].xsave);
        free(snap->cpu[i].msrs);
        free(snap->cpu[i].cpuid);
    }
    devices_state_free(snap->devices);
    ram_copy_free(&snap->ram);
    free(snap);
}

uint64_t snapshot_bytes(const struct snapshot *snap)
{
    uint64_t bytes = sizeof(*snap) + snap->ram.npages * 4096ULL;
    for (int i = 0; i < snap->ncpus; i++)
        bytes += snap->xsave_size + sizeof(struct kvm_msrs) +
                 snap->cpu[i].msrs->nmsrs * sizeof(struct kvm_msr_entry);
    return bytes;
}
