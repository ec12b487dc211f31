/* debug/breakpoints.h — kvmstub's breakpoints and watchpoints and the mechanism behind each.
 *
 * Software breakpoints (gdb `break`, Z0) are INT3 bytes written into guest memory, refcounted
 * by address; when their address is not mapped yet (a kernel still decompressing) they are
 * backed by a debug register instead, so `break start_kernel` works before paging.
 * Hardware breakpoints (Z1) take a debug register.
 * Watchpoints (Z2 write, Z3 read, Z4 access) use memory traps by default: the watched pages
 * leave KVM's memory map, every access to them exits to kvmstub, which performs it and reports
 * a hit when it touches the watched bytes. This works on every host (debug-register data
 * watchpoints never fire on emulating hosts, DESIGN.md §7), has no four-slot limit, and gives
 * true read watchpoints. On hardware hosts, write and access watchpoints that fit in the free
 * debug registers use them instead (no exits for the rest of the page).
 * `monitor watch-mode auto|dr|trap` chooses.
 *
 * The table is part of the debugger's state: it changes only on the controller's thread while
 * the guest is stopped (and in bp_unprotect_int3_pages), and vCPU threads read it while they run
 * (the rules in guest_debug.h). One exception: the guest writing over an INT3 (its page is
 * write-protected, so the write exits) updates that breakpoint's saved byte on the vCPU's thread,
 * in bp_guest_write, inside the MMIO bus's lock (vm/dev/bus.h), which serializes such writes; the
 * controller reads saved bytes only while every vCPU is stopped, and a vCPU stepping over an INT3
 * with the others paused (debug/step_aside.h) reads its own breakpoint's while no write can happen.
 */
#ifndef KVMSTUB_DEBUG_BREAKPOINTS_H
#define KVMSTUB_DEBUG_BREAKPOINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "stub/target.h"
#include "vm/x86/dr7.h"

struct vm;
struct vcpu;

/* MECH_WAITING: not placed, and never hit: an address in a KASLR kernel's image before its
 * slide is known (debug/kaslr.h); gdb moves the breakpoint when it relocates its symbols. */
enum bp_mechanism { MECH_INT3, MECH_DEBUG_REG, MECH_MEMORY_TRAP, MECH_EXEC_TRAP, MECH_WAITING };
enum watch_mode { WATCH_MODE_AUTO, WATCH_MODE_DR, WATCH_MODE_TRAP };
/* `monitor break-mode`: auto (INT3 or a debug register, whichever the host honours, an exec
 * trap where neither works), trap (always an exec trap: needs nothing of the host but memory
 * traps) or int3 (an INT3 wherever the address is mapped, even where the host is not known to
 * report one: for testing a host, and the INT3 machinery on any host). */
enum break_mode { BREAK_MODE_AUTO, BREAK_MODE_TRAP, BREAK_MODE_INT3 };

#define WATCH_MAX_PIECES 16

/* Where a watched linear range lives in physical memory, a page at a time. */
struct watch_piece {
    uint64_t linear;
    uint64_t gpa;
    uint64_t len;
};

struct bp_agent_copy;

struct breakpoint {
    enum bp_type type;
    uint64_t addr; /* linear */
    uint64_t len;
    struct bp_agent_copy *agent; /* conditions and commands (bp_agent.h), or NULL */
    bool is_catch;    /* kvmstub's own, at an exception handler (debug/catch.h), not gdb's */
    int catch_vector; /* is_catch: the exception caught there */
    enum bp_mechanism mech;
    uint64_t gpa;         /* MECH_INT3: where the INT3 byte is; MECH_EXEC_TRAP: the instruction */
    uint8_t saved;        /* MECH_INT3: the byte it replaced (bp_after_write, bp_guest_write) */
    bool write_protected; /* MECH_INT3: its page holds a write protection (vm/memslots.h) */
    int slots[DR_NSLOTS];
    int nslots; /* MECH_DEBUG_REG: slots used */
    struct watch_piece pieces[WATCH_MAX_PIECES];
    int npieces; /* MECH_MEMORY_TRAP */
};

struct debug_regs_state {
    uint64_t addr[DR_NSLOTS];
    bool used[DR_NSLOTS];
    uint64_t dr7;
};

struct bp_table {
    struct breakpoint *items;
    int n, cap;
    struct debug_regs_state dr;
    enum watch_mode watch_mode;
    enum break_mode break_mode;
};

/* Insert, or update one that is there (its agent expressions: gdb re-sends a breakpoint when
 * its conditions change), or remove. 0, -ENOSPC, -EFAULT, -EINVAL, -ENOMEM. vcpu gives the
 * address space (page tables) used to translate. */
int bp_insert(struct vm *vm, struct vcpu *vcpu, enum bp_type type, uint64_t addr, uint64_t len,
              const struct bp_agent *agent);
