/* debug/breakpoints.c — the breakpoint and watchpoint table and its three mechanisms. */
#include "debug/breakpoints.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "debug/bp_agent.h"
#include "debug/guest_debug.h"
#include "debug/guest_mem.h"
#include "debug/kaslr.h"
#include "vm/kvm.h"
#include "vm/memslots.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"

const char *bp_mechanism_name(enum bp_mechanism mech)
{
    switch (mech) {
    case MECH_INT3: return "int3";
    case MECH_DEBUG_REG: return "debug register";
    case MECH_MEMORY_TRAP: return "memory trap";
    case MECH_EXEC_TRAP: return "exec trap";
    case MECH_WAITING: return "waiting for the KASLR slide";
    }
    return "?";
}

const char *bp_type_name(enum bp_type type)
{
    static const char *const names[] = {[BP_SOFTWARE] = "break",
                                        [BP_HARDWARE] = "hbreak",
                                        [WP_WRITE] = "watch",
                                        [WP_READ] = "rwatch",
                                        [WP_ACCESS] = "awatch"};
    return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static const char *const watch_mode_names[] = {
    [WATCH_MODE_AUTO] = "auto", [WATCH_MODE_DR] = "dr", [WATCH_MODE_TRAP] = "trap"};
static const char *const break_mode_names[] = {
    [BREAK_MODE_AUTO] = "auto", [BREAK_MODE_TRAP] = "trap", [BREAK_MODE_INT3] = "int3"};

/* The index of word in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *word)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], word) == 0)
            return i;
    return -1;
}

const char *watch_mode_name(enum watch_mode mode)
{
    return watch_mode_names[mode];
}

bool watch_mode_parse(const char *word, enum watch_mode *mode)
{
    int i = name_index(watch_mode_names, 3, word);
    if (i >= 0)
        *mode = (enum watch_mode)i;
    return i >= 0;
}

const char *break_mode_name(enum break_mode mode)
{
    return break_mode_names[mode];
}

bool break_mode_parse(const char *word, enum break_mode *mode)
{
    int i = name_index(break_mode_names, 3, word);
    if (i >= 0)
        *mode = (enum break_mode)i;
    return i >= 0;
}

static struct bp_table *table_of(struct vm *vm)
{
    return &vm->debug->bps;
}

static struct breakpoint *bp_find(struct bp_table *t, enum bp_type type, uint64_t addr,
                                  uint64_t len)
{
    bool is_break = type == BP_SOFTWARE || type == BP_HARDWARE;
    for (int i = 0; i < t->n; i++) {
        struct breakpoint *b = &t->items[i];
        if (b->type == type && b->addr == addr && (is_break || b->len == len) && !b->is_catch)
            return b;
    }
    return NULL;
}

/* The first breakpoint at linear addr that is of the kind `is` says. */
static const struct breakpoint *bp_find_at(const struct bp_table *t, uint64_t addr,
                                           bool (*is)(const struct breakpoint *b))
{
    for (int i = 0; i < t->n; i++)
        if (t->items[i].addr == addr && is(&t->items[i]))
            return &t->items[i];
    return NULL;
}

static bool bp_is_sw(const struct breakpoint *b)
{
    return b->type == BP_SOFTWARE;
}

static bool bp_is_catch(const struct breakpoint *b)
{
    return b->is_catch;
}

static bool bp_is_exec_trap(const struct breakpoint *b)
{
    return b->mech == MECH_EXEC_TRAP;
}

static bool bp_is_code(const struct breakpoint *b)
{
    return b->type == BP_SOFTWARE || b->type == BP_HARDWARE;
}

const struct breakpoint *bp_find_sw(const struct bp_table *t, uint64_t addr)
{
    return bp_find_at(t, addr, bp_is_sw);
}

const struct breakpoint *bp_find_catch(const struct bp_table *t, uint64_t addr)
{
    return bp_find_at(t, addr, bp_is_catch);
}

const struct breakpoint *bp_find_exec_trap(const struct bp_table *t, uint64_t addr)
{
    return bp_find_at(t, addr, bp_is_exec_trap);
}

const struct breakpoint *bp_find_code(const struct bp_table *t, uint64_t addr)
{
    return bp_find_at(t, addr, bp_is_code);
}

bool bp_page_holds_data(const struct bp_table *t, uint64_t page)
{
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        if (b->mech == MECH_INT3 && x86_page_of(b->gpa) == page)
            return true;
        for (int p = 0; b->mech == MECH_MEMORY_TRAP && p < b->npieces; p++)
            if (b->pieces[p].gpa < page + X86_PAGE_SIZE &&
                page < b->pieces[p].gpa + b->pieces[p].len)
                return true;
    }
    return false;
}

