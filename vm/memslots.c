/* vm/memslots.c — register guest RAM with KVM, splitting slots around trapped pages. */
#include "vm/memslots.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "base/x86.h"
#include "vm/runctl.h"
#include "vm/vm.h"

static int memslots_set(struct vm *vm, int slot, uint64_t gpa, uint64_t size, uint64_t offset,
                        bool readonly)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)(vm->ram.host + offset),
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return diag_errno("KVM_SET_USER_MEMORY_REGION (slot %d, 0x%llx+0x%llx%s)", slot,
                          (unsigned long long)gpa, (unsigned long long)size,
                          readonly ? ", read-only" : "");
    return 0;
}

/* What a page is in the map: RAM, write-protected RAM, or a hole. */
enum page_kind { PAGE_RAM, PAGE_PROTECTED, PAGE_HOLE };

static enum page_kind page_kind(const struct memslot_map *m, const struct memslot_trap *t)
{
    if (t->refs > 0 && t->page != m->exempt)
        return PAGE_HOLE;
    return t->write_refs > 0 || t->lingering ? PAGE_PROTECTED : PAGE_RAM;
}

/* The layout's next slot, into out[*n] while it fits. */
static void put(struct memslot_range *out, int cap, int *n, uint64_t gpa, uint64_t size,
                uint64_t offset, bool readonly)
{
    if (out && *n < cap)
        out[*n] = (struct memslot_range){
            .gpa = gpa, .size = size, .offset = offset, .readonly = readonly};
    (*n)++;
}

/* Lay out every RAM region minus the holes, each protected page in a read-only slot of its own,
 * into out (up to cap of them; out may be NULL). The number of slots. */
static int memslots_layout(const struct vm *vm, struct memslot_range *out, int cap)
{
    const struct memslot_map *m = &vm->memslots;
    struct ram_region regions[2];
    int nregions = ram_regions(&vm->ram, regions);
    int n = 0, t = 0;
    for (int r = 0; r < nregions; r++) {
        uint64_t start = regions[r].gpa, end = regions[r].gpa + regions[r].size;
        uint64_t cursor = start;
        for (; t < m->ntrapped && m->trapped[t].page < end; t++) {
            uint64_t page = m->trapped[t].page;
            enum page_kind kind = page_kind(m, &m->trapped[t]);
            if (page < cursor || kind == PAGE_RAM)
                continue;
            if (page > cursor)
                put(out, cap, &n, cursor, page - cursor, regions[r].offset + (cursor - start),
                    false);
            if (kind == PAGE_PROTECTED)
                put(out, cap, &n, page, X86_PAGE_SIZE, regions[r].offset + (page - start), true);
            cursor = page + X86_PAGE_SIZE;
        }
        if (end > cursor)
            put(out, cap, &n, cursor, end - cursor, regions[r].offset + (cursor - start), false);
    }
    return n;
}

static bool same_range(const struct memslot_range *a, const struct memslot_range *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->offset == b->offset &&
           a->readonly == b->readonly;
}

/* Give KVM the layout, unless it has it already. Deleting every slot first leaves RAM absent
 * for a moment: the memory-map rule is what makes that safe, no vCPU can run meanwhile. After
 * a failure, the slots KVM has are still the ones recorded (so they are deleted next time). */
static int memslots_apply_to_kvm(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    int n = memslots_layout(vm, NULL, 0);
    struct memslot_range *want = calloc(n ? n : 1, sizeof(*want));
    if (!want)
        return diag_errno("out of memory for the memory map");
    memslots_layout(vm, want, n);
    m->stale = true; /* until KVM has all of it: a failure here is retried at the next sync */
    bool same = n == m->nslots;
    for (int i = 0; same && i < n; i++)
        same = same_range(&want[i], &m->applied[i]);
    if (same) {
        free(want);
        m->stale = false;
        return 0;
    }
    for (; m->nslots > 0; m->nslots--)
        if (memslots_set(vm, m->nslots - 1, 0, 0, 0, false) < 0) {
            free(want);
            return -1;
        }
    free(m->applied);
    m->applied = want;
    for (; m->nslots < n; m->nslots++) {
        const struct memslot_range *r = &want[m->nslots];
        if (memslots_set(vm, m->nslots, r->gpa, r->size, r->offset, r->readonly) < 0)
            return -1;
    }
    m->stale = false;
    return 0;
}

/* Give KVM the map. One it did not take whole (a failed KVM_SET_USER_MEMORY_REGION, said above)
 * leaves the guest with part of its RAM missing: the guest ends, and the map stays stale. */
static int memslots_apply(struct vm *vm)
{
    if (memslots_apply_to_kvm(vm) == 0)
        return 0;
    diag("KVM did not take the whole memory map: the guest cannot run with part of its RAM "
         "missing, and ends");
    runctl_end(vm, EXIT_GUEST_CRASH);
    return -1;
}

