/* debug/monitor.c — gdb's `monitor` commands (qRcmd): machine state gdb does not show. */
#include "debug/monitor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/x86.h"
#include "debug/breakpoints.h"
#include "debug/catch.h"
#include "debug/guest_debug.h"
#include "debug/guest_mem.h"
#include "debug/kaslr.h"
#include "debug/monitor_break.h"
#include "debug/monitor_info.h"
#include "debug/monitor_out.h"
#include "debug/record.h"
#include "debug/shutdown_chain.h"
#include "debug/snapshots.h"
#include "loader/e820.h"
#include "vm/kvm.h"
#include "vm/memslots.h"
#include "vm/snapshot.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/exception.h"

#define MONITOR_MAX_ARGS  12
#define IDT_DEFAULT_SHOW  32
#define CPUID_MAX_ENTRIES 512

struct monitor_ctx {
    struct vm *vm;
    struct vcpu *vcpu;
    target_print_fn print;
    void *print_ctx;
    int argc;
    char *argv[MONITOR_MAX_ARGS];
};

static void out(struct monitor_ctx *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct monitor_ctx *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    monitor_vsay(m->print, m->print_ctx, fmt, ap);
    va_end(ap);
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return !*end && errno == 0;
}

static int get_sregs(struct monitor_ctx *m, struct kvm_sregs *s)
{
    if (cpu_get_sregs(m->vcpu, s) < 0) {
        out(m, "cannot read the control registers");
        return -1;
    }
    return 0;
}

static int cmd_sregs(struct monitor_ctx *m)
{
    struct kvm_sregs s;
    if (get_sregs(m, &s) < 0)
        return 0;
    out(m, "vCPU %d, %s, %s", m->vcpu->id, cpu_mode_name(cpu_mode_current(&s)),
        paging_mode_name(paging_mode_of(s.cr0, s.cr4, s.efer)));
    struct cpu_segment segs[CPU_NSEGMENTS];
    cpu_mode_segments(&s, segs);
    for (int i = 0; i < CPU_NSEGMENTS; i++) {
        char line[MONITOR_LINE];
        cpu_mode_format_segment(line, sizeof(line), &segs[i]);
        out(m, "%s", line);
    }
    out(m, "gdtr base=%016" PRIx64 " limit=%04x", (uint64_t)s.gdt.base, s.gdt.limit);
    out(m, "idtr base=%016" PRIx64 " limit=%04x", (uint64_t)s.idt.base, s.idt.limit);
    out(m, "cr0=%016" PRIx64 " [%s%s%s%s%s%s%s]", (uint64_t)s.cr0, s.cr0 & X86_CR0_PE ? " PE" : "",
        s.cr0 & X86_CR0_MP ? " MP" : "", s.cr0 & X86_CR0_ET ? " ET" : "",
        s.cr0 & X86_CR0_NE ? " NE" : "", s.cr0 & X86_CR0_WP ? " WP" : "",
        s.cr0 & X86_CR0_PG ? " PG" : "", " ");
    out(m, "cr2=%016" PRIx64 " cr3=%016" PRIx64, (uint64_t)s.cr2, (uint64_t)s.cr3);
    out(m, "cr4=%016" PRIx64 " [%s%s%s ]", (uint64_t)s.cr4, s.cr4 & X86_CR4_PSE ? " PSE" : "",
        s.cr4 & X86_CR4_PAE ? " PAE" : "", s.cr4 & X86_CR4_LA57 ? " LA57" : "");
    out(m, "cr8=%016" PRIx64 " efer=%016" PRIx64 " [%s%s%s ]", (uint64_t)s.cr8, (uint64_t)s.efer,
        s.efer & X86_EFER_LME ? " LME" : "", s.efer & X86_EFER_LMA ? " LMA" : "",
        s.efer & X86_EFER_NX ? " NXE" : "");
    out(m, "apic_base=%016" PRIx64, (uint64_t)s.apic_base);
    struct kvm_debugregs dr;
    if (ioctl(m->vcpu->fd, KVM_GET_DEBUGREGS, &dr) == 0)
        out(m, "dr0=%016llx dr1=%016llx dr2=%016llx dr3=%016llx dr6=%016llx dr7=%016llx", dr.db[0],
            dr.db[1], dr.db[2], dr.db[3], dr.dr6, dr.dr7);
    return 0;
}