const struct breakpoint *bp_find_slot(const struct bp_table *t, int slot)
{
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        if (b->mech != MECH_DEBUG_REG)
            continue;
        for (int s = 0; s < b->nslots; s++)
            if (b->slots[s] == slot)
                return b;
    }
    return NULL;
}

static int dr_free_slots(const struct debug_regs_state *dr)
{
    int n = 0;
    for (int i = 0; i < DR_NSLOTS; i++)
        n += !dr->used[i];
    return n;
}

static int dr_take_slot(struct debug_regs_state *dr, uint64_t addr, enum dr_rw rw, unsigned len)
{
    for (int i = 0; i < DR_NSLOTS; i++) {
        if (!dr->used[i]) {
            dr->used[i] = true;
            dr->addr[i] = addr;
            dr->dr7 = dr7_set(dr->dr7, i, rw, len);
            return i;
        }
    }
    return -1;
}

static void dr_release_slots(struct debug_regs_state *dr, const struct breakpoint *b)
{
    for (int s = 0; s < b->nslots; s++) {
        dr->used[b->slots[s]] = false;
        dr->addr[b->slots[s]] = 0;
        dr->dr7 = dr7_clear(dr->dr7, b->slots[s]);
    }
}

/* The byte an X86_INSN_INT3 at gpa replaced, when another breakpoint already put one there (two
 * linear addresses mapping the same physical byte). */
static const struct breakpoint *int3_at_gpa(const struct bp_table *t, uint64_t gpa,
                                            const struct breakpoint *except)
{
    for (int i = 0; i < t->n; i++)
        if (&t->items[i] != except && t->items[i].mech == MECH_INT3 && t->items[i].gpa == gpa)
            return &t->items[i];
    return NULL;
}

/* Whether the walk that translates linear reads a page-table entry in page: trapping such a
 * page would take the guest's own page tables out of its reach. */
static bool page_holds_tables_for(const struct pagewalk_result *walk, uint64_t page)
{
    for (int i = 0; i < walk->nsteps; i++)
        if (x86_page_of(walk->steps[i].entry_gpa) == page)
            return true;
    return false;
}

/* What this host's guest debugging honours (probed once, vm/host.h). */
static const struct host_debug_caps *caps_of(struct vm *vm)
{
    return host_debug_caps(&vm->host, vm->kvm_fd);
}

/* Whether an INT3 in the vCPU's current mode reaches kvmstub: as a #BP exit on hardware, as an
 * emulation failure on emulating hosts, except in real mode there (the guest's vector table
 * gets it); not at all where the host's SVM is emulated without the #BP intercept. */
static bool int3_reaches_kvmstub(struct vm *vm, struct vcpu *vcpu)
{
    const struct host_debug_caps *c = caps_of(vm);
    struct kvm_sregs sregs;
    bool real = cpu_get_sregs(vcpu, &sregs) == 0 && cpu_mode_current(&sregs) == CPU_MODE_REAL;
    return real ? c->int3_exits_real : c->int3_exits;
}

/* An instruction breakpoint in a debug register: -ENOSPC when none is free, -EOPNOTSUPP when
 * this host does not fire them. */
static int bp_place_dr_exec(struct vm *vm, struct breakpoint *b)
{
    if (!caps_of(vm)->dr_exec)
        return -EOPNOTSUPP;
    int slot = dr_take_slot(&table_of(vm)->dr, b->addr, DR_RW_EXEC, 1);
    if (slot < 0)
        return -ENOSPC;
    b->mech = MECH_DEBUG_REG;
    b->slots[0] = slot;
    b->nslots = 1;
    return 0;
}

/* An instruction breakpoint as an exec trap: the page of the instruction at gpa leaves the
 * memory map, fetching from it fails, and the failure at addr is the hit (the page's other
 * instructions are stepped with it mapped back, debug/step_aside.h). Works on every host, and
 * survives the guest writing over the code; costs an exit for each instruction run from, and
 * each access to, that page. */
