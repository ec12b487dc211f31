/* debug/record.c — the recorded history of a guest's execution: positions, pcs, checkpoints and
 * port accesses (see record.h). */
#include "debug/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/guest_debug.h"
#include "vm/dev/devices.h"
#include "vm/snapshot.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

/* Checkpoints kept at most: past this, every other one in the older half goes (the recent past
 * stays dense, where reverse-stepi goes; the far past gets coarser). */
#define RECORD_MAX_CHECKPOINTS 256

static struct record *record_of(struct vm *vm)
{
    return &vm->debug->record;
}

const char *record_cannot_start(struct vm *vm)
{
    if (vm->ncpus != 1)
        return "reverse execution needs a guest with one vCPU: with several, the order in which "
               "they touch memory is not recorded (start kvmstub with --cpus 1)";
    if (vm->cfg->irqchip)
        return "reverse execution needs a guest without the in-kernel irqchip (--irqchip off): "
               "KVM delivers its interrupts and timers at moments kvmstub cannot record";
    return NULL;
}

bool record_live(const struct vm *vm)
{
    return vm->debug && vm->debug->record.on && !vm->debug->record.replaying;
}

static int record_pc(struct vcpu *vcpu, uint64_t *pc)
{
    struct kvm_regs r;
    if (cpu_get_regs(vcpu, &r) < 0)
        return -1;
    *pc = r.rip;
    return 0;
}

/* A checkpoint of the machine now, with kvmstub's INT3 bytes lifted: NULL with err. */
static struct snapshot *record_snapshot(struct vm *vm, char *err, size_t errlen)
{
    bool *lifted = calloc((size_t)vm->debug->bps.n + 1, sizeof(bool));
    if (!lifted) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bp_int3s_lift(vm, lifted);
    struct snapshot *snap = snapshot_take(vm, err, errlen);
    bp_int3s_place(vm, lifted, false);
    free(lifted);
    return snap;
}

static bool grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t cap2 = *cap ? 2 * *cap : 1024;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*items, cap2 * size);
    if (!p)
        return false;
    *items = p;
    *cap = cap2;
    return true;
}

static int add_checkpoint(struct vm *vm, char *err, size_t errlen)
{
    struct record *r = record_of(vm);
    if (!grow((void **)&r->cps, &r->cps_cap, r->ncps + 1, sizeof(*r->cps))) {
        snprintf(err, errlen, "out of memory for a checkpoint");
        return -1;
    }
    struct snapshot *snap = record_snapshot(vm, err, errlen);
    if (!snap)
        return -1;
    r->cps[r->ncps++] = (struct record_checkpoint){.pos = r->pos, .snap = snap};
    return 0;
}

static void free_io(struct record_io *io, size_t n)
{
    for (size_t i = 0; i < n; i++)
        devices_state_free(io[i].after);
}

void record_stop(struct vm *vm)
{
    struct record *r = record_of(vm);
    for (size_t i = 0; i < r->ncps; i++)
        snapshot_free(r->cps[i].snap);
    free_io(r->io, r->nio);
    free(r->cps);
    free(r->io);
    free(r->pcs);
    char failure[sizeof(r->failure)];
    memcpy(failure, r->failure, sizeof(failure));
    memset(r, 0, sizeof(*r));
    memcpy(r->failure, failure, sizeof(failure));
    guest_debug_changed(vm); /* the vCPU stops single-stepping */
}

int record_start(struct vm *vm, char *err, size_t errlen)
{
    const char *why = record_cannot_start(vm);
    if (why) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    struct record *r = record_of(vm);
    if (r->on)
        record_stop(vm);
    r->failure[0] = '\0';
    r->interval = RECORD_DEFAULT_INTERVAL;
    r->limit = RECORD_DEFAULT_LIMIT;
    uint64_t pc;
    if (!grow((void **)&r->pcs, &r->pcs_cap, 1, sizeof(*r->pcs)) ||
        record_pc(&vm->vcpus[0], &pc) < 0) {
        snprintf(err, errlen, "cannot read the vCPU's registers");
        record_stop(vm);
        return -1;
    }
    r->pcs[0] = pc;
    if (add_checkpoint(vm, err, errlen) < 0) {
        record_stop(vm);
        return -1;
    }
    r->on = true;
    guest_debug_changed(vm); /* the vCPU single-steps from now on */
    return 0;
}

