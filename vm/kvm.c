/* vm/kvm.c — /dev/kvm: open it, check the API and capabilities, create the VM. */
#include "vm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/diag.h"
#include "vm/host.h"
#include "vm/vm.h"

#define KVM_DEVICE "/dev/kvm"

struct kvm_required_cap {
    int cap;
    const char *name;
};

static const struct kvm_required_cap kvm_required_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
    {KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS"},
};

static int kvm_open_device(void)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT)
        diag(KVM_DEVICE " does not exist: this host has no KVM (load kvm-intel or kvm-amd, or "
                        "enable nested virtualization)");
    else if (errno == EACCES || errno == EPERM)
        diag("cannot open " KVM_DEVICE ": permission denied (add yourself to the 'kvm' group, "
             "or run as root)");
    else
        diag_errno("cannot open " KVM_DEVICE);
    return -1;
}

int kvm_open_vm(struct vm *vm)
{
    vm->kvm_fd = kvm_open_device();
    if (vm->kvm_fd < 0)
        return -1;
    int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        diag("KVM API version %d, kvmstub needs %d", version, KVM_API_VERSION);
        return -1;
    }
    for (size_t i = 0; i < sizeof(kvm_required_caps) / sizeof(kvm_required_caps[0]); i++) {
        if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
            diag("this host's KVM lacks %s, which kvmstub needs", kvm_required_caps[i].name);
            return -1;
        }
    }
    vm->host.kind = host_kind_detect();
    vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vm->run_size <= 0)
        return diag_errno("KVM_GET_VCPU_MMAP_SIZE");
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        return diag_errno("KVM_CREATE_VM");
    /* Under a debugger, let KVM leave the registers in kvm_run at every exit: reading them
     * there saves the ioctls that cost several microseconds each on emulating hosts. */
    int sync = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    vm->sync_regs = vm->cfg->gdb && sync > 0 &&
                    (sync & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
                        (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
    int caps = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
    vm->guest_debug_caps = caps > 0 ? (uint32_t)caps : 0;
    if (vm->cfg->gdb && ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG) <= 0) {
        diag("this host's KVM lacks KVM_CAP_SET_GUEST_DEBUG: --gdb cannot work here");
        return -1;
    }
    return 0;
}
