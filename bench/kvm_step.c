/* bench/kvm_step.c — a bare KVM VM that single-steps. Implements kvm_step.h. */
#include "bench/kvm_step.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/clock.h"

#define KS_RAM_SIZE        0x10000
#define KS_CODE_ADDR       0x1000
#define KS_STACK_ADDR      0x8000
#define KS_CR0_PE          0x1
#define KS_RFLAGS_RESERVED 0x2
#define KS_SEG_CODE        0xB /* execute/read, accessed */
#define KS_SEG_DATA        0x3 /* read/write, accessed */
/* `inc eax` (0x40) repeated, then `jmp` back to the start: a straight line with one branch. */
#define KS_INC_EAX   0x40
#define KS_CODE_INCS 64
#define KS_JMP_REL8  0xEB

struct kvm_vm {
    int kvm, vm, vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *ram;
};

static int ks_fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    return -1;
}

static struct kvm_segment ks_flat(uint8_t type, uint16_t selector)
{
    return (struct kvm_segment){.limit = 0xFFFFFFFF,
                                .selector = selector,
                                .type = type,
                                .present = 1,
                                .db = 1,
                                .s = 1,
                                .g = 1};
}

static void ks_write_code(uint8_t *code)
{
    memset(code, KS_INC_EAX, KS_CODE_INCS);
    code[KS_CODE_INCS] = KS_JMP_REL8;
    code[KS_CODE_INCS + 1] = (uint8_t) - (KS_CODE_INCS + 2);
}

static int ks_setup(struct kvm_vm *v, char *err, size_t errlen)
{
    if ((v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
        return ks_fail(err, errlen, "/dev/kvm");
    if ((v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0)) < 0)
        return ks_fail(err, errlen, "KVM_CREATE_VM");
    v->ram = mmap(NULL, KS_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v->ram == MAP_FAILED) {
        v->ram = NULL;
        return ks_fail(err, errlen, "mmap");
    }
    ks_write_code(v->ram + KS_CODE_ADDR);
    struct kvm_userspace_memory_region region = {.slot = 0,
                                                 .guest_phys_addr = 0,
                                                 .memory_size = KS_RAM_SIZE,
                                                 .userspace_addr = (uint64_t)(uintptr_t)v->ram};
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return ks_fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
    if ((v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0)) < 0)
        return ks_fail(err, errlen, "KVM_CREATE_VCPU");
    int size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < 0)
        return ks_fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
    v->run_size = (size_t)size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        return ks_fail(err, errlen, "mmap kvm_run");
    }
    struct kvm_sregs s;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        return ks_fail(err, errlen, "KVM_GET_SREGS");
    s.cs = ks_flat(KS_SEG_CODE, 0x8);
    s.ds = s.es = s.fs = s.gs = s.ss = ks_flat(KS_SEG_DATA, 0x10);
    s.cr0 |= KS_CR0_PE;
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        return ks_fail(err, errlen, "KVM_SET_SREGS");
    struct kvm_regs r = {.rip = KS_CODE_ADDR, .rsp = KS_STACK_ADDR, .rflags = KS_RFLAGS_RESERVED};
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
        return ks_fail(err, errlen, "KVM_SET_REGS");
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
    if (ioctl(v->vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return ks_fail(err, errlen, "KVM_SET_GUEST_DEBUG");
    return 0;
}

static void ks_teardown(struct kvm_vm *v)
{
    if (v->run)
        munmap(v->run, v->run_size);
    if (v->ram)
        munmap(v->ram, KS_RAM_SIZE);
    if (v->vcpu >= 0)
        close(v->vcpu);
    if (v->vm >= 0)
        close(v->vm);
    if (v->kvm >= 0)
        close(v->kvm);
}

/* Where the pc is after n single-steps from the start of the code. */
static uint64_t ks_pc_after(int n)
{
    return KS_CODE_ADDR + (uint64_t)(n % (KS_CODE_INCS + 1));
}

int kvm_step_measure(int steps, bool get_regs, double *us, char *err, size_t errlen)
{
    struct kvm_vm v = {.kvm = -1, .vm = -1, .vcpu = -1};
    int rc = ks_setup(&v, err, errlen);
    double t0 = clock_now_us();
    for (int i = 0; rc == 0 && i < steps; i++) {
        struct kvm_regs r;
        if (ioctl(v.vcpu, KVM_RUN, 0) < 0) {
            rc = ks_fail(err, errlen, "KVM_RUN");
        } else if (v.run->exit_reason != KVM_EXIT_DEBUG) {
            snprintf(err, errlen, "exit reason %u, not KVM_EXIT_DEBUG", v.run->exit_reason);
            rc = -1;
        } else if (get_regs && ioctl(v.vcpu, KVM_GET_REGS, &r) < 0) {
            rc = ks_fail(err, errlen, "KVM_GET_REGS");
        }
    }
    double t1 = clock_now_us();
    struct kvm_regs r;
    if (rc == 0 && ioctl(v.vcpu, KVM_GET_REGS, &r) < 0) {
        rc = ks_fail(err, errlen, "KVM_GET_REGS");
    } else if (rc == 0 && r.rip != ks_pc_after(steps)) {
        snprintf(err, errlen, "after %d steps the pc is 0x%llx, not 0x%llx", steps,
                 (unsigned long long)r.rip, (unsigned long long)ks_pc_after(steps));
        rc = -1;
    }
    if (rc == 0)
        *us = (t1 - t0) / steps;
    ks_teardown(&v);
    return rc;
}