/* The memory-map rule, checked where the map changes. */
static int memslots_check_rule(struct vm *vm, const struct vcpu *self, const char *what)
{
    if (runctl_map_held(vm, self))
        return 0;
    diag("internal error: %s while another vCPU may run (the memory map changes only with "
         "every other vCPU parked)",
         what);
    return -1;
}

int memslots_init(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    memset(m, 0, sizeof(*m));
    m->exempt = MEMSLOT_NONE;
    m->readonly_ok = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
    int max = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    m->max_slots = max > 0 ? max : 32; /* KVM has offered at least 32 since the beginning */
    return memslots_apply_to_kvm(vm);  /* at setup: its caller fails the start */
}

void memslots_destroy(struct vm *vm)
{
    free(vm->memslots.trapped);
    vm->memslots.trapped = NULL;
    vm->memslots.ntrapped = vm->memslots.cap = 0;
    free(vm->memslots.applied);
    vm->memslots.applied = NULL;
    vm->memslots.nslots = 0;
}

static struct memslot_trap *memslots_find(const struct memslot_map *m, uint64_t page)
{
    for (int i = 0; i < m->ntrapped; i++)
        if (m->trapped[i].page == page)
            return &m->trapped[i];
    return NULL;
}

bool memslots_page_trapped(const struct vm *vm, uint64_t gpa)
{
    const struct memslot_trap *t = memslots_find(&vm->memslots, x86_page_of(gpa));
    return t && t->refs > 0;
}

/* A new entry for page, in order, its region on the MMIO bus; NULL after a message. */
static struct memslot_trap *memslots_add(struct vm *vm, uint64_t page, bus_fn fn, void *opaque)
{
    struct memslot_map *m = &vm->memslots;
    if (m->ntrapped == m->cap) {
        int cap = m->cap ? 2 * m->cap : 16;
        struct memslot_trap *grown = realloc(m->trapped, cap * sizeof(*grown));
        if (!grown) {
            diag_errno("out of memory for trapped pages");
            return NULL;
        }
        m->trapped = grown;
        m->cap = cap;
    }
    if (bus_register(&vm->mmio, page, X86_PAGE_SIZE, "trapped page", fn, opaque) < 0)
        return NULL;
    int i = m->ntrapped++;
    while (i > 0 && m->trapped[i - 1].page > page) {
        m->trapped[i] = m->trapped[i - 1];
        i--;
    }
    m->trapped[i] = (struct memslot_trap){.page = page};
    return &m->trapped[i];
}

static void memslots_drop(struct vm *vm, struct memslot_trap *t)
{
    struct memslot_map *m = &vm->memslots;
    uint64_t page = t->page;
    int i = t - m->trapped;
    memmove(&m->trapped[i], &m->trapped[i + 1], (m->ntrapped - i - 1) * sizeof(*m->trapped));
    m->ntrapped--;
    bus_unregister(&vm->mmio, page);
    if (m->exempt == page)
        m->exempt = MEMSLOT_NONE;
}

/* The pages changed: KVM gets them now when a vCPU changed them (it runs next), or at the
 * next memslots_sync when the controller did. */
static int memslots_changed(struct vm *vm, const struct vcpu *self)
{
    if (self)
        return memslots_apply(vm);
    vm->memslots.stale = true;
    return 0;
}

/* The lingering protections: how many there are. */
static int memslots_lingering(const struct memslot_map *m)
{
    int n = 0;
    for (int i = 0; i < m->ntrapped; i++)
        n += m->trapped[i].lingering;
    return n;
}

/* Lift the lingering protections (the entries nothing else holds go); KVM gets the map when
 * memslots_changed says. */
static void memslots_end_lingering(struct vm *vm)
{
    struct memslot_map *m = &vm->memslots;
    for (int i = m->ntrapped - 1; i >= 0; i--) {
        struct memslot_trap *t = &m->trapped[i];
        if (!t->lingering)
            continue;
        t->lingering = false;
        if (t->refs == 0 && t->write_refs == 0)
            memslots_drop(vm, t);
    }
}

int memslots_lift_lingering(struct vm *vm, const struct vcpu *self)
{
    int n = memslots_lingering(&vm->memslots);
    if (n == 0)
        return 0;
    if (memslots_check_rule(vm, self, "unprotecting a page") < 0)
        return -1;
    memslots_end_lingering(vm);
    return memslots_changed(vm, self) < 0 ? -1 : n;
}

int memslots_sync(struct vm *vm, bool steps_only)
{
    bool lingering = !steps_only && memslots_lingering(&vm->memslots) > 0;
    if (!vm->memslots.stale && !lingering)
        return 0;
    if (memslots_check_rule(vm, NULL, "applying the memory map's changes") < 0)
        return -1;
    if (lingering) {
        memslots_end_lingering(vm);
        vm->memslots.stale = true;
    }
    return memslots_apply(vm);
}