static void show_entry_flags(char *buf, size_t len, uint64_t e)
{
    snprintf(buf, len, "%s%s%s%s%s%s%s", e & X86_PTE_PRESENT ? "P" : "-",
             e & X86_PTE_WRITE ? " RW" : " RO", e & X86_PTE_USER ? " US" : " S",
             e & X86_PTE_ACCESSED ? " A" : "", e & X86_PTE_DIRTY ? " D" : "",
             e & X86_PTE_LARGE ? " PS" : "", e & X86_PTE_NX ? " NX" : "");
}

static int cmd_translate(struct monitor_ctx *m)
{
    uint64_t addr;
    if (m->argc != 2 || !parse_u64(m->argv[1], &addr)) {
        out(m, "usage: monitor translate ADDRESS");
        return 0;
    }
    struct paging_ctx ctx;
    if (guest_paging(m->vcpu, &ctx) < 0) {
        out(m, "cannot read the control registers");
        return 0;
    }
    struct pagewalk_result w;
    int rc = linear_translate(&m->vm->ram, &ctx, addr, &w);
    out(m, "linear 0x%" PRIx64 ", %s%s, cr3=0x%" PRIx64, addr, paging_mode_name(ctx.mode),
        m->vm->debug->paging >= 0 ? " (monitor paging)" : "", ctx.cr3);
    for (int i = 0; i < w.nsteps; i++) {
        char flags[48];
        show_entry_flags(flags, sizeof(flags), w.steps[i].entry);
        out(m, "  %-5s at 0x%09" PRIx64 " = 0x%016" PRIx64 " [%s]", w.steps[i].name,
            w.steps[i].entry_gpa, w.steps[i].entry, flags);
    }
    if (rc < 0)
        out(m, "  not mapped: %s", w.fault);
    else
        out(m, "  -> physical 0x%" PRIx64 " (%" PRIu64 " KiB page)%s", w.gpa, w.page_size >> 10,
            ram_contains(&m->vm->ram, w.gpa, 1) ? "" : ", not RAM");
    return 0;
}

static int cmd_phys(struct monitor_ctx *m)
{
    struct debug_state *d = m->vm->debug;
    if (m->argc == 2 && strcmp(m->argv[1], "on") == 0)
        d->phys = true;
    else if (m->argc == 2 && strcmp(m->argv[1], "off") == 0)
        d->phys = false;
    else if (m->argc != 1) {
        out(m, "usage: monitor phys [on|off]");
        return 0;
    }
    out(m, "memory addresses are %s", d->phys ? "physical" : "linear (through the page tables)");
    return 0;
}

static int cmd_paging(struct monitor_ctx *m)
{
    struct debug_state *d = m->vm->debug;
    if (m->argc == 2) {
        enum paging_mode mode;
        if (strcmp(m->argv[1], "auto") == 0) {
            d->paging = -1;
        } else if (paging_mode_parse(m->argv[1], &mode)) {
            d->paging = (int)mode;
        } else {
            out(m, "usage: monitor paging [auto|none|32bit|pae|4level|5level]");
            return 0;
        }
    }
    if (d->paging < 0)
        out(m, "gdb's addresses are translated with the vCPU's own paging mode (auto)");
    else
        out(m,
            "gdb's addresses are translated as %s with the vCPU's CR3 (the vCPU itself is "
            "unchanged; 'monitor paging auto' to undo)",
            paging_mode_name(d->paging));
    return 0;
}

