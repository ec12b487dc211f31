/* vm/host.c — the host kind, and the probe of what its guest debugging honours. */
#include "vm/host.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/layout.h"
#include "base/x86.h"
#include "vm/runctl.h"

#define HOST_PVM_MODULE "/sys/module/kvm_pvm"

/* The probe's scratch guest: 64 KiB of RAM, code at 0x1000, data at 0x2000, and for real mode
 * a vector table whose #BP entry points at a HLT. */
#define PROBE_RAM        0x10000ULL
#define PROBE_CODE       0x1000
#define PROBE_DATA       0x2000
#define PROBE_RM_HANDLER 0x500
#define PROBE_TIMEOUT_NS 500000000L /* a probe run that does not exit by then: "no" */
#define PROBE_DR7_UNSET  (~0ULL)    /* no DR7 holds this: an exit that left it wrote none */

enum host_kind host_kind_detect(void)
{
    return access(HOST_PVM_MODULE, F_OK) == 0 ? HOST_EMULATING : HOST_HARDWARE;
}

const char *host_kind_name(enum host_kind kind)
{
    return kind == HOST_EMULATING ? "emulating (PVM: guest kernel code runs in KVM's emulator)"
                                  : "hardware virtualization";
}

bool host_runs_user_space(enum host_kind kind)
{
    return kind == HOST_HARDWARE;
}

struct probe {
    int vm_fd;
    int run_size;
    uint8_t *ram;
    int next_vcpu;
    timer_t timer;
    bool timer_made;
};

/* `runs` runs of the code at PROBE_CODE on a fresh vCPU, in real or flat protected mode, with
 * guest debugging set to dbg once, before the first. Fills exit_reason[i] (0 when that run timed
 * out or failed, and for the runs after it) and debug[i], the debug exit's details. */
static void probe_runs(struct probe *p, const uint8_t *code, size_t len, bool real_mode,
                       const struct kvm_guest_debug *dbg, int runs, uint32_t *exit_reason,
                       struct kvm_debug_exit_arch *debug)
{
    for (int i = 0; i < runs; i++)
        exit_reason[i] = 0;
    memcpy(p->ram + PROBE_CODE, code, len);
    int fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, p->next_vcpu++);
    if (fd < 0)
        return;
    struct kvm_run *run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct kvm_sregs s;
    if (run == MAP_FAILED || ioctl(fd, KVM_GET_SREGS, &s) < 0)
        goto out;
    if (real_mode) {
        s.cs.selector = 0;
        s.cs.base = 0;
    } else {
        struct kvm_segment cs = {
            .limit = 0xFFFFFFFF, .selector = 8, .type = 0xB, .present = 1, .db = 1, .s = 1, .g = 1};
        struct kvm_segment ds = cs;
        ds.type = 0x3;
        ds.selector = 16;
        s.cs = cs;
        s.ds = s.es = s.fs = s.gs = s.ss = ds;
        s.cr0 |= X86_CR0_PE;
        s.idt.limit = 0; /* an exception the guest gets ends in a triple fault: an exit */
    }
    struct kvm_regs r = {.rip = PROBE_CODE, .rflags = X86_RFLAGS_RESERVED, .rsp = 0x8000};
    if (ioctl(fd, KVM_SET_SREGS, &s) < 0 || ioctl(fd, KVM_SET_REGS, &r) < 0 ||
        ioctl(fd, KVM_SET_GUEST_DEBUG, dbg) < 0)
        goto out;
    for (int i = 0; i < runs; i++) {
        struct itimerspec limit = {.it_value.tv_nsec = PROBE_TIMEOUT_NS};
        timer_settime(p->timer, 0, &limit, NULL);
        run->debug.arch.dr7 = PROBE_DR7_UNSET;
        int rc = ioctl(fd, KVM_RUN, 0);
        struct itimerspec off = {0};
        timer_settime(p->timer, 0, &off, NULL);
        if (rc != 0)
            break;
        exit_reason[i] = run->exit_reason;
        debug[i] = run->debug.arch;
    }
out:
    if (run != MAP_FAILED)
        munmap(run, p->run_size);
    close(fd);
}

static void probe_run(struct probe *p, const uint8_t *code, size_t len, bool real_mode,
                      const struct kvm_guest_debug *dbg, uint32_t *exit_reason,
                      struct kvm_debug_exit_arch *debug)
{
    probe_runs(p, code, len, real_mode, dbg, 1, exit_reason, debug);
}

static bool probe_int3(struct probe *p, bool real_mode)
{
    static const uint8_t code[] = {X86_INSN_INT3, 0xF4 /* hlt */};
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP};
    uint32_t reason;
    struct kvm_debug_exit_arch d;
    probe_run(p, code, sizeof(code), real_mode, &dbg, &reason, &d);
    return (reason == KVM_EXIT_DEBUG && d.exception == X86_VECTOR_BP) ||
           reason == KVM_EXIT_INTERNAL_ERROR; /* emulating hosts: kvmstub delivers INT3 itself */
}