static int bp_place_exec_trap(struct vm *vm, struct breakpoint *b, uint64_t gpa)
{
    if (!ram_contains(&vm->ram, gpa, 1) ||
        memslots_trap_page(vm, NULL, gpa, guest_debug_trapped_access, vm) < 0)
        return -EFAULT;
    b->mech = MECH_EXEC_TRAP;
    b->gpa = gpa;
    return 0;
}

/* Where the x86-64 Linux kernel's text will be in physical memory while it is not mapped yet:
 * its image is linked at __START_KERNEL_map + physical address, and kvmstub loads it there
 * (no KASLR: kvmstub adds nokaslr under a debugger). */
static bool linux_text_phys(const struct vm *vm, uint64_t addr, uint64_t *gpa)
{
    if (!vm->linux_at_link_address || addr < LINUX_START_KERNEL_MAP ||
        addr >= LINUX_KERNEL_TEXT_END)
        return false;
    *gpa = addr - LINUX_START_KERNEL_MAP;
    return true;
}

/* Where an address of the booted ELF image is while the image does not map it yet (a
 * higher-half kernel): its segment's load address (base/boot.h), or, for a Linux kernel's
 * text, where Linux puts it. */
static bool image_phys(const struct vm *vm, uint64_t addr, uint64_t *gpa)
{
    for (int i = 0; i < vm->nlink; i++) {
        const struct link_segment *s = &vm->link[i];
        if (addr >= s->vaddr && addr - s->vaddr < s->size) {
            *gpa = s->paddr + (addr - s->vaddr);
            return true;
        }
    }
    return linux_text_phys(vm, addr, gpa);
}

/* An exec trap at the breakpoint's address: where it is mapped, or where the image's code
 * will be. */
static int bp_place_exec_trap_at(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    struct pagewalk_result walk;
    uint64_t gpa;
    if (guest_translate(vcpu, b->addr, &walk) == 0)
        return bp_place_exec_trap(vm, b, walk.gpa);
    if (image_phys(vm, b->addr, &gpa))
        return bp_place_exec_trap(vm, b, gpa);
    return -EFAULT;
}

/* An instruction breakpoint in a KASLR kernel's image, unmapped, before the slide is known:
 * wherever it is placed would be the wrong place. */
static bool bp_wait_for_slide(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    struct pagewalk_result walk;
    if (!kaslr_waiting(vm, b->addr) || guest_translate(vcpu, b->addr, &walk) == 0)
        return false;
    b->mech = MECH_WAITING;
    return true;
}

/* An INT3 at the physical byte walk translated b->addr to. Its page is write-protected where
 * the host allows (read-only memory slots; not a page that holds the tables mapping it, whose
 * accessed and dirty bits the CPU writes): the guest writing new code there, as a
 * decompressor, a module loader or self-modifying code does, exits, and bp_guest_write keeps
 * the INT3 over the new byte. Elsewhere such a write takes the INT3 away. */
static void bp_place_int3_at(struct vm *vm, struct breakpoint *b,
                             const struct pagewalk_result *walk)
{
    uint8_t *host = ram_ptr(&vm->ram, walk->gpa, 1);
    const struct breakpoint *other = int3_at_gpa(table_of(vm), walk->gpa, b);
    b->mech = MECH_INT3;
    b->gpa = walk->gpa;
    b->saved = other ? other->saved : *host;
    *host = X86_INSN_INT3;
    b->write_protected =
        vm->memslots.readonly_ok && !page_holds_tables_for(walk, x86_page_of(walk->gpa)) &&
        memslots_protect_page(vm, NULL, walk->gpa, guest_debug_trapped_access, vm) == 0;
}

static int bp_place_int3(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    if (bp_wait_for_slide(vm, vcpu, b))
        return 0;
    enum break_mode mode = table_of(vm)->break_mode;
    if (mode == BREAK_MODE_TRAP)
        return bp_place_exec_trap_at(vm, vcpu, b);
    struct pagewalk_result walk;
    bool mapped = guest_translate(vcpu, b->addr, &walk) == 0 && ram_contains(&vm->ram, walk.gpa, 1);
    if (mapped && (mode == BREAK_MODE_INT3 || int3_reaches_kvmstub(vm, vcpu))) {
        bp_place_int3_at(vm, b, &walk);
        return 0;
    }
    /* Not mapped (yet: a kernel still decompressing), or an INT3 would not reach kvmstub: a
     * debug register watches the linear address instead, or else an exec trap its page. */
    if (bp_place_dr_exec(vm, b) == 0)
        return 0;
    return bp_place_exec_trap_at(vm, vcpu, b);
}

