/* debug/record.h — recording a guest's execution, so that gdb can run it backwards
 * (`monitor record on`; debug/replay.h goes back and forth in what was recorded).
 *
 * A position is a count of single-steps since recording began: while recording, the one vCPU
 * single-steps every instruction, and each step that ends in its single-step trap is one
 * position further (a step whose instruction did port I/O ends at the trap after KVM completed
 * the access, so one position is one instruction wherever the host traps right after it). For
 * every position the history keeps the pc; every `interval` positions a checkpoint (a whole-
 * machine snapshot, vm/snapshot.h, taken with kvmstub's INT3 bytes lifted); and for every port
 * access the value the guest read and the devices' state after it. Going to a position is:
 * apply the nearest checkpoint at or before it, then re-execute step by step with port reads
 * answered from the history (devices are not touched, nothing is printed twice), checking the pc
 * at every step against the history, and finally put the devices as they were there.
 *
 * Exactness needs the guest to be deterministic apart from port I/O: one vCPU, no in-kernel
 * irqchip (its interrupts and timers are not recorded); record_can_start says why not. Guest
 * reads of the TSC (RDTSC) are not recorded: a guest that branches on them can diverge, which the
 * pc check catches (replay stops with an error rather than a wrong state).
 *
 * Rules. The history belongs to whoever drives the one vCPU: its own thread while it runs (the
 * live hooks below append to it), the controller while it is stopped (commands, replay). There is
 * no other vCPU, so the two never overlap: run control hands the vCPU over at a stop.
 */
#ifndef KVMSTUB_DEBUG_RECORD_H
#define KVMSTUB_DEBUG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;
struct snapshot;
struct devices_state;

#define RECORD_DEFAULT_INTERVAL 768     /* positions between checkpoints */
#define RECORD_DEFAULT_LIMIT    4000000 /* positions kept; older ones are dropped */

struct record_checkpoint {
    uint64_t pos;
    struct snapshot *snap;
};

/* A port access made while executing the instruction at `pos` (between positions pos and
 * pos + 1). */
struct record_io {
    uint64_t pos;
    uint16_t port;
    uint8_t size;
    bool is_write;
    uint32_t data;               /* what the guest read or wrote */
    struct devices_state *after; /* the devices after the access */
};

struct record {
    bool on;
    bool replaying; /* the controller is re-executing recorded positions now */
    uint64_t start; /* the oldest position kept */
    uint64_t pos;   /* where the vCPU is */
    uint64_t end;   /* the newest position recorded */
    uint64_t *pcs;  /* pcs[p - start]: the pc at position p, p in [start, end] */
    size_t pcs_cap;
    struct record_checkpoint *cps; /* ascending; cps[0].pos == start */
    size_t ncps, cps_cap;
    struct record_io *io; /* ascending by pos */
    size_t nio, io_cap;
    size_t io_next;       /* replay: the next access to answer */
    uint64_t interval;    /* positions between checkpoints */
    uint64_t limit;       /* positions kept */
    bool state_written;   /* gdb wrote registers or memory at pos: a checkpoint is due there */
    bool diverged;        /* replay found a pc other than the recorded one */
    uint64_t diverged_pc; /* the pc it found (UINT64_MAX: a port access not recorded) */
    char failure[256];    /* why the live hooks stopped recording, for the next command */
};

/* Whether recording can start on this VM; NULL, or why not (a sentence for gdb). */
const char *record_cannot_start(struct vm *vm);
/* `monitor record on|off`: start (a checkpoint at position 0, here) or drop the history.
 * 0, or -1 with err. */
int record_start(struct vm *vm, char *err, size_t errlen);
void record_stop(struct vm *vm);
/* Throw away the history and start again here (after a snapshot restore). */
int record_restart(struct vm *vm, char *err, size_t errlen);
/* Recording and able to go on: live hooks apply (not while replaying). */
bool record_live(const struct vm *vm);
/* Host memory the history holds, in bytes. */
uint64_t record_bytes(const struct vm *vm);

/* ---- live hooks, on the thread that drives the vCPU ---- */

/* A single-step trap: one position further (live: append; replay: check the pc). */
void record_step_done(struct vcpu *vcpu);
/* A port access: replaying, answer it from the history (true: not to be dispatched); live, it
 * is logged after the devices handled it (record_port_done). */
bool record_port_replay(struct vcpu *vcpu, uint16_t port, bool is_write, uint8_t *data,
                        unsigned size);
void record_port_done(struct vcpu *vcpu, uint16_t port, bool is_write, const uint8_t *data,
                      unsigned size);

/* ---- the controller's, while the vCPU is stopped ---- */

/* gdb changed registers or memory: the positions after this one are no longer what will run. */
void record_state_written(struct vm *vm);
/* Before the vCPU runs live: cut the history after pos and checkpoint pos if gdb wrote there.
 * 0, or -1 with err (recording is then off). */
int record_before_run(struct vm *vm, char *err, size_t errlen);
/* Apply the nearest checkpoint at or before target: pos becomes its position, and the device
 * accesses to answer start there. 0, or -1 with err. */
int record_rewind_to(struct vm *vm, uint64_t target, char *err, size_t errlen);
/* After re-executing to pos: put the devices as they were at pos. */
void record_devices_at_pos(struct vm *vm);

#endif
