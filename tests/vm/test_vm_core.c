/* tests/vm/test_vm_core.c — run control, the memory map, breakpoints and the register cache,
 * tested on a real VM in this process (tests/vm/vmtest.h). */
#include <stdio.h>
#include <string.h>

#include "debug/breakpoints.h"
#include "debug/guest_debug.h"
#include "tests/unit/check.h"
#include "tests/vm/vmtest.h"
#include "vm/host.h"
#include "vm/memslots.h"

#define STOP_TIMEOUT_MS 10000

static struct vmtest *start(const char *guest, int cpus)
{
    struct vmtest *t = vmtest_new(guest, cpus);
    CHECK(t != NULL);
    return t;
}

/* Run smp64's vCPUs until each has bumped its counter (guest RAM read as it runs, at most
 * STOP_TIMEOUT_MS), then stop them all with an interrupt. */
static void run_then_interrupt(struct vmtest *t)
{
    struct stop_event ev;
    const volatile uint64_t *counters =
        ram_ptr(&t->vm.ram, vmtest_symbol(t, "counters"), 2 * sizeof(uint64_t));
    CHECK(counters != NULL);
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    for (int waited = 0; counters && waited < STOP_TIMEOUT_MS && !(counters[0] && counters[1]);
         waited++)
        CHECK(!vmtest_stop_ready(t, 1)); /* it runs */
    t->ops->interrupt(t->target.ctx);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(ev.kind, STOP_SIGNAL);
    CHECK_EQ(ev.signal, GDB_SIGNAL_INT);
}

static void all_stop_parks_every_vcpu(void)
{
    struct vmtest *t = start("smp64", 2);
    if (!t)
        return;
    uint64_t counters = vmtest_symbol(t, "counters");
    run_then_interrupt(t);
    CHECK_EQ(t->vm.nrunning, 0);
    uint64_t c0 = vmtest_read_u64(t, 1, counters), c1 = vmtest_read_u64(t, 1, counters + 8);
    CHECK(c0 > 0 && c1 > 0);
    CHECK(!vmtest_stop_ready(t, 50)); /* nothing more happens while stopped */
    CHECK_EQ(vmtest_read_u64(t, 1, counters), c0);
    CHECK_EQ(vmtest_read_u64(t, 1, counters + 8), c1);
    vmtest_free(t);
}

static void a_step_of_one_vcpu_leaves_the_others_parked(void)
{
    struct vmtest *t = start("smp64", 2);
    if (!t)
        return;
    uint64_t counters = vmtest_symbol(t, "counters");
    run_then_interrupt(t);
    uint64_t c0 = vmtest_read_u64(t, 1, counters), c1 = vmtest_read_u64(t, 1, counters + 8);
    for (int i = 0; i < 12; i++) {
        struct stop_event ev;
        CHECK_EQ(vmtest_resume_one(t, 2, RESUME_STEP), 0);
        CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
        CHECK_EQ(ev.kind, STOP_SIGNAL);
        CHECK_EQ(ev.signal, GDB_SIGNAL_TRAP);
        CHECK_EQ(ev.thread, 2);
    }
    CHECK_EQ(vmtest_read_u64(t, 1, counters), c0);   /* CPU 0 never ran */
    CHECK(vmtest_read_u64(t, 1, counters + 8) > c1); /* CPU 1's loop went round */
    vmtest_free(t);
}