static int bp_place_hw(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    if (bp_wait_for_slide(vm, vcpu, b))
        return 0;
    if (table_of(vm)->break_mode == BREAK_MODE_TRAP)
        return bp_place_exec_trap_at(vm, vcpu, b);
    int rc = bp_place_dr_exec(vm, b);
    if (rc != -EOPNOTSUPP)
        return rc;
    /* Debug registers do not fire on this host: an exec trap does what hbreak asks. */
    return bp_place_exec_trap_at(vm, vcpu, b);
}

static bool watch_uses_trap(struct vm *vm, const struct breakpoint *b, int npieces)
{
    const struct bp_table *t = table_of(vm);
    if (b->type == WP_READ || t->watch_mode == WATCH_MODE_TRAP)
        return true; /* x86 debug registers cannot watch reads alone */
    if (t->watch_mode == WATCH_MODE_DR)
        return false;
    /* While recording, a watchpoint must be seen when re-executing too (debug/replay.h). */
    return vm->debug->record.on || !caps_of(vm)->dr_data || npieces < 0 ||
           npieces > dr_free_slots(&t->dr);
}

static int watch_place_dr(struct vm *vm, struct breakpoint *b, const struct dr_piece *pieces,
                          int npieces)
{
    struct debug_regs_state *dr = &table_of(vm)->dr;
    if (npieces < 0 || npieces > dr_free_slots(dr))
        return -ENOSPC;
    if (!caps_of(vm)->dr_data) {
        diag("this host does not fire debug-register data watchpoints (probed): use "
             "'monitor watch-mode auto' or 'trap'");
        return -ENOSPC; /* refused, rather than placed where it would never fire */
    }
    enum dr_rw rw = b->type == WP_WRITE ? DR_RW_WRITE : DR_RW_ACCESS;
    b->mech = MECH_DEBUG_REG;
    b->nslots = 0;
    for (int i = 0; i < npieces; i++)
        b->slots[b->nslots++] = dr_take_slot(dr, pieces[i].addr, rw, pieces[i].len);
    return 0;
}

static void watch_untrap(struct vm *vm, const struct breakpoint *b)
{
    for (int p = 0; p < b->npieces; p++)
        memslots_untrap_page(vm, NULL, b->pieces[p].gpa);
}

static int watch_place_trap(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    b->mech = MECH_MEMORY_TRAP;
    b->npieces = 0;
    uint64_t linear = b->addr, end = b->addr + b->len;
    while (linear < end) {
        struct pagewalk_result walk;
        if (guest_translate(vcpu, linear, &walk) < 0)
            return -EFAULT;
        uint64_t in_page = x86_page_left(walk.gpa);
        uint64_t len = end - linear < in_page ? end - linear : in_page;
        if (!ram_contains(&vm->ram, walk.gpa, len) || b->npieces == WATCH_MAX_PIECES)
            return b->npieces == WATCH_MAX_PIECES ? -EINVAL : -EFAULT;
        if (page_holds_tables_for(&walk, x86_page_of(walk.gpa))) {
            diag("cannot watch 0x%llx with a memory trap: its page holds the page tables "
                 "that map it",
                 (unsigned long long)linear);
            return -EFAULT;
        }
        b->pieces[b->npieces++] =
            (struct watch_piece){.linear = linear, .gpa = walk.gpa, .len = len};
        linear += len;
    }
    for (int p = 0; p < b->npieces; p++) {
        if (memslots_trap_page(vm, NULL, b->pieces[p].gpa, guest_debug_trapped_access, vm) < 0) {
            b->npieces = p;
            watch_untrap(vm, b);
            b->npieces = 0;
            return -EFAULT;
        }
    }
    return 0;
}

static int bp_place(struct vm *vm, struct vcpu *vcpu, struct breakpoint *b)
{
    switch (b->type) {
    case BP_SOFTWARE: return bp_place_int3(vm, vcpu, b);
    case BP_HARDWARE: return bp_place_hw(vm, vcpu, b);
    case WP_WRITE:
    case WP_READ:
    case WP_ACCESS: {
        if (b->len == 0 || b->addr + b->len < b->addr)
            return -EINVAL;
        struct dr_piece pieces[DR_NSLOTS];
        int npieces = dr_split(b->addr, b->len, pieces, DR_NSLOTS);
        if (watch_uses_trap(vm, b, npieces))
            return watch_place_trap(vm, vcpu, b);
        return watch_place_dr(vm, b, pieces, npieces);
    }
    }
    return -EINVAL;
}