static int cmd_cpuid(struct monitor_ctx *m)
{
    uint64_t leaf = 0, sub = 0;
    bool one = m->argc >= 2;
    if ((one && !parse_u64(m->argv[1], &leaf)) || (m->argc == 3 && !parse_u64(m->argv[2], &sub))) {
        out(m, "usage: monitor cpuid [LEAF [SUBLEAF]]");
        return 0;
    }
    struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
    if (!c)
        return -ENOMEM;
    c->nent = CPUID_MAX_ENTRIES;
    if (ioctl(m->vcpu->fd, KVM_GET_CPUID2, c) < 0) {
        out(m, "KVM_GET_CPUID2: %s", strerror(errno));
        free(c);
        return 0;
    }
    out(m, "CPUID as vCPU %d sees it%s:", m->vcpu->id,
        m->vm->host.kind == HOST_EMULATING ? " (features the host cannot emulate are hidden)" : "");
    int shown = 0;
    for (uint32_t i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (one && (e->function != leaf || (m->argc == 3 && e->index != sub)))
            continue;
        out(m, "  %08x.%02x: eax=%08x ebx=%08x ecx=%08x edx=%08x", e->function, e->index, e->eax,
            e->ebx, e->ecx, e->edx);
        shown++;
    }
    if (!shown)
        out(m, "  (no such leaf: the CPU reports the highest basic leaf's values)");
    free(c);
    return 0;
}

static int cmd_rdmsr(struct monitor_ctx *m)
{
    uint64_t index, value;
    if (m->argc != 2 || !parse_u64(m->argv[1], &index)) {
        out(m, "usage: monitor rdmsr MSR   (e.g. rdmsr 0xc0000080)");
        return 0;
    }
    if (cpu_msr_read(m->vcpu, (uint32_t)index, &value) < 0)
        out(m, "MSR 0x%" PRIx64 " cannot be read (KVM does not know it)", index);
    else
        out(m, "MSR 0x%" PRIx64 " = 0x%016" PRIx64, index, value);
    return 0;
}

static int cmd_wrmsr(struct monitor_ctx *m)
{
    uint64_t index, value;
    if (m->argc != 3 || !parse_u64(m->argv[1], &index) || !parse_u64(m->argv[2], &value)) {
        out(m, "usage: monitor wrmsr MSR VALUE");
        return 0;
    }
    if (cpu_msr_write(m->vcpu, (uint32_t)index, value) < 0)
        out(m, "MSR 0x%" PRIx64 " cannot be written", index);
    else
        out(m, "MSR 0x%" PRIx64 " <- 0x%016" PRIx64, index, value);
    return 0;
}

static int cmd_gdt(struct monitor_ctx *m)
{
    struct kvm_sregs s;
    if (get_sregs(m, &s) < 0)
        return 0;
    unsigned n = (s.gdt.limit + 1) / 8;
    out(m, "GDT at 0x%" PRIx64 ", %u descriptors", (uint64_t)s.gdt.base, n);
    for (unsigned i = 0; i < n && i < 64; i++) {
        uint64_t d;
        struct kvm_segment seg;
        if (cpu_mode_read_descriptor(m->vcpu, &s, (uint16_t)(i * 8), &d) < 0) {
            out(m, "  %04x: not readable", i * 8);
            break;
        }
        if (d == 0) {
            out(m, "  %04x: null", i * 8);
            continue;
        }
        cpu_mode_decode_descriptor(d, (uint16_t)(i * 8), &seg);
        const char *kind = !seg.s ? "system" : (seg.type & 8) ? "code" : "data";
        out(m, "  %04x: %016" PRIx64 " %s base=%08" PRIx64 " limit=%08x%s type=%x dpl=%u%s%s%s",
            i * 8, d, kind, (uint64_t)seg.base, seg.limit, seg.g ? " (4K)" : "", seg.type, seg.dpl,
            seg.present ? " P" : "", seg.l ? " L" : "", seg.db ? " D/B" : "");
    }
    return 0;
}

static int cmd_idt(struct monitor_ctx *m)
{
    struct kvm_sregs s;
    if (get_sregs(m, &s) < 0)
        return 0;
    uint64_t count = IDT_DEFAULT_SHOW;
    if (m->argc == 2 && !parse_u64(m->argv[1], &count)) {
        out(m, "usage: monitor idt [COUNT]");
        return 0;
    }
    bool long_mode = s.efer & X86_EFER_LMA;
    bool real = !(s.cr0 & X86_CR0_PE);
    unsigned size = exception_entry_size(real, long_mode);
    unsigned n = (s.idt.limit + 1) / size;
    out(m, "IDT at 0x%" PRIx64 ", limit 0x%x (%u entries)%s", (uint64_t)s.idt.base, s.idt.limit, n,
        real ? ", real-mode vector table" : "");
    for (unsigned v = 0; v < n && v < count; v++) {
        uint8_t e[16];
        if (guest_mem_copy(m->vcpu, s.idt.base + (uint64_t)v * size, e, size, false, false) !=
            size) {
            out(m, "  %3u: not readable", v);
            break;
        }
        if (real) {
            out(m, "  %3u: %04x:%04x", v, e[2] | e[3] << 8, e[0] | e[1] << 8);
            continue;
        }
        struct idt_gate g;
        exception_gate_decode(e, long_mode, &g);
        if (!g.present)
            continue;
        out(m, "  %3u: %04x:%016" PRIx64 " %s dpl=%u%s", v, g.selector, g.offset,
            exception_gate_name(g.type | 8), g.dpl, g.ist ? " ist" : "");
    }
    return 0;
}