static void software_breakpoint_is_hit_and_hidden(void)
{
    struct vmtest *t = start("spin64", 1);
    if (!t)
        return;
    uint64_t spin = vmtest_symbol(t, "spin"), release = vmtest_symbol(t, "release");
    uint8_t before[4], after[4];
    CHECK_EQ(t->ops->read_mem(t->target.ctx, 1, spin, before, 4), 4);
    CHECK_EQ(t->ops->insert_bp(t->target.ctx, BP_SOFTWARE, spin, 1, NULL), 0);
    CHECK_EQ(t->ops->read_mem(t->target.ctx, 1, spin, after, 4), 4);
    CHECK(memcmp(before, after, 4) == 0); /* the INT3 does not show */
    struct stop_event ev;
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(ev.kind, STOP_SWBREAK);
    CHECK_EQ(vmtest_rip(t, 1), spin);
    CHECK_EQ(t->ops->remove_bp(t->target.ctx, BP_SOFTWARE, spin, 1), 0);
    vmtest_write_u64(t, 1, release, 1);
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(ev.kind, STOP_EXITED);
    CHECK_EQ(ev.exit_status, 1);
    vmtest_free(t);
}

/* The mechanism of the breakpoint of this type at addr, or -1 when there is none. */
static int mech_of(const struct vmtest *t, enum bp_type type, uint64_t addr)
{
    const struct bp_table *bps = &t->vm.debug->bps;
    for (int i = 0; i < bps->n; i++)
        if (bps->items[i].type == type && bps->items[i].addr == addr && !bps->items[i].is_catch)
            return bps->items[i].mech;
    return -1;
}

/* Placed, looked at, removed: the mechanism it had (-1 when the insert was refused). */
static int placed_as(struct vmtest *t, enum bp_type type, uint64_t addr, uint64_t len)
{
    if (t->ops->insert_bp(t->target.ctx, type, addr, len, NULL) != 0)
        return -1;
    int mech = mech_of(t, type, addr);
    CHECK_EQ(t->ops->remove_bp(t->target.ctx, type, addr, len), 0);
    CHECK_EQ(mech_of(t, type, addr), -1);
    return mech;
}

/* Each kind of breakpoint gets what `break-mode` and `watch-mode` ask and the host honours
 * (vm/host.h: probed once): INT3 or a debug register where they fire, traps where not. */
static void each_breakpoint_gets_the_mechanism_its_mode_and_host_allow(void)
{
    struct vmtest *t = start("spin64", 1);
    if (!t)
        return;
    const struct host_debug_caps *c = host_debug_caps(&t->vm.host, t->vm.kvm_fd);
    struct bp_table *bps = &t->vm.debug->bps;
    uint64_t spin = vmtest_symbol(t, "spin"), spins = vmtest_symbol(t, "spins");
    fprintf(stderr, "(this host: INT3 %s, debug-register breakpoints %s, watchpoints %s)\n",
            c->int3_exits ? "exits" : "does not exit", c->dr_exec ? "fire" : "do not fire",
            c->dr_data ? "fire" : "do not fire");
    CHECK_EQ(placed_as(t, BP_SOFTWARE, spin, 1), c->int3_exits ? MECH_INT3
                                                 : c->dr_exec  ? MECH_DEBUG_REG
                                                               : MECH_EXEC_TRAP);
    CHECK_EQ(placed_as(t, BP_HARDWARE, spin, 1), c->dr_exec ? MECH_DEBUG_REG : MECH_EXEC_TRAP);
    CHECK_EQ(placed_as(t, WP_WRITE, spins, 8), c->dr_data ? MECH_DEBUG_REG : MECH_MEMORY_TRAP);
    CHECK_EQ(placed_as(t, WP_ACCESS, spins, 8), c->dr_data ? MECH_DEBUG_REG : MECH_MEMORY_TRAP);
    CHECK_EQ(placed_as(t, WP_READ, spins, 8), MECH_MEMORY_TRAP);   /* no DR watches reads alone */
    CHECK_EQ(placed_as(t, WP_WRITE, spins, 64), MECH_MEMORY_TRAP); /* more than 4 DRs hold */
    bps->break_mode = BREAK_MODE_TRAP;
    CHECK_EQ(placed_as(t, BP_SOFTWARE, spin, 1), MECH_EXEC_TRAP);
    CHECK_EQ(placed_as(t, BP_HARDWARE, spin, 1), MECH_EXEC_TRAP);
    bps->break_mode = BREAK_MODE_INT3;
    CHECK_EQ(placed_as(t, BP_SOFTWARE, spin, 1), MECH_INT3);
    bps->break_mode = BREAK_MODE_AUTO;
    bps->watch_mode = WATCH_MODE_TRAP;
    CHECK_EQ(placed_as(t, WP_WRITE, spins, 8), MECH_MEMORY_TRAP);
    bps->watch_mode = WATCH_MODE_DR; /* refused where debug registers would never fire */
    CHECK_EQ(placed_as(t, WP_WRITE, spins, 8), c->dr_data ? (int)MECH_DEBUG_REG : -1);
    bps->watch_mode = WATCH_MODE_AUTO;
    CHECK_EQ(bps->n, 0);
    vmtest_free(t);
}