static bool probe_dr(struct probe *p, bool data)
{
    static const uint8_t exec_code[] = {0x90, 0x90, 0xF4};                   /* nop nop hlt */
    static const uint8_t data_code[] = {0xA3, 0x00, 0x20, 0x00, 0x00, 0xF4}; /* mov [0x2000],eax */
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP};
    dbg.arch.debugreg[0] = data ? PROBE_DATA : PROBE_CODE + 1;
    /* slot 0, global; data: write, 4 bytes (RW 01, LEN 11) */
    dbg.arch.debugreg[7] = 0x600 | 0x2 | (data ? (1ULL << 16) | (3ULL << 18) : 0);
    uint32_t reason;
    struct kvm_debug_exit_arch d;
    if (data)
        probe_run(p, data_code, sizeof(data_code), false, &dbg, &reason, &d);
    else
        probe_run(p, exec_code, sizeof(exec_code), false, &dbg, &reason, &d);
    return reason == KVM_EXIT_DEBUG && (d.dr6 & 1);
}

static bool probe_step(struct probe *p)
{
    static const uint8_t code[] = {0x90, 0xF4};
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
    uint32_t reason;
    struct kvm_debug_exit_arch d;
    probe_run(p, code, sizeof(code), false, &dbg, &reason, &d);
    return reason == KVM_EXIT_DEBUG;
}

/* Two single-steps, guest debugging set once, before the first: whether the second stops after
 * one instruction too (KVM's trap flag outlived the first step's exit), and whether a step's
 * exit carries DR7 (the CPU's own #DB intercept copies it; KVM's emulator stepping an
 * instruction writes none). */
static void probe_step_twice(struct probe *p, bool *keeps_tf, bool *exit_dr7)
{
    static const uint8_t code[] = {0x90, 0x90, 0x90, 0xF4};
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
    uint32_t reason[2];
    struct kvm_debug_exit_arch d[2];
    probe_runs(p, code, sizeof(code), false, &dbg, 2, reason, d);
    *keeps_tf = reason[0] == KVM_EXIT_DEBUG && reason[1] == KVM_EXIT_DEBUG &&
                d[0].pc == PROBE_CODE + 1 && d[1].pc == PROBE_CODE + 2;
    *exit_dr7 = reason[0] == KVM_EXIT_DEBUG && d[0].dr7 != PROBE_DR7_UNSET;
}

/* A single-step over STI (IF clear, so it sets up its interrupt shadow) that stops right after
 * it, not after the instruction behind it too. */
static bool probe_step_sti(struct probe *p)
{
    static const uint8_t code[] = {X86_INSN_STI, 0x90, 0x90, 0xF4};
    struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
    uint32_t reason;
    struct kvm_debug_exit_arch d;
    probe_run(p, code, sizeof(code), false, &dbg, &reason, &d);
    return reason != KVM_EXIT_DEBUG || d.pc == PROBE_CODE + 1;
}

static int probe_open(struct probe *p, int kvm_fd)
{
    memset(p, 0, sizeof(*p));
    p->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    p->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (p->run_size <= 0 || p->vm_fd < 0)
        return diag_errno("host probe: KVM_CREATE_VM");
    if (ioctl(p->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_TSS) < 0)
        return diag_errno("host probe: KVM_SET_TSS_ADDR");
    p->ram = mmap(NULL, PROBE_RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p->ram == MAP_FAILED) {
        p->ram = NULL;
        return diag_errno("host probe: mmap");
    }
    struct kvm_userspace_memory_region region = {.memory_size = PROBE_RAM,
                                                 .userspace_addr = (uint64_t)(uintptr_t)p->ram};
    if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return diag_errno("host probe: KVM_SET_USER_MEMORY_REGION");
    /* Real mode: vector 3 points at a HLT, so an INT3 the guest takes exits as HLT. */
    uint16_t ivt_bp[2] = {PROBE_RM_HANDLER, 0};
    memcpy(p->ram + 4 * X86_VECTOR_BP, ivt_bp, sizeof(ivt_bp));
    p->ram[PROBE_RM_HANDLER] = 0xF4;
    /* A run that never exits is ended by the kick signal (its handler is run control's). */
    struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = RUNCTL_KICK_SIGNAL};
    sev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &p->timer) < 0)
        return diag_errno("host probe: timer_create");
    p->timer_made = true;
    return 0;
}

static void probe_close(struct probe *p)
{
    if (p->timer_made)
        timer_delete(p->timer);
    if (p->ram)
        munmap(p->ram, PROBE_RAM);
    if (p->vm_fd > 0)
        close(p->vm_fd);
}

const struct host_debug_caps *host_debug_caps(struct host *host, int kvm_fd)
{
    struct host_debug_caps *c = &host->debug;
    if (c->probed)
        return c;
    c->probed = true;
    /* Guesses in case the probe cannot run: what each kind does on real hardware. */
    bool emulating = host->kind == HOST_EMULATING;
    c->int3_exits = true;
    c->int3_exits_real = !emulating;
    c->dr_exec = true;
    c->dr_data = !emulating;
    c->step = true;
    c->step_sti_exact = true;
    c->step_keeps_tf = false;
    c->step_exit_dr7 = !emulating;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct probe p;
    if (probe_open(&p, kvm_fd) == 0) {
        c->int3_exits = probe_int3(&p, false);
        c->int3_exits_real = probe_int3(&p, true);
        c->dr_exec = probe_dr(&p, false);
        c->dr_data = probe_dr(&p, true);
        c->step = probe_step(&p);
        c->step_sti_exact = probe_step_sti(&p);
        probe_step_twice(&p, &c->step_keeps_tf, &c->step_exit_dr7);
        c->ok = true;
    } else {
        diag("could not probe this host's guest debugging; assuming a %s host",
             host_kind_name(host->kind));
    }
    probe_close(&p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c->probe_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    return c;
}