int bp_remove(struct vm *vm, enum bp_type type, uint64_t addr, uint64_t len);
void bp_remove_all(struct vm *vm);
/* An exception catch's breakpoint at the handler at linear addr (a software breakpoint placed
 * as gdb's are, which gdb neither sees nor removes); removing them all. */
int bp_insert_catch(struct vm *vm, struct vcpu *vcpu, uint64_t addr, int vector);
void bp_remove_catches(struct vm *vm);
/* The catch breakpoint at linear addr, or NULL. */
const struct breakpoint *bp_find_catch(const struct bp_table *t, uint64_t addr);

/* The software breakpoint at linear address addr, or NULL. */
const struct breakpoint *bp_find_sw(const struct bp_table *t, uint64_t addr);
/* The breakpoint (software or hardware) placed as an exec trap at linear addr, or NULL. */
const struct breakpoint *bp_find_exec_trap(const struct bp_table *t, uint64_t addr);
/* A breakpoint (gdb's software or hardware one, or a catch), not a watchpoint, at linear addr,
 * whatever backs it; or NULL. */
const struct breakpoint *bp_find_code(const struct bp_table *t, uint64_t addr);
/* Whether the guest-physical page holds an INT3 or bytes a memory-trap watchpoint watches:
 * what only the page's trap (or its write protection) sees. */
bool bp_page_holds_data(const struct bp_table *t, uint64_t page);
/* What a debug-register slot that fired belongs to. */
const struct breakpoint *bp_find_slot(const struct bp_table *t, int slot);
/* Put the guest's own bytes back where kvmstub's INT3s are (where the guest did not write over
 * one meanwhile); lifted[i] (one per table entry) says which. Then place them again: the ones
 * lifted, or, when the memory was restored meanwhile (restored), every one over the bytes there
 * now (which become the ones they replace). Snapshots and replays run with them lifted. */
void bp_int3s_lift(struct vm *vm, bool *lifted);
void bp_int3s_place(struct vm *vm, const bool *lifted, bool restored);
/* Map the pages of exec-trap breakpoints back (untrapped[i], one per table entry, says which),
 * then trap them again. A replay runs with them mapped: it finds breakpoints by the recorded pc,
 * so it steps no instruction whose fetch trapped (no step aside, no map change; done when the
 * lane's host was thought to lose such a step, which it does not, DESIGN.md §7). The
 * controller's, with every vCPU parked. */
void bp_exec_traps_lift(struct vm *vm, bool *untrapped);
void bp_exec_traps_place(struct vm *vm, const bool *untrapped);
/* Lift the write protection of every INT3's page (vm/memslots.h), for a guest whose write
 * there KVM could not emulate: its INT3s stay, unprotected (a write over one takes it away
 * again). On the calling vCPU's thread while every other vCPU is paused (runctl_pause_others):
 * the one other place the table changes. Protections gdb's removals left lingering until the
 * next continue (vm/memslots.h) go too. The number of protections lifted. */
int bp_unprotect_int3_pages(struct vm *vm, struct vcpu *self);
/* Hide INT3 bytes in a read of [addr, addr + len) (linear, or physical when phys). */
void bp_hide_in_read(const struct bp_table *t, uint64_t addr, uint8_t *buf, uint64_t len,
                     bool phys);
/* A debugger write to memory: keep INT3 bytes in place and remember the new originals. */
void bp_after_write(struct vm *vm, uint64_t addr, const uint8_t *buf, uint64_t len, bool phys);
/* The guest writes buf to guest physical [gpa, gpa + len), a write-protected INT3 page or a
 * trapped page, which kvmstub performs (on the vCPU's thread, under the MMIO bus's lock):
 * out gets the bytes to store, buf with kvmstub's INT3s kept where they are (so no other vCPU
 * ever fetches the new byte there), and the INT3s remember the written bytes as theirs. A
 * breakpoint survives code copied over it. */
void bp_guest_write(struct vm *vm, uint64_t gpa, const uint8_t *buf, unsigned len, uint8_t *out);
/* A guest access to trapped physical memory: the watchpoint it hits, with the linear address
 * hit in *hit_addr, or NULL. */
const struct breakpoint *bp_watch_hit(const struct bp_table *t, uint64_t gpa, unsigned len,
                                      bool is_write, uint64_t *hit_addr);
const char *bp_mechanism_name(enum bp_mechanism mech);
/* gdb's word for a breakpoint type: break, hbreak, watch, rwatch, awatch. */
const char *bp_type_name(enum bp_type type);
/* The modes' names (auto, dr, trap; auto, trap, int3) and their parsing; false for another
 * word. */
const char *watch_mode_name(enum watch_mode mode);
bool watch_mode_parse(const char *word, enum watch_mode *mode);
const char *break_mode_name(enum break_mode mode);
bool break_mode_parse(const char *word, enum break_mode *mode);

#endif