static void the_memory_map_cannot_change_under_a_running_vcpu(void)
{
    struct vmtest *t = start("spin64", 1);
    if (!t)
        return;
    uint64_t spins = vmtest_symbol(t, "spins"); /* identity-mapped: linear = physical */
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    fprintf(stderr, "(an internal error about the memory map is expected next)\n");
    CHECK_EQ(memslots_trap_page(&t->vm, NULL, spins, guest_debug_trapped_access, &t->vm), -1);
    CHECK(!memslots_page_trapped(&t->vm, spins));
    t->ops->interrupt(t->target.ctx);
    struct stop_event ev;
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(memslots_trap_page(&t->vm, NULL, spins, guest_debug_trapped_access, &t->vm), 0);
    CHECK(memslots_page_trapped(&t->vm, spins));
    CHECK_EQ(memslots_untrap_page(&t->vm, NULL, spins), 0);
    CHECK(!memslots_page_trapped(&t->vm, spins));
    vmtest_free(t);
}

static void a_trap_step_keeps_the_other_vcpu_off_the_map(void)
{
    struct vmtest *t = start("maprace64", 2);
    if (!t)
        return;
    uint64_t watched = vmtest_symbol(t, "watched");
    t->vm.debug->bps.watch_mode = WATCH_MODE_TRAP; /* a debug register would change no map */
    /* CPU 1 keeps to its own pages here (maprace64's `shared` unset); the gdb test
     * map_change_never_under_a_running_vcpu has it use the trapped page too. */
    CHECK_EQ(t->ops->insert_bp(t->target.ctx, WP_WRITE, watched, 8, NULL), 0);
    CHECK(memslots_page_trapped(&t->vm, watched));
    struct stop_event ev;
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    CHECK(vmtest_wait_stop(t, 60000, &ev));
    CHECK_EQ(ev.kind, STOP_EXITED);
    CHECK_EQ(ev.exit_status, 1); /* CPU 1 never saw its RAM change */
    vmtest_free(t);
}

/* Write protection (INT3 pages) and traps share a page's entry: the page is RAM in a read-only
 * slot of its own while only protected, a hole while trapped too. */