static void bp_unplace(struct vm *vm, struct breakpoint *b)
{
    struct bp_table *t = table_of(vm);
    switch (b->mech) {
    case MECH_INT3:
        if (!int3_at_gpa(t, b->gpa, b))
            ram_write(&vm->ram, b->gpa, &b->saved, 1);
        if (b->write_protected)
            memslots_unprotect_page(vm, NULL, b->gpa);
        break;
    case MECH_DEBUG_REG: dr_release_slots(&t->dr, b); break;
    case MECH_MEMORY_TRAP: watch_untrap(vm, b); break;
    case MECH_EXEC_TRAP: memslots_untrap_page(vm, NULL, b->gpa); break;
    case MECH_WAITING: break;
    }
}

/* A new entry at the table's end (not counted until it is placed), or NULL. */
static struct breakpoint *bp_new(struct bp_table *t, enum bp_type type, uint64_t addr, uint64_t len)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        struct breakpoint *items = realloc(t->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        t->items = items;
        t->cap = cap;
    }
    struct breakpoint *b = &t->items[t->n];
    memset(b, 0, sizeof(*b));
    b->type = type;
    b->addr = addr;
    b->len = len;
    return b;
}

int bp_insert(struct vm *vm, struct vcpu *vcpu, enum bp_type type, uint64_t addr, uint64_t len,
              const struct bp_agent *agent)
{
    struct bp_table *t = table_of(vm);
    struct bp_agent_copy *copy;
    int rc = bp_agent_copy(agent, &copy);
    if (rc < 0)
        return rc;
    struct breakpoint *b = bp_find(t, type, addr, len);
    if (b) {
        bp_agent_free(b->agent); /* the vCPUs are stopped: nothing evaluates it now */
        b->agent = copy;
        return 0;
    }
    b = bp_new(t, type, addr, len);
    if (!b) {
        bp_agent_free(copy);
        return -ENOMEM;
    }
    rc = bp_place(vm, vcpu, b);
    if (rc < 0) {
        bp_agent_free(copy);
        return rc;
    }
    b->agent = copy;
    t->n++;
    guest_debug_changed(vm);
    return 0;
}

int bp_insert_catch(struct vm *vm, struct vcpu *vcpu, uint64_t addr, int vector)
{
    struct bp_table *t = table_of(vm);
    struct breakpoint *b = bp_new(t, BP_SOFTWARE, addr, 1);
    if (!b)
        return -ENOMEM;
    b->is_catch = true;
    b->catch_vector = vector;
    int rc = bp_place(vm, vcpu, b);
    if (rc < 0)
        return rc;
    t->n++;
    guest_debug_changed(vm);
    return 0;
}

static void bp_delete(struct vm *vm, struct breakpoint *b)
{
    struct bp_table *t = table_of(vm);
    bp_unplace(vm, b);
    bp_agent_free(b->agent);
    int i = b - t->items;
    memmove(&t->items[i], &t->items[i + 1], (t->n - i - 1) * sizeof(*b));
    t->n--;
    guest_debug_changed(vm);
}

int bp_remove(struct vm *vm, enum bp_type type, uint64_t addr, uint64_t len)
{
    struct breakpoint *b = bp_find(table_of(vm), type, addr, len);
    if (!b)
        return -EINVAL;
    bp_delete(vm, b);
    return 0;
}

void bp_remove_all(struct vm *vm)
{
    struct bp_table *t = table_of(vm);
    while (t->n > 0)
        bp_delete(vm, &t->items[t->n - 1]);
}

void bp_remove_catches(struct vm *vm)
{
    struct bp_table *t = table_of(vm);
    for (int i = t->n - 1; i >= 0; i--)
        if (t->items[i].is_catch)
            bp_delete(vm, &t->items[i]);
}

void bp_int3s_lift(struct vm *vm, bool *lifted)
{
    const struct bp_table *t = table_of(vm);
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        uint8_t *p = b->mech == MECH_INT3 ? ram_ptr(&vm->ram, b->gpa, 1) : NULL;
        lifted[i] = p && *p == X86_INSN_INT3;
        if (lifted[i])
            *p = b->saved;
    }
}