static int cmd_breakpoints(struct monitor_ctx *m)
{
    const struct bp_table *t = &m->vm->debug->bps;
    out(m, "%d breakpoints/watchpoints; watch mode %s, break mode %s", t->n,
        watch_mode_name(t->watch_mode), break_mode_name(t->break_mode));
    for (int i = 0; i < t->n; i++) {
        const struct breakpoint *b = &t->items[i];
        char extra[64] = "";
        if (b->mech == MECH_INT3 || b->mech == MECH_EXEC_TRAP)
            snprintf(extra, sizeof(extra), " at physical 0x%" PRIx64 "%s", b->gpa,
                     b->write_protected ? ", page write-protected" : "");
        else if (b->mech == MECH_DEBUG_REG)
            snprintf(extra, sizeof(extra), " in %d slot%s", b->nslots, b->nslots > 1 ? "s" : "");
        else if (b->mech == MECH_WAITING)
            snprintf(extra, sizeof(extra), " (gdb moves it once it relocates its symbols)");
        else
            snprintf(extra, sizeof(extra), " on %d page%s", b->npieces, b->npieces > 1 ? "s" : "");
        char type[16];
        if (b->is_catch)
            exception_short_name(b->catch_vector, type, sizeof(type)); /* monitor catch */
        else
            snprintf(type, sizeof(type), "%s", bp_type_name(b->type));
        out(m, "  %-6s 0x%016" PRIx64 " len %" PRIu64 ": %s%s", type, b->addr, b->len,
            bp_mechanism_name(b->mech), extra);
    }
    return 0;
}

static int cmd_watch_mode(struct monitor_ctx *m)
{
    struct bp_table *t = &m->vm->debug->bps;
    if (m->argc == 2) {
        enum watch_mode mode;
        if (!watch_mode_parse(m->argv[1], &mode)) {
            out(m, "usage: monitor watch-mode [auto|dr|trap]");
            return 0;
        }
        const struct host_debug_caps *c = host_debug_caps(&m->vm->host, m->vm->kvm_fd);
        if (mode == WATCH_MODE_DR && !c->dr_data) {
            out(m,
                "watch-mode dr refused: this host does not fire debug-register data "
                "watchpoints (probed); watch mode stays %s",
                watch_mode_name(t->watch_mode));
            return 0;
        }
        t->watch_mode = mode;
    }
    out(m, "watch mode: %s (applies to watchpoints set from now on)",
        watch_mode_name(t->watch_mode));
    out(m, "  auto: debug registers while free, where the host fires them; memory traps "
           "otherwise;");
    out(m, "  dr: debug registers (write/access only); trap: memory traps (any size, reads too)");
    return 0;
}

static int cmd_break_mode(struct monitor_ctx *m)
{
    struct bp_table *t = &m->vm->debug->bps;
    if (m->argc == 2 && !break_mode_parse(m->argv[1], &t->break_mode)) {
        out(m, "usage: monitor break-mode [auto|trap|int3]");
        return 0;
    }
    out(m, "break mode: %s (applies to breakpoints set from now on)",
        break_mode_name(t->break_mode));
    out(m, "  auto: INT3, or a debug register where the address is not mapped yet or INT3 does "
           "not reach kvmstub, or an exec trap where neither works;");
    out(m, "  trap: exec traps (the code's page leaves the memory map; slower);");
    out(m, "  int3: INT3 wherever the address is mapped, even where this host is not known to "
           "report it");
    out(m, "  (an INT3's page is write-protected: the guest writing code over it keeps the "
           "breakpoint)");
    return 0;
}