static void a_protected_page_is_read_only_ram_until_trapped(void)
{
    struct vmtest *t = start("selfmod64", 1);
    if (!t)
        return;
    struct vm *vm = &t->vm;
    if (!vm->memslots.readonly_ok) {
        fprintf(stderr, "(this host has no read-only memory slots: nothing to test)\n");
        vmtest_free(t);
        return;
    }
    uint64_t target = vmtest_symbol(t, "target"); /* identity-mapped: linear = physical */
    int slots = vm->memslots.nslots;
    /* The controller's changes reach KVM at the next resume (memslots_sync), once. */
    CHECK_EQ(memslots_protect_page(vm, NULL, target, guest_debug_trapped_access, vm), 0);
    CHECK(!memslots_page_trapped(vm, target));
    CHECK_EQ(vm->memslots.nslots, slots);
    CHECK(vm->memslots.stale);
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK_EQ(vm->memslots.nslots, slots + 2); /* the page between the RAM around it */
    CHECK_EQ(memslots_trap_page(vm, NULL, target, guest_debug_trapped_access, vm), 0);
    CHECK(memslots_page_trapped(vm, target));
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK_EQ(vm->memslots.nslots, slots + 1); /* a hole */
    CHECK_EQ(memslots_untrap_page(vm, NULL, target), 0);
    CHECK(!memslots_page_trapped(vm, target));
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK_EQ(vm->memslots.nslots, slots + 2);
    /* Taken away and given back before a resume (gdb at every stop): KVM's map stays. */
    const struct memslot_range *applied = vm->memslots.applied;
    CHECK_EQ(memslots_unprotect_page(vm, NULL, target), 0);
    CHECK_EQ(memslots_protect_page(vm, NULL, target, guest_debug_trapped_access, vm), 0);
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK(vm->memslots.applied == applied); /* not registered again */
    /* Taken away for a step and given back for the continue (gdb's continue from a
     * breakpoint: z0 s Z0 c): the step runs with the protection lingering, KVM's map stays. */
    CHECK_EQ(memslots_unprotect_page(vm, NULL, target), 0);
    CHECK_EQ(memslots_sync(vm, true), 0);
    CHECK(vm->memslots.applied == applied);
    CHECK_EQ(memslots_protect_page(vm, NULL, target, guest_debug_trapped_access, vm), 0);
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK(vm->memslots.applied == applied);
    /* A lingering protection is lifted at once when asked (a write KVM could not complete). */
    CHECK_EQ(memslots_unprotect_page(vm, NULL, target), 0);
    CHECK_EQ(memslots_lift_lingering(vm, NULL), 1);
    CHECK_EQ(memslots_lift_lingering(vm, NULL), 0);
    CHECK_EQ(memslots_sync(vm, true), 0);
    CHECK_EQ(vm->memslots.nslots, slots);
    CHECK_EQ(vm->memslots.ntrapped, 0);
    /* A run that is not only steps lifts it. */
    CHECK_EQ(memslots_protect_page(vm, NULL, target, guest_debug_trapped_access, vm), 0);
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK_EQ(vm->memslots.nslots, slots + 2);
    CHECK_EQ(memslots_unprotect_page(vm, NULL, target), 0);
    CHECK_EQ(memslots_sync(vm, true), 0);
    CHECK_EQ(vm->memslots.nslots, slots + 2);
    CHECK_EQ(memslots_sync(vm, false), 0);
    CHECK_EQ(vm->memslots.nslots, slots);
    CHECK_EQ(vm->memslots.ntrapped, 0);
    vmtest_free(t);
}

/* An INT3 survives the guest copying new code over it (selfmod64): hit at target, the new code
 * shown to the debugger and run once the breakpoint is gone. */
static void an_int3_survives_the_guest_writing_over_it(void)
{
    struct vmtest *t = start("selfmod64", 1);
    if (!t)
        return;
    uint64_t target = vmtest_symbol(t, "target"), seen = vmtest_symbol(t, "seen");
    CHECK_EQ(t->ops->insert_bp(t->target.ctx, BP_SOFTWARE, target, 1, NULL), 0);
    const struct breakpoint *b = bp_find_sw(&t->vm.debug->bps, target);
    CHECK(b != NULL);
    if (!b || b->mech != MECH_INT3 || !b->write_protected) {
        fprintf(stderr, "(no write-protected INT3 on this host: %s)\n",
                b ? bp_mechanism_name(b->mech) : "none");
        vmtest_free(t);
        return;
    }
    struct stop_event ev;
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(ev.kind, STOP_SWBREAK);
    CHECK_EQ(vmtest_rip(t, 1), target);
    CHECK_EQ(vmtest_read_u64(t, 1, seen) & 0xff, 0xcc); /* the guest read the INT3 back */
    uint8_t code[2];
    CHECK_EQ(t->ops->read_mem(t->target.ctx, 1, target, code, 2), 2);
    CHECK(code[0] == 0xb8 && code[1] == 0x2a); /* mov eax, 42: the new code */
    CHECK_EQ(t->ops->remove_bp(t->target.ctx, BP_SOFTWARE, target, 1), 0);
    CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(ev.kind, STOP_EXITED);
    CHECK_EQ(ev.exit_status, 1); /* the guest ran the whole new code */
    vmtest_free(t);
}

