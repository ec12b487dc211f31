/* debug/debug_target.c — the VM as the GDB stub's target: threads are vCPUs, memory is linear
 * (or physical with `monitor phys on`), run control is all-stop, the one file gdb may read is
 * the ELF image kvmstub booted. */
#include "debug/debug_target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/exit_status.h"
#include "debug/breakpoints.h"
#include "debug/guest_debug.h"
#include "debug/guest_mem.h"
#include "debug/kaslr.h"
#include "debug/monitor.h"
#include "debug/record.h"
#include "debug/replay.h"
#include "vm/runctl.h"
#include "vm/vcpu.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"

static struct vm *vm_of(void *t)
{
    return t;
}

/* gdb's thread ids are 1-based; anything out of range means "the current one" (vCPU 0). */
static struct vcpu *vcpu_of(struct vm *vm, int thread)
{
    return thread >= 1 && thread <= vm->ncpus ? &vm->vcpus[thread - 1] : &vm->vcpus[0];
}

static int dt_thread_count(void *t)
{
    return vm_of(t)->ncpus;
}

/* "CPU 1" and "64-bit long mode, halted (waiting for an interrupt)". */
static void dt_thread_info(void *t, int thread, struct target_thread_info *info)
{
    struct vm *vm = vm_of(t);
    struct vcpu *vcpu = vcpu_of(vm, thread);
    struct kvm_mp_state mp = {0};
    const char *state = vcpu->done ? "halted" : "stopped";
    if (!vcpu->done && vm->cfg->irqchip && ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) == 0) {
        if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED || mp.mp_state == KVM_MP_STATE_INIT_RECEIVED)
            state = "not started (waiting for SIPI)";
        else if (mp.mp_state == KVM_MP_STATE_HALTED)
            state = "halted (waiting for an interrupt)";
    }
    snprintf(info->name, sizeof(info->name), "CPU %d", vcpu->id);
    snprintf(info->state, sizeof(info->state), "%s, %s", cpu_mode_name(cpu_view_mode(vcpu)), state);
}

/* A debugger connects: the layout it gets (debug/cpu_view.h). */
static enum target_arch dt_arch(void *t)
{
    return cpu_view_connect(vm_of(t));
}

/* Registers as gdb sees them: read by `read` (all of them, or the core), then the view's pc. */
static int dt_regs_shown(void *t, int thread, struct x86_regs *regs,
                         int (*read)(struct vcpu *, struct x86_regs *))
{
    struct vm *vm = vm_of(t);
    struct vcpu *vcpu = vcpu_of(vm, thread);
    if (read(vcpu, regs) < 0)
        return -EIO;
    cpu_view_regs_out(vm, vcpu, regs);
    return 0;
}

static int dt_read_regs(void *t, int thread, struct x86_regs *regs)
{
    return dt_regs_shown(t, thread, regs, cpu_regs_read);
}

/* What a stop reply needs: from the register cache, or the copy KVM left in kvm_run. */
static int dt_read_core_regs(void *t, int thread, struct x86_regs *regs)
{
    return dt_regs_shown(t, thread, regs, cpu_regs_read_core);
}

static int dt_write_regs(void *t, int thread, const struct x86_regs *regs)
{
    struct vm *vm = vm_of(t);
    struct vcpu *vcpu = vcpu_of(vm, thread);
    struct x86_regs old, new = *regs;
    if (cpu_regs_read(vcpu, &old) < 0)
        return -EIO;
    int rc = cpu_view_regs_in(vm, vcpu, &old, &new);
    if (rc < 0)
        return rc;
    if (cpu_regs_write(vcpu, &old, &new) < 0)
        return -EIO;
    record_state_written(vm);
    catch_regs_written(vcpu);
    return 0;
}

static long dt_read_mem(void *t, int thread, uint64_t addr, void *buf, size_t len)
{
    struct vm *vm = vm_of(t);
    bool phys = vm->debug->phys;
    size_t n = guest_mem_copy(vcpu_of(vm, thread), addr, buf, len, false, phys);
    if (n == 0 && len > 0)
        return -EFAULT;
    bp_hide_in_read(&vm->debug->bps, addr, buf, n, phys);
    return (long)n;
}

static long dt_write_mem(void *t, int thread, uint64_t addr, const void *buf, size_t len)
{
    struct vm *vm = vm_of(t);
    bool phys = vm->debug->phys;
    size_t n = guest_mem_copy(vcpu_of(vm, thread), addr, (void *)buf, len, true, phys);
    if (n == 0 && len > 0)
        return -EFAULT;
    bp_after_write(vm, addr, buf, n, phys);
    record_state_written(vm);
    return (long)n;
}

/* Breakpoint addresses are translated with the page tables of the vCPU that stopped last. */
static struct vcpu *current_vcpu(struct vm *vm)
{
    struct stop_event ev;
    runctl_last_stop(vm, &ev);
    return vcpu_of(vm, ev.thread);
}

static int dt_insert_bp(void *t, enum bp_type type, uint64_t addr, uint64_t len,
                        const struct bp_agent *agent)
{
    struct vm *vm = vm_of(t);
    return bp_insert(vm, current_vcpu(vm), type, addr, len, agent);
}

static int dt_remove_bp(void *t, enum bp_type type, uint64_t addr, uint64_t len)
{
    return bp_remove(vm_of(t), type, addr, len);
}

/* Tell gdb's console why recording ended (it shows it before the stop). */
static void dt_say(struct vm *vm, const char *why)
{
    char line[256];
    snprintf(line, sizeof(line), "kvmstub: %s\n", why);
    bp_agent_output_put(vm, line);
}