int record_restart(struct vm *vm, char *err, size_t errlen)
{
    return record_of(vm)->on ? record_start(vm, err, errlen) : 0;
}

uint64_t record_bytes(const struct vm *vm)
{
    const struct record *r = &vm->debug->record;
    uint64_t bytes = r->pcs_cap * sizeof(*r->pcs) + r->io_cap * sizeof(*r->io);
    for (size_t i = 0; i < r->ncps; i++)
        bytes += snapshot_bytes(r->cps[i].snap);
    return bytes + r->nio * devices_state_size();
}

/* Recording cannot go on (out of memory, a checkpoint KVM refused): drop the history, and say
 * why at the next command that needs it. */
static void record_fail(struct vm *vm, const char *why)
{
    struct record *r = record_of(vm);
    snprintf(r->failure, sizeof(r->failure), "recording stopped at position %llu: %.180s",
             (unsigned long long)r->pos, why);
    record_stop(vm);
}

/* Forget positions before new_start (a checkpoint's): their pcs, checkpoints and accesses. */
static void drop_before(struct record *r, uint64_t new_start)
{
    size_t c = 0, i = 0;
    while (c < r->ncps && r->cps[c].pos < new_start)
        snapshot_free(r->cps[c++].snap);
    memmove(r->cps, r->cps + c, (r->ncps - c) * sizeof(*r->cps));
    r->ncps -= c;
    while (i < r->nio && r->io[i].pos < new_start)
        i++;
    free_io(r->io, i);
    memmove(r->io, r->io + i, (r->nio - i) * sizeof(*r->io));
    r->nio -= i;
    memmove(r->pcs, r->pcs + (new_start - r->start), (r->end - new_start + 1) * sizeof(*r->pcs));
    r->start = new_start;
}

/* Keep the history within its bounds: positions (limit) and checkpoints. */
static void record_trim(struct record *r)
{
    if (r->end - r->start > r->limit && r->ncps > 1) {
        size_t c = 1;
        while (c + 1 < r->ncps && r->end - r->cps[c].pos > r->limit / 2)
            c++;
        drop_before(r, r->cps[c].pos);
    }
    if (r->ncps > RECORD_MAX_CHECKPOINTS) {
        size_t keep = 1;
        for (size_t c = 1; c < r->ncps; c++) {
            if (c < r->ncps / 2 && c % 2 == 1) {
                snapshot_free(r->cps[c].snap);
                continue;
            }
            r->cps[keep++] = r->cps[c];
        }
        r->ncps = keep;
    }
}

void record_step_done(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct record *r = record_of(vm);
    uint64_t pc;
    if (!r->on || record_pc(vcpu, &pc) < 0)
        return;
    r->pos++;
    if (r->replaying) {
        if (!r->diverged && (r->pos > r->end || r->pcs[r->pos - r->start] != pc)) {
            r->diverged = true;
            r->diverged_pc = pc;
        }
        return;
    }
    char err[128];
    if (!grow((void **)&r->pcs, &r->pcs_cap, r->pos - r->start + 1, sizeof(*r->pcs))) {
        record_fail(vm, "out of memory for the history");
        return;
    }
    r->end = r->pos;
    r->pcs[r->pos - r->start] = pc;
    if (r->pos - r->cps[r->ncps - 1].pos >= r->interval && add_checkpoint(vm, err, sizeof(err)) < 0)
        record_fail(vm, err);
    else
        record_trim(r);
}

bool record_port_replay(struct vcpu *vcpu, uint16_t port, bool is_write, uint8_t *data,
                        unsigned size)
{
    struct record *r = record_of(vcpu->vm);
    if (!r->on || !r->replaying)
        return false;
    const struct record_io *io = r->io_next < r->nio ? &r->io[r->io_next] : NULL;
    if (!io || io->pos != r->pos || io->port != port || io->is_write != is_write ||
        io->size != size) {
        if (!r->diverged)
            r->diverged_pc = UINT64_MAX; /* not a pc: a port access */
        r->diverged = true;
        if (!is_write)
            memset(data, 0xFF, size);
        return true;
    }
    if (!is_write)
        memcpy(data, &io->data, size);
    r->io_next++;
    return true;
}