static void the_register_cache_follows_writes_and_runs(void)
{
    struct vmtest *t = start("spin64", 1);
    if (!t)
        return;
    struct x86_regs r;
    CHECK_EQ(t->ops->read_regs(t->target.ctx, 1, &r), 0);
    uint64_t rip = r.rip;
    r.gpr[X86_R12] = 0x1234567890abcdefull;
    CHECK_EQ(t->ops->write_regs(t->target.ctx, 1, &r), 0);
    CHECK_EQ(t->ops->read_regs(t->target.ctx, 1, &r), 0);
    CHECK_EQ(r.gpr[X86_R12], 0x1234567890abcdefull);
    struct stop_event ev;
    CHECK_EQ(vmtest_resume_one(t, 1, RESUME_STEP), 0);
    CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
    CHECK_EQ(t->ops->read_regs(t->target.ctx, 1, &r), 0);
    CHECK(r.rip != rip); /* what the run changed, not what was cached before it */
    CHECK_EQ(r.gpr[X86_R12], 0x1234567890abcdefull);
    vmtest_free(t);
}

/* [lock] Nothing runs and nobody holds a pause: what a complete stop promises. */
static bool all_still(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool still = vm->nrunning == 0 && !vm->pause_owner;
    pthread_mutex_unlock(&vm->lock);
    return still;
}

/* Both vCPUs of smp64 loop in one page, trapped for an exec-trap breakpoint in CPU 0's loop:
 * every instruction of either is stepped aside, one vCPU at a time, the other waiting for the
 * pause. CPU 0's step of the instruction before the breakpoint lands on it and stops the guest
 * at once, often while CPU 1 waits. A vCPU that waited through a stop must not run in it (it
 * backs out, vm/runctl.h): at every stop nothing runs, CPU 1's counter stays, and the map can
 * change (gdb's step over the breakpoint: remove it, step CPU 0, insert it). */
static void a_vcpu_waiting_for_the_pause_sits_out_a_stop(void)
{
    struct vmtest *t = start("smp64", 2);
    if (!t)
        return;
    t->vm.debug->bps.break_mode = BREAK_MODE_TRAP;
    uint64_t bp = vmtest_symbol(t, "loop0") + 3; /* the cmp after `inc qword [rdi]` */
    uint64_t counters = vmtest_symbol(t, "counters");
    struct stop_event ev;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ(t->ops->insert_bp(t->target.ctx, BP_SOFTWARE, bp, 1, NULL), 0);
        if (check_case_failed)
            break;
        CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
        CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
        if (check_case_failed)
            break; /* still running: reading its registers would wait for it */
        CHECK_EQ(ev.kind, STOP_SWBREAK);
        CHECK_EQ(ev.thread, 1);
        CHECK(all_still(&t->vm));
        uint64_t c1 = vmtest_read_u64(t, 1, counters + 8);
        CHECK(!vmtest_stop_ready(t, 2)); /* a moment for a vCPU that would run in the stop */
        CHECK(all_still(&t->vm));
        CHECK_EQ(vmtest_read_u64(t, 1, counters + 8), c1);
        CHECK_EQ(t->ops->remove_bp(t->target.ctx, BP_SOFTWARE, bp, 1), 0);
        CHECK_EQ(vmtest_resume_one(t, 1, RESUME_STEP), 0);
        CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
        if (check_case_failed)
            break;
        CHECK_EQ(ev.kind, STOP_SIGNAL);
        CHECK_EQ(vmtest_rip(t, 1), bp + 8); /* past the cmp */
        if (check_case_failed)
            break;
    }
    CHECK(vmtest_read_u64(t, 1, counters + 8) > 0); /* CPU 1 got on between the stops */
    vmtest_free(t);
}