void bp_int3s_place(struct vm *vm, const bool *lifted, bool restored)
{
    struct bp_table *t = table_of(vm);
    for (int i = 0; i < t->n; i++) {
        struct breakpoint *b = &t->items[i];
        uint8_t *p = b->mech == MECH_INT3 ? ram_ptr(&vm->ram, b->gpa, 1) : NULL;
        if (!p || (!restored && !lifted[i]))
            continue;
        if (restored)
            b->saved = *p;
        *p = X86_INSN_INT3;
    }
}

void bp_exec_traps_lift(struct vm *vm, bool *untrapped)
{
    const struct bp_table *t = table_of(vm);
    for (int i = 0; i < t->n; i++)
        untrapped[i] = t->items[i].mech == MECH_EXEC_TRAP &&
                       memslots_untrap_page(vm, NULL, t->items[i].gpa) == 0;
}

void bp_exec_traps_place(struct vm *vm, const bool *untrapped)
{
    const struct bp_table *t = table_of(vm);
    for (int i = 0; i < t->n; i++)
        if (untrapped[i] &&
            memslots_trap_page(vm, NULL, t->items[i].gpa, guest_debug_trapped_access, vm) < 0)
            diag("the exec trap of the breakpoint at 0x%" PRIx64 " could not be placed again "
                 "after a replay: it will not stop the guest",
                 t->items[i].addr);
}

int bp_unprotect_int3_pages(struct vm *vm, struct vcpu *self)
{
    struct bp_table *t = table_of(vm);
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        struct breakpoint *b = &t->items[i];
        if (b->mech == MECH_INT3 && b->write_protected &&
            memslots_unprotect_page(vm, self, b->gpa) == 0) {
            b->write_protected = false;
            n++;
        }
    }
    int lingering = memslots_lift_lingering(vm, self); /* those gdb took out before a step */
    return lingering > 0 ? n + lingering : n;
}

void bp_hide_in_read(const struct bp_table *t, uint64_t addr, uint8_t *buf, uint64_t len, bool phys)
{
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        if (b->mech != MECH_INT3)
            continue;
        uint64_t where = phys ? b->gpa : b->addr;
        if (where >= addr && where - addr < len)
            buf[where - addr] = b->saved;
    }
}

void bp_after_write(struct vm *vm, uint64_t addr, const uint8_t *buf, uint64_t len, bool phys)
{
    struct bp_table *t = table_of(vm);
    for (int i = 0; i < t->n; i++) {
        struct breakpoint *b = &t->items[i];
        if (b->mech != MECH_INT3)
            continue;
        uint64_t where = phys ? b->gpa : b->addr;
        if (where >= addr && where - addr < len) {
            b->saved = buf[where - addr];
            uint8_t int3 = X86_INSN_INT3;
            ram_write(&vm->ram, b->gpa, &int3, 1);
            for (int j = 0; j < t->n; j++) /* aliases share the original byte */
                if (t->items[j].mech == MECH_INT3 && t->items[j].gpa == b->gpa)
                    t->items[j].saved = b->saved;
        }
    }
}

void bp_guest_write(struct vm *vm, uint64_t gpa, const uint8_t *buf, unsigned len, uint8_t *out)
{
    struct bp_table *t = table_of(vm);
    memcpy(out, buf, len);
    for (int i = 0; i < t->n; i++) { /* aliases at one byte each take the same */
        struct breakpoint *b = &t->items[i];
        if (b->mech == MECH_INT3 && b->gpa >= gpa && b->gpa - gpa < len) {
            b->saved = buf[b->gpa - gpa];
            out[b->gpa - gpa] = X86_INSN_INT3;
        }
    }
}

const struct breakpoint *bp_watch_hit(const struct bp_table *t, uint64_t gpa, unsigned len,
                                      bool is_write, uint64_t *hit_addr)
{
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        if (b->mech != MECH_MEMORY_TRAP)
            continue;
        if ((b->type == WP_WRITE && !is_write) || (b->type == WP_READ && is_write))
            continue;
        for (int p = 0; p < b->npieces; p++) {
            const struct watch_piece *w = &b->pieces[p];
            if (gpa < w->gpa + w->len && w->gpa < gpa + len) {
                *hit_addr = w->linear + (gpa > w->gpa ? gpa - w->gpa : 0);
                return b;
            }
        }
    }
    return NULL;
}