static int cmd_memmap(struct monitor_ctx *m)
{
    struct e820_entry map[E820_MAX_ENTRIES];
    int n = e820_build(&m->vm->ram, map);
    out(m, "guest RAM %" PRIu64 " MiB; memory map given to the guest:", m->vm->ram.size >> 20);
    for (int i = 0; i < n; i++)
        out(m, "  0x%012" PRIx64 "-0x%012" PRIx64 " %s", map[i].addr, map[i].addr + map[i].size,
            map[i].type == E820_RAM ? "RAM" : "reserved");
    const struct memslot_map *slots = &m->vm->memslots;
    for (int i = 0; i < slots->ntrapped; i++) {
        const struct memslot_trap *p = &slots->trapped[i];
        if (p->refs > 0)
            out(m, "  page 0x%" PRIx64 " is trapped (%d breakpoint or watchpoint piece%s)", p->page,
                p->refs, p->refs > 1 ? "s" : "");
        else
            out(m, "  page 0x%" PRIx64 " is write-protected (%d INT3%s)", p->page, p->write_refs,
                p->write_refs > 1 ? "s" : "");
    }
    return 0;
}

static int cmd_status(struct monitor_ctx *m)
{
    struct vm *vm = m->vm;
    out(m, "image: %s; %" PRIu64 " MiB RAM; %d vCPU%s; %s", image_kind_name(vm->image_kind),
        vm->ram.size >> 20, vm->ncpus, vm->ncpus > 1 ? "s" : "",
        vm->cfg->irqchip ? "in-kernel irqchip" : "no irqchip (HLT ends a vCPU)");
    const struct host_debug_caps *c = host_debug_caps(&vm->host, vm->kvm_fd);
    out(m, "host KVM: %s; single-step %s interrupts", host_kind_name(vm->host.kind),
        vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ ? "blocks" : "cannot block");
    out(m,
        "  guest debugging (%s in %.1f ms): INT3 %s (real mode: %s), debug-register "
        "breakpoints %s, data watchpoints %s, a step over STI %s",
        c->ok ? "probed" : "assumed", c->probe_ms, c->int3_exits ? "exits" : "does not exit",
        c->int3_exits_real ? "exits" : "does not exit", c->dr_exec ? "fire" : "never fire",
        c->dr_data ? "fire" : "never fire",
        c->step_sti_exact ? "stops after it" : "runs one more (kvmstub steps STI itself)");
    out(m, "  single-step: its trap flag %s; its exit %s DR7",
        c->step_keeps_tf ? "outlives a step (guest debug is set again only where it may not)"
                         : "does not outlive a step (guest debug is set before every step)",
        c->step_exit_dr7 ? "carries" : "carries no");
    for (int i = 0; i < vm->ncpus; i++) {
        struct kvm_sregs s;
        if (cpu_get_sregs(&vm->vcpus[i], &s) == 0)
            out(m, "  CPU %d: %s, %s%s", i, cpu_mode_name(cpu_mode_current(&s)),
                paging_mode_name(paging_mode_of(s.cr0, s.cr4, s.efer)),
                vm->vcpus[i].done ? ", halted for good" : "");
    }
    return 0;
}

