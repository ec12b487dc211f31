/* vm/msr_filter.c — KVM's MSR filter and the MSR exits it causes. */
#include "vm/msr_filter.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

/* Turn user-space MSR exits on for filtered MSRs (once per VM). */
static int msr_filter_enable_exits(struct vm *vm, char *err, size_t errlen)
{
    if (vm->msr_exits)
        return 0;
    if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0 ||
        ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0) {
        snprintf(err, errlen,
                 "this host's KVM has no MSR filter (KVM_CAP_X86_MSR_FILTER and "
                 "KVM_CAP_X86_USER_SPACE_MSR, Linux 5.10 and later)");
        return -1;
    }
    struct kvm_enable_cap cap = {.cap = KVM_CAP_X86_USER_SPACE_MSR};
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
        snprintf(err, errlen, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) failed: %s",
                 strerror(errno));
        return -1;
    }
    vm->msr_exits = true;
    return 0;
}

int msr_filter_set(struct vm *vm, const struct msr_filter_entry *e, size_t n, char *err,
                   size_t errlen)
{
    if (n > MSR_FILTER_MAX || n > KVM_MSR_FILTER_MAX_RANGES) {
        snprintf(err, errlen, "at most %d MSRs can be filtered", MSR_FILTER_MAX);
        return -1;
    }
    if (n == 0 && !vm->msr_exits)
        return 0; /* nothing was ever filtered */
    if (msr_filter_enable_exits(vm, err, errlen) < 0)
        return -1;
    struct kvm_msr_filter filter;
    memset(&filter, 0, sizeof(filter));
    filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    uint8_t deny[MSR_FILTER_MAX] = {0}; /* one bit per range, 0: the access exits */
    for (size_t i = 0; i < n; i++) {
        filter.ranges[i].flags =
            (e[i].read ? KVM_MSR_FILTER_READ : 0) | (e[i].write ? KVM_MSR_FILTER_WRITE : 0);
        filter.ranges[i].nmsrs = 1;
        filter.ranges[i].base = e[i].msr;
        filter.ranges[i].bitmap = &deny[i];
    }
    if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0) {
        snprintf(err, errlen, "KVM_X86_SET_MSR_FILTER failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void msr_filter_handle_exit(struct vcpu *vcpu)
{
    struct kvm_run *run = vcpu->run;
    bool is_write = run->exit_reason == KVM_EXIT_X86_WRMSR;
    uint64_t value = run->msr.data;
    int rc = is_write ? cpu_msr_write(vcpu, run->msr.index, value)
                      : cpu_msr_read(vcpu, run->msr.index, &value);
    run->msr.error = rc < 0; /* the guest's #GP, where KVM itself would have given one */
    if (!is_write)
        run->msr.data = rc < 0 ? 0 : value;
    const struct vm_debug_ops *ops = vcpu->vm->debug_ops;
    if (ops && rc == 0)
        ops->msr_done(vcpu, run->msr.index, is_write, value);
}