/* A breakpoint's condition is evaluated once per hit, also when the step aside after it backs
 * out because a stop came while it waited for the pause (debug/step_aside.h): smp64's two
 * vCPUs in one exec-trapped page as above, a condition that is never true on CPU 0's loop,
 * and 200 interrupts. Each evaluation is one pass of CPU 0's loop: its counter and the
 * breakpoint's evaluations differ by at most the one in flight at the last stop. */
static void a_condition_is_evaluated_once_per_hit_across_a_back_out(void)
{
    struct vmtest *t = start("smp64", 2);
    if (!t)
        return;
    t->vm.debug->bps.break_mode = BREAK_MODE_TRAP;
    uint64_t bp = vmtest_symbol(t, "loop0") + 3; /* the cmp after `inc qword [rdi]` */
    uint64_t counters = vmtest_symbol(t, "counters");
    const uint8_t never[] = {0x22, 0x00, 0x27}; /* const8 0; end */
    struct bp_agent agent = {.nconds = 1, .conds = {{never, sizeof(never)}}};
    CHECK_EQ(t->ops->insert_bp(t->target.ctx, BP_SOFTWARE, bp, 1, &agent), 0);
    const struct breakpoint *b = bp_find_code(&t->vm.debug->bps, bp);
    CHECK(b && b->agent);
    if (!b || !b->agent) {
        vmtest_free(t);
        return;
    }
    const volatile uint64_t *c0 = ram_ptr(&t->vm.ram, counters, sizeof(uint64_t));
    struct stop_event ev;
    for (int i = 0; i < 200 && !check_case_failed; i++) {
        uint64_t before = *c0;
        CHECK_EQ(vmtest_resume_all(t, RESUME_CONTINUE), 0);
        for (int waited = 0; *c0 == before && waited < STOP_TIMEOUT_MS; waited++)
            CHECK(!vmtest_stop_ready(t, 1)); /* CPU 0 got round its loop once at least */
        t->ops->interrupt(t->target.ctx);
        CHECK(vmtest_wait_stop(t, STOP_TIMEOUT_MS, &ev));
        CHECK_EQ(ev.signal, GDB_SIGNAL_INT);
    }
    long long passes = (long long)*c0, evaluations = b->agent->hits;
    CHECK(passes >= 200); /* one pass at least between interrupts */
    CHECK(evaluations >= passes - 1 && evaluations <= passes + 1);
    if (evaluations < passes - 1 || evaluations > passes + 1)
        printf("  %lld passes of CPU 0's loop, %lld evaluations of its condition\n", passes,
               evaluations);
    vmtest_free(t);
}

int main(void)
{
    RUN(all_stop_parks_every_vcpu);
    RUN(a_step_of_one_vcpu_leaves_the_others_parked);
    RUN(software_breakpoint_is_hit_and_hidden);
    RUN(each_breakpoint_gets_the_mechanism_its_mode_and_host_allow);
    RUN(the_memory_map_cannot_change_under_a_running_vcpu);
    RUN(a_trap_step_keeps_the_other_vcpu_off_the_map);
    RUN(the_register_cache_follows_writes_and_runs);
    RUN(a_protected_page_is_read_only_ram_until_trapped);
    RUN(an_int3_survives_the_guest_writing_over_it);
    RUN(a_vcpu_waiting_for_the_pause_sits_out_a_stop);
    RUN(a_condition_is_evaluated_once_per_hit_across_a_back_out);
    return CHECK_DONE();
}