static int cmd_snapshot(struct monitor_ctx *m)
{
    struct snapshot_store *store = &m->vm->debug->snapshots;
    const char *sub = m->argc > 1 ? m->argv[1] : "list";
    const char *name = m->argc > 2 ? m->argv[2] : NULL;
    char err[256];
    struct snapshot_result res = {0};
    if (strcmp(sub, "list") == 0 && m->argc <= 2) {
        if (!store->head)
            out(m, "no snapshots");
        for (const struct named_snapshot *n = store->head; n; n = n->next)
            out(m, "%-20s %9.2f MiB, taken in %.1f ms", n->name,
                snapshot_bytes(n->snap) / 1048576.0, n->took_ms);
        return 0;
    }
    if (strcmp(sub, "write") == 0 && m->argc == 4) {
        if (snapshots_write(m->vm, store, name, m->argv[3], &res, err, sizeof(err)) < 0)
            out(m, "error: snapshot write %s: %s", name, err);
        else
            out(m, "wrote %s to %s in %.1f ms (kvmstub --restore %s)", name, m->argv[3], res.ms,
                m->argv[3]);
        return 0;
    }
    if (!name || m->argc != 3) {
        out(m, "usage: monitor snapshot save|restore|delete NAME, monitor snapshot write NAME "
               "FILE, or monitor snapshot list");
        return 0;
    }
    if (strcmp(sub, "save") == 0) {
        if (snapshots_save(m->vm, store, name, &res, err, sizeof(err)) < 0)
            out(m, "error: snapshot save %s: %s", name, err);
        else
            out(m, "saved %s: %.2f MiB in %.1f ms", name, res.bytes / 1048576.0, res.ms);
    } else if (strcmp(sub, "restore") == 0) {
        if (snapshots_restore(m->vm, store, name, &res, err, sizeof(err)) < 0)
            out(m, "error: snapshot restore %s: %s", name, err);
        else
            out(m,
                "restored %s: %" PRIu64 " RAM pages written in %.1f ms (gdb: maintenance flush "
                "register-cache)",
                name, res.pages_written, res.ms);
    } else if (strcmp(sub, "delete") == 0) {
        if (snapshots_delete(store, name, err, sizeof(err)) < 0)
            out(m, "error: snapshot delete %s: %s", name, err);
        else
            out(m, "deleted %s", name);
    } else {
        out(m, "usage: monitor snapshot save|restore|delete NAME, monitor snapshot write NAME "
               "FILE, or monitor snapshot list");
    }
    return 0;
}

/* `record on|off|status`: the execution history gdb's reverse commands use (debug/record.h). */
static int cmd_record(struct monitor_ctx *m)
{
    struct vm *vm = m->vm;
    const struct record *r = &vm->debug->record;
    const char *sub = m->argc > 1 ? m->argv[1] : "status";
    char err[256];
    if (strcmp(sub, "on") == 0 && m->argc == 2) {
        if (record_start(vm, err, sizeof(err)) < 0)
            out(m, "error: record on: %s", err);
        else
            out(m, "recording from here: every instruction is single-stepped (reverse-stepi, "
                   "reverse-continue, ... go back to here)");
    } else if (strcmp(sub, "off") == 0 && m->argc == 2) {
        record_stop(vm);
        out(m, "not recording; the history is gone");
    } else if (strcmp(sub, "status") == 0 && m->argc <= 2) {
        if (!r->on) {
            out(m, "not recording%s%s", r->failure[0] ? ": " : "", r->failure);
            return 0;
        }
        out(m,
            "recording: positions %" PRIu64 "..%" PRIu64 ", at %" PRIu64 "; %zu checkpoints "
            "(every %" PRIu64 "), %zu port accesses; %.2f MiB",
            r->start, r->end, r->pos, r->ncps, r->interval, r->nio, record_bytes(vm) / 1048576.0);
    } else {
        out(m, "usage: monitor record on|off|status");
    }
    return 0;
}

/* QEMU's HMP `info` forms (debug/monitor_info.c). */
static int cmd_info(struct monitor_ctx *m)
{
    return monitor_info(m->vm, m->vcpu, m->argc - 1, m->argv + 1, m->print, m->print_ctx);
}

/* Port and MSR breakpoints (debug/monitor_break.c). */
static int cmd_break(struct monitor_ctx *m)
{
    return monitor_break(m->vm, m->argc - 1, m->argv + 1, m->print, m->print_ctx);
}

static int cmd_exception(struct monitor_ctx *m)
{
    if (catch_describe(m->vcpu, m->print, m->print_ctx) ||
        shutdown_chain_describe(m->vcpu, m->print, m->print_ctx))
        return 0;
    return monitor_exception(m->vm, m->vcpu, m->print, m->print_ctx);
}

/* Exception catchpoints (debug/catch.c). */
static int cmd_catch(struct monitor_ctx *m)
{
    catch_command(m->vm, m->vcpu, m->argc - 1, m->argv + 1, m->print, m->print_ctx);
    return 0;
}

/* A KASLR kernel's slide (debug/kaslr.c). */
static int cmd_kaslr(struct monitor_ctx *m)
{
    kaslr_monitor(m->vm, m->print, m->print_ctx);
    return 0;
}