/* One more trap (write_only false) or write protection of the page that holds gpa (the map
 * changes only when the page's kind does). */
static int memslots_hold(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                         void *opaque, bool write_only)
{
    struct memslot_map *m = &vm->memslots;
    uint64_t page = x86_page_of(gpa);
    struct memslot_trap *t = memslots_find(m, page);
    if (t) {
        const struct bus_region *r = bus_find(&vm->mmio, page);
        if (!r || r->fn != fn || r->opaque != opaque) {
            diag("internal error: page 0x%" PRIx64 " trapped for two handlers", page);
            return -1;
        }
    }
    struct memslot_trap before = t ? *t : (struct memslot_trap){.page = page};
    struct memslot_trap after = before;
    *(write_only ? &after.write_refs : &after.refs) += 1;
    if (write_only)
        after.lingering = false; /* taken over: the protection KVM still has is this one */
    if (t && page_kind(m, &before) == page_kind(m, &after)) {
        *t = after;
        return 0;
    }
    if (memslots_check_rule(vm, self, write_only ? "write-protecting a page" : "trapping a page") <
        0)
        return -1;
    if (!t && !(t = memslots_add(vm, page, fn, opaque)))
        return -1;
    *t = after;
    if (memslots_layout(vm, NULL, 0) > m->max_slots) {
        diag("cannot %s page 0x%" PRIx64 ": KVM's %d memory slots would not hold the map",
             write_only ? "write-protect" : "trap", page, m->max_slots);
        if (before.refs == 0 && before.write_refs == 0 && !before.lingering)
            memslots_drop(vm, t);
        else
            *t = before;
        return -1;
    }
    return memslots_changed(vm, self);
}

/* One trap or write protection fewer. */
static int memslots_release(struct vm *vm, const struct vcpu *self, uint64_t gpa, bool write_only)
{
    struct memslot_map *m = &vm->memslots;
    struct memslot_trap *t = memslots_find(m, x86_page_of(gpa));
    int *refs = t ? (write_only ? &t->write_refs : &t->refs) : NULL;
    if (!refs || *refs == 0)
        return 0;
    struct memslot_trap after = *t;
    *(write_only ? &after.write_refs : &after.refs) -= 1;
    if (write_only && after.write_refs == 0 && !self)
        after.lingering = true; /* the controller's: KVM keeps it until a run not only of steps */
    bool gone = after.refs == 0 && after.write_refs == 0 && !after.lingering;
    if (!gone && page_kind(m, t) == page_kind(m, &after)) {
        *t = after;
        return 0;
    }
    if (memslots_check_rule(vm, self, write_only ? "unprotecting a page" : "untrapping a page") < 0)
        return -1;
    if (gone) {
        memslots_drop(vm, t);
    } else {
        *t = after;
        if (t->refs == 0 && m->exempt == t->page)
            m->exempt = MEMSLOT_NONE; /* nothing trapped left to map back */
    }
    return memslots_changed(vm, self);
}

int memslots_trap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                       void *opaque)
{
    return memslots_hold(vm, self, gpa, fn, opaque, false);
}

int memslots_untrap_page(struct vm *vm, const struct vcpu *self, uint64_t gpa)
{
    return memslots_release(vm, self, gpa, false);
}

int memslots_protect_page(struct vm *vm, const struct vcpu *self, uint64_t gpa, bus_fn fn,
                          void *opaque)
{
    if (!vm->memslots.readonly_ok) {
        diag("this host's KVM has no read-only memory slots (KVM_CAP_READONLY_MEM): "
             "cannot write-protect page 0x%" PRIx64,
             (uint64_t)x86_page_of(gpa));
        return -1;
    }
    return memslots_hold(vm, self, gpa, fn, opaque, true);
}

int memslots_unprotect_page(struct vm *vm, const struct vcpu *self, uint64_t gpa)
{
    return memslots_release(vm, self, gpa, true);
}

int memslots_exempt(struct vm *vm, const struct vcpu *self, uint64_t page)
{
    struct memslot_map *m = &vm->memslots;
    if (page != MEMSLOT_NONE && !memslots_page_trapped(vm, page))
        page = MEMSLOT_NONE; /* nothing to map back */
    if (m->exempt == page)
        return 0;
    if (memslots_check_rule(vm, self, "mapping a trapped page back") < 0)
        return -1;
    uint64_t before = m->exempt;
    m->exempt = page;
    if (memslots_apply(vm) == 0)
        return 0;
    m->exempt = before; /* never a trapped page left mapped for good by a later sync */
    return -1;
}