static int dt_resume(void *t, const struct resume_action *actions)
{
    struct vm *vm = vm_of(t);
    char why[200];
    guest_debug_set_attached(vm, true);
    guest_debug_before_run(vm, current_vcpu(vm), actions);
    if (replay_forward_pending(vm)) {
        /* After going back: forwards re-executes the history, up to its end. */
        if (replay_forward(vm, &actions[0], why, sizeof(why)) == 0)
            return 0;
        dt_say(vm, why);
    }
    if (record_before_run(vm, why, sizeof(why)) < 0)
        dt_say(vm, why); /* recording ended; the guest runs on without it */
    struct vcpu *step = runctl_begin_inline_step(vm, actions);
    if (step) {
        vcpu_step_here(step);
        runctl_end_inline_step(step, true);
    } else {
        runctl_resume(vm, actions);
    }
    return 0;
}

static int dt_reverse(void *t, int thread, enum resume_kind kind, char *why, size_t whylen)
{
    (void)thread; /* one vCPU: reverse execution refuses more */
    return replay_reverse(vm_of(t), kind, why, whylen);
}

static void dt_interrupt(void *t)
{
    runctl_interrupt(vm_of(t));
}

static int dt_stop_fd(void *t)
{
    return vm_of(t)->event_fd;
}

static bool dt_get_stop(void *t, struct stop_event *ev)
{
    struct vm *vm = vm_of(t);
    if (!runctl_take_stop(vm, ev))
        return false;
    if (ev->kind != STOP_EXITED && ev->kind != STOP_TERMINATED)
        cpu_view_stopped(vm, vcpu_of(vm, ev->thread));
    return true;
}

static void dt_last_stop(void *t, struct stop_event *ev)
{
    runctl_last_stop(vm_of(t), ev);
}

static size_t dt_take_output(void *t, char *buf, size_t len)
{
    return bp_agent_output_take(vm_of(t), buf, len);
}

static int dt_monitor(void *t, const char *cmd, target_print_fn print, void *ctx)
{
    struct vm *vm = vm_of(t);
    return monitor_run(vm, current_vcpu(vm), cmd, print, ctx);
}

static void dt_detach(void *t)
{
    struct vm *vm = vm_of(t);
    guest_debug_before_run(vm, current_vcpu(vm), NULL);
    bp_remove_all(vm);
    record_stop(vm);
    vm->debug->phys = false;
    vm->debug->paging = -1;
    guest_debug_set_attached(vm, false);
    runctl_resume(vm, NULL);
}

static void dt_kill(void *t)
{
    runctl_end(vm_of(t), EXIT_KILLED);
}

static const char *dt_exec_file(void *t)
{
    return vm_of(t)->debug->exec_file;
}

static int dt_text_offset(void *t, uint64_t *offset)
{
    return kaslr_slide(vm_of(t), offset);
}

/* The region around addr as the vCPU's page walk (or `monitor phys on`) sees it. */
static int dt_memory_region(void *t, int thread, uint64_t addr, struct target_mem_region *r)
{
    struct vm *vm = vm_of(t);
    struct pagewalk_region pr;
    if (guest_mem_region(vcpu_of(vm, thread), addr, vm->debug->phys, &pr) < 0)
        return -EIO;
    *r = (struct target_mem_region){.start = pr.start,
                                    .size = pr.size,
                                    .mapped = pr.mapped,
                                    .write = pr.write,
                                    .exec = pr.exec};
    return 0;
}

/* `monitor phys` and QEMU's qqemu.PhyMemMode packets share this one setting. */
static bool dt_phys_mode(void *t)
{
    return vm_of(t)->debug->phys;
}

static void dt_set_phys_mode(void *t, bool phys)
{
    vm_of(t)->debug->phys = phys;
}

static const struct target_ops debug_target_ops = {
    .features = TARGET_FEATURE_RANGE_STEP | TARGET_FEATURE_BP_AGENT,
    .thread_count = dt_thread_count,
    .thread_info = dt_thread_info,
    .arch = dt_arch,
    .read_regs = dt_read_regs,
    .read_core_regs = dt_read_core_regs,
    .write_regs = dt_write_regs,
    .read_mem = dt_read_mem,
    .write_mem = dt_write_mem,
    .insert_bp = dt_insert_bp,
    .remove_bp = dt_remove_bp,
    .resume = dt_resume,
    .reverse = dt_reverse,
    .interrupt = dt_interrupt,
    .stop_fd = dt_stop_fd,
    .get_stop = dt_get_stop,
    .last_stop = dt_last_stop,
    .take_output = dt_take_output,
    .monitor = dt_monitor,
    .detach = dt_detach,
    .kill = dt_kill,
    .exec_file = dt_exec_file,
    .text_offset = dt_text_offset,
    .memory_region = dt_memory_region,
    .phys_mode = dt_phys_mode,
    .set_phys_mode = dt_set_phys_mode,
};

void debug_target_init(struct vm *vm, struct target *t, const struct cpu_view_options *view,
                       const char *exec_file)
{
    vm->debug->view = (struct cpu_view){.opts = *view};
    /* The path gdb is told, absolute and with no links, as gdb names its own files. */
    free(vm->debug->exec_file);
    vm->debug->exec_file = exec_file ? realpath(exec_file, NULL) : NULL;
    t->ops = &debug_target_ops;
    t->ctx = vm;
}