static int cmd_help(struct monitor_ctx *m);

struct monitor_command {
    const char *name;
    const char *args;
    const char *help;
    int (*fn)(struct monitor_ctx *m);
};

static const struct monitor_command monitor_commands[] = {
    {"help", "", "this list", cmd_help},
    {"status", "", "the VM: image, RAM, vCPUs and their modes, host KVM", cmd_status},
    {"sregs", "", "segments (hidden parts), GDTR/IDTR, CR0-4/8, EFER, debug registers", cmd_sregs},
    {"translate", "ADDR", "walk the page tables for ADDR, every level", cmd_translate},
    {"phys", "[on|off]", "gdb's memory addresses are physical (on) or linear (off)", cmd_phys},
    {"paging", "[auto|MODE]",
     "read memory as if paging were MODE (none, 32bit, pae, 4level, "
     "5level) with the current CR3",
     cmd_paging},
    {"gdt", "", "decode the GDT", cmd_gdt},
    {"idt", "[COUNT]", "decode the IDT (first 32 vectors by default)", cmd_idt},
    {"cpuid", "[LEAF [SUB]]", "CPUID as the guest sees it", cmd_cpuid},
    {"rdmsr", "MSR", "read a model-specific register", cmd_rdmsr},
    {"wrmsr", "MSR VALUE", "write a model-specific register", cmd_wrmsr},
    {"memmap", "", "guest RAM and the memory map the guest was given", cmd_memmap},
    {"breakpoints", "", "kvmstub's breakpoints and the mechanism behind each", cmd_breakpoints},
    {"watch-mode", "[auto|dr|trap]", "how watchpoints are implemented", cmd_watch_mode},
    {"break-mode", "[auto|trap|int3]", "how breakpoints are implemented", cmd_break_mode},
    {"break", "io PORT[-PORT]|msr MSR [r|w|rw]",
     "stop after the guest accesses them; no argument: list; delete N|all", cmd_break},
    {"catch", "[exception VECTOR|NAME...|all|none]",
     "stop when the guest raises these exceptions, before the handler; no argument: list",
     cmd_catch},
    {"exception", "", "what this vCPU stopped on: an exception, port or MSR access, triple fault",
     cmd_exception},
    {"snapshot", "save|restore|delete|list [NAME]",
     "the whole machine, in memory; write NAME FILE: to a file for --restore", cmd_snapshot},
    {"record", "on|off|status", "record execution for gdb's reverse-stepi, reverse-continue...",
     cmd_record},
    {"kaslr", "", "a KASLR kernel's slide, once the kernel has chosen it", cmd_kaslr},
    {"info", "mem|tlb|registers [-a]",
     "QEMU's forms (for pwndbg, gef): mappings, pages, registers (no FPU/SSE)", cmd_info},
};

#define MONITOR_NCOMMANDS (sizeof(monitor_commands) / sizeof(monitor_commands[0]))

static int cmd_help(struct monitor_ctx *m)
{
    out(m, "kvmstub monitor commands (the current thread's vCPU; numbers in C syntax):");
    for (size_t i = 0; i < MONITOR_NCOMMANDS; i++) {
        char usage[48];
        snprintf(usage, sizeof(usage), "%s %s", monitor_commands[i].name, monitor_commands[i].args);
        out(m, "  %-26s %s", usage, monitor_commands[i].help);
    }
    return 0;
}

int monitor_run(struct vm *vm, struct vcpu *vcpu, const char *cmd, target_print_fn print, void *ctx)
{
    char line[MONITOR_LINE];
    snprintf(line, sizeof(line), "%s", cmd);
    struct monitor_ctx m = {.vm = vm, .vcpu = vcpu, .print = print, .print_ctx = ctx};
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t", &save); tok && m.argc < MONITOR_MAX_ARGS;
         tok = strtok_r(NULL, " \t", &save))
        m.argv[m.argc++] = tok;
    if (m.argc == 0)
        return cmd_help(&m);
    for (size_t i = 0; i < MONITOR_NCOMMANDS; i++)
        if (strcmp(m.argv[0], monitor_commands[i].name) == 0)
            return monitor_commands[i].fn(&m);
    return -ENOENT;
}