void record_port_done(struct vcpu *vcpu, uint16_t port, bool is_write, const uint8_t *data,
                      unsigned size)
{
    struct vm *vm = vcpu->vm;
    struct record *r = record_of(vm);
    if (!r->on || r->replaying)
        return;
    struct record_io io = {.pos = r->pos, .port = port, .is_write = is_write};
    io.size = (uint8_t)(size <= sizeof(io.data) ? size : sizeof(io.data));
    memcpy(&io.data, data, io.size);
    io.after = devices_save(vm);
    if (!io.after || !grow((void **)&r->io, &r->io_cap, r->nio + 1, sizeof(*r->io))) {
        devices_state_free(io.after);
        record_fail(vm, "out of memory for the device log");
        return;
    }
    r->io[r->nio++] = io;
}

void record_state_written(struct vm *vm)
{
    if (vm->debug && vm->debug->record.on)
        vm->debug->record.state_written = true;
}

/* Cut the history after pos: what comes next is no longer what was recorded. */
static void cut_after_pos(struct record *r)
{
    while (r->ncps > 1 && r->cps[r->ncps - 1].pos > r->pos)
        snapshot_free(r->cps[--r->ncps].snap);
    size_t i = r->nio;
    while (i > 0 && r->io[i - 1].pos >= r->pos)
        i--;
    free_io(r->io + i, r->nio - i);
    r->nio = i;
    r->end = r->pos;
}

int record_before_run(struct vm *vm, char *err, size_t errlen)
{
    struct record *r = record_of(vm);
    if (!r->on) {
        if (r->failure[0]) {
            snprintf(err, errlen, "%s", r->failure);
            r->failure[0] = '\0';
            return -1;
        }
        return 0;
    }
    if (r->pos == r->end && !r->state_written)
        return 0;
    cut_after_pos(r);
    if (!r->state_written)
        return 0;
    /* gdb changed the state at pos: re-executing from an earlier checkpoint would not see it. */
    r->state_written = false;
    uint64_t pc;
    if (record_pc(&vm->vcpus[0], &pc) < 0) {
        record_fail(vm, "cannot read the vCPU's registers");
        snprintf(err, errlen, "%s", r->failure);
        return -1;
    }
    r->pcs[r->pos - r->start] = pc;
    if (r->cps[r->ncps - 1].pos == r->pos) {
        if (r->ncps == 1) {
            /* the history's start itself: a new first checkpoint replaces it */
            struct snapshot *old = r->cps[0].snap;
            r->ncps = 0;
            if (add_checkpoint(vm, err, errlen) < 0) {
                r->cps[r->ncps++] = (struct record_checkpoint){.pos = r->pos, .snap = old};
                record_fail(vm, err);
                return -1;
            }
            snapshot_free(old);
            return 0;
        }
        snapshot_free(r->cps[--r->ncps].snap);
    }
    if (add_checkpoint(vm, err, errlen) < 0) {
        record_fail(vm, err);
        return -1;
    }
    return 0;
}

int record_rewind_to(struct vm *vm, uint64_t target, char *err, size_t errlen)
{
    struct record *r = record_of(vm);
    size_t lo = 0, hi = r->ncps; /* the last checkpoint at or before target */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (r->cps[mid].pos <= target)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t written;
    if (snapshot_apply(vm, r->cps[lo].snap, &written, err, errlen) < 0)
        return -1;
    r->pos = r->cps[lo].pos;
    size_t i = 0;
    while (i < r->nio && r->io[i].pos < r->pos)
        i++;
    r->io_next = i;
    r->diverged = false;
    return 0;
}

void record_devices_at_pos(struct vm *vm)
{
    struct record *r = record_of(vm);
    /* The last access made before pos, if it was made after the checkpoint re-execution started
     * from (before that, the checkpoint put the devices right). */
    size_t i = r->io_next;
    while (i > 0 && r->io[i - 1].pos >= r->pos)
        i--;
    if (i > 0 && r->io[i - 1].after)
        devices_restore(vm, r->io[i - 1].after);
}
