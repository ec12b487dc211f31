/* vm/x86/emulation_failure.c — instructions KVM could not run: the guest's own INT3 and UD2
 * are delivered as the CPU would, anything else is named and ends the guest.
 *
 * KVM reports an emulation failure when its instruction emulator refuses an instruction. On
 * hosts whose KVM emulates guest supervisor code (PVM, DESIGN.md §7) that includes
 * INT3 in protected and long mode, even with KVM_GUESTDBG_USE_SW_BP; on every host it includes
 * fetching code from a page that is not RAM, which is how a trapped page shows up. The
 * debugger's part (its breakpoints, its trapped pages) goes through vm->debug_ops; the guest's
 * own INT3 becomes a #BP delivered through its IDT, a UD2 a #UD; anything else ends the guest with
 * a message that says which instruction, where, in which mode, and what to do.
 */
#include "vm/x86/emulation_failure.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "base/x86.h"
#include "vm/kvm.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/exception.h"
#include "vm/x86/linear_mem.h"

enum modrm_form { MODRM_NONE, MODRM_MEM, MODRM_REG };

struct insn_pattern {
    uint8_t bytes[4];
    unsigned len;
    enum modrm_form form; /* whether a ModRM byte follows, and which form it must have */
    uint8_t modrm_reg;    /* its reg field */
    const char *name;
};

static const struct insn_pattern insn_patterns[] = {
    {{0x0F, 0x01, 0xCA}, 3, MODRM_NONE, 0, "CLAC (SMAP)"},
    {{0x0F, 0x01, 0xCB}, 3, MODRM_NONE, 0, "STAC (SMAP)"},
    {{0x0F, 0x01, 0xD0}, 3, MODRM_NONE, 0, "XGETBV"},
    {{0x0F, 0x01, 0xD1}, 3, MODRM_NONE, 0, "XSETBV"},
    {{0x0F, 0x01, 0xF9}, 3, MODRM_NONE, 0, "RDTSCP"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 0, "FXSAVE"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 1, "FXRSTOR"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 2, "LDMXCSR"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 3, "STMXCSR"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 4, "XSAVE"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 5, "XRSTOR"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 6, "XSAVEOPT/CLWB"},
    {{0x0F, 0xAE}, 2, MODRM_MEM, 7, "CLFLUSH/CLFLUSHOPT"},
    {{0x0F, 0xC7}, 2, MODRM_MEM, 4, "XSAVEC"},
    {{0x0F, 0xC7}, 2, MODRM_MEM, 5, "XSAVES"},
    {{0x0F, 0xC7}, 2, MODRM_MEM, 3, "XRSTORS"},
    {{0x0F, 0xC7}, 2, MODRM_REG, 6, "RDRAND"},
    {{0x0F, 0xC7}, 2, MODRM_REG, 7, "RDSEED/RDPID"},
    {{0xF3, 0x0F, 0xB8}, 3, MODRM_NONE, 0, "POPCNT"},
    {{0xF3, 0x0F, 0xBC}, 3, MODRM_NONE, 0, "TZCNT"},
    {{0xF3, 0x0F, 0xBD}, 3, MODRM_NONE, 0, "LZCNT"},
    {{0x0F, 0x38, 0xF0}, 3, MODRM_NONE, 0, "MOVBE"},
    {{0x0F, 0x38, 0xF1}, 3, MODRM_NONE, 0, "MOVBE"},
    {{0xDB, 0xE2}, 2, MODRM_NONE, 0, "FNCLEX"},
    {{0x0F, 0x77}, 2, MODRM_NONE, 0, "EMMS"},
    {{0x0F, 0x0B}, 2, MODRM_NONE, 0, "UD2"},
    {{0xCF}, 1, MODRM_NONE, 0, "IRET"},
    {{0x48, 0xCF}, 2, MODRM_NONE, 0, "IRETQ"},
    {{X86_INSN_INT3}, 1, MODRM_NONE, 0, "INT3"},
};

const char *emulation_failure_insn_name(const uint8_t *bytes, unsigned len)
{
    /* Skip legacy prefixes other than F3 (which is part of some opcodes above). */
    while (len > 1 && x86_is_legacy_prefix(bytes[0])) {
        bytes++;
        len--;
    }
    /* A REX prefix before the opcode (not for IRETQ, which has its own row). */
    if (len > 1 && (bytes[0] & 0xF0) == 0x40 && bytes[1] != 0xCF) {
        bytes++;
        len--;
    }
    for (size_t i = 0; i < sizeof(insn_patterns) / sizeof(insn_patterns[0]); i++) {
        const struct insn_pattern *p = &insn_patterns[i];
        if (len < p->len || memcmp(bytes, p->bytes, p->len) != 0)
            continue;
        if (p->form == MODRM_NONE)
            return p->name;
        if (len <= p->len || ((bytes[p->len] >> 3) & 7) != p->modrm_reg)
            continue;
        bool reg_form = bytes[p->len] >= 0xC0;
        if (reg_form == (p->form == MODRM_REG))
            return p->name;
    }
    return NULL;
}

int emulation_failure_deliver_int3(struct vcpu *vcpu, uint64_t rip)
{
    struct kvm_regs regs;
    if (cpu_get_regs(vcpu, &regs) < 0)
        return -1;
    regs.rip = rip + 1; /* INT3 is a trap: the handler returns after it */
    if (cpu_set_regs(vcpu, &regs) < 0)
        return -1;
    return exception_inject(vcpu, X86_VECTOR_BP, false, 0);
}

/* The failing instruction's bytes: from KVM when it gave them, else from guest memory. */
static unsigned emulation_failure_insn_bytes(struct vcpu *vcpu, uint64_t rip, uint8_t *bytes)
{
    struct kvm_run *run = vcpu->run;
    if (run->emulation_failure.ndata >= 3 &&
        (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) &&
        run->emulation_failure.insn_size > 0) {
        unsigned n = run->emulation_failure.insn_size;
        if (n > X86_INSN_MAX_BYTES)
            n = X86_INSN_MAX_BYTES;
        memcpy(bytes, run->emulation_failure.insn_bytes, n);
        return n;
    }
    return vcpu_mem_copy(vcpu, rip, bytes, X86_INSN_MAX_BYTES, false);
}

/* KVM on hardware hosts queues a #UD for the guest along with the emulation failure it reports
 * (handle_emulation_failure). kvmstub drops it: a failure it handles itself must not reach the
 * guest as one (it would run into the guest's #UD handler, or triple-fault a guest without an
 * IDT), the guest's INT3 becomes a #BP and its UD2 a #UD of kvmstub's, and any other failure
 * ends the guest. */
static void emulation_failure_forget_ud(struct vcpu *vcpu)
{
    struct kvm_vcpu_events events;
    if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &events) < 0) {
        diag_errno("KVM_GET_VCPU_EVENTS (vCPU %d)", vcpu->id);
        return;
    }
    if (!(events.exception.injected || events.exception.pending) ||
        events.exception.nr != X86_VECTOR_UD)
        return;
    events.exception.injected = 0;
    events.exception.pending = 0;
    events.flags = 0;
    if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &events) < 0)
        diag_errno("KVM_SET_VCPU_EVENTS to drop KVM's #UD (vCPU %d)", vcpu->id);
}

void emulation_failure_handle(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    if (cpu_get_regs(vcpu, &regs) < 0 || cpu_get_sregs(vcpu, &sregs) < 0) {
        diag("cannot read the registers after an emulation failure (vCPU %d)", vcpu->id);
        vm_fatal(vcpu, EXIT_EMULATION, GDB_SIGNAL_ILL, "emulation failure");
        return;
    }
    uint64_t rip = cpu_pc_linear(&regs, &sregs);
    uint8_t bytes[X86_INSN_MAX_BYTES];
    unsigned n = emulation_failure_insn_bytes(vcpu, rip, bytes);
    /* First of all, whatever follows: the vCPU may now wait, parked, through a stop (a step
     * aside waits for the others' pause), where a snapshot must not save KVM's #UD. */
    emulation_failure_forget_ud(vcpu);
    /* The debugger's own doing: one of its breakpoints, or code in a page it trapped. */
    if (vm->debug_ops && vm->debug_ops->emulation_failure(vcpu, rip, bytes, n))
        return;
    if (n >= 1 && bytes[0] == X86_INSN_INT3) {
        /* Single-stepping the guest's own INT3: deliver it here and stop at the handler's
         * first instruction, as a CPU does (an injected #BP is lost under single-step). */
        if (vcpu->action == RESUME_STEP && runctl_attached(vm) &&
            exception_deliver_int(vcpu, &regs, &sregs, X86_VECTOR_BP, regs.rip + 1) == 0) {
            runctl_report_step(vcpu);
            return;
        }
        if (emulation_failure_deliver_int3(vcpu, regs.rip) == 0)
            return;
    }
    if (n >= 2 && bytes[0] == X86_INSN_INT_IMM8 && !(regs.rflags & X86_RFLAGS_VM)) {
        /* INT n, which PVM's emulator refuses: delivered here as the CPU does (a gdb step
         * over it never gets here: debug/guest_debug.c delivers it the same way first). */
        if (exception_deliver_int(vcpu, &regs, &sregs, bytes[1], cpu_rip_after(&regs, &sregs, 2)) ==
            0)
            return;
    }
    if (x86_is_ud2(bytes, n, cpu_mode_current(&sregs) == CPU_MODE_LONG64)) {
        /* UD2 raises #UD, whatever the mode and its prefixes (a fault: the pushed pc is the
         * first prefix's). PVM's emulator refuses it in real mode, where hardware runs it.
         * KVM delivers it as the CPU would: a step or a catch stops at the handler as it does
         * there (debug/catch.h). */
        if (exception_inject(vcpu, X86_VECTOR_UD, false, 0) == 0)
            return;
    }

    char hex[X86_INSN_MAX_BYTES * 3 + 1] = "";
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 3 * i, 4, "%02x ", bytes[i]);
    if (n)
        hex[3 * n - 1] = 0;
    const char *name = emulation_failure_insn_name(bytes, n);
    enum cpu_mode mode = cpu_mode_current(&sregs);
    diag("vCPU %d: the host's KVM could not emulate the guest instruction at RIP 0x%" PRIx64
         " (%s) in %s: bytes [%s]",
         vcpu->id, (uint64_t)regs.rip, name ? name : "unrecognized", cpu_mode_name(mode),
         n ? hex : "unreadable");
    if (vm->host.kind == HOST_EMULATING)
        diag("hint: this host's KVM is PVM, which emulates guest kernel code and does not "
             "implement every instruction; kvmstub hides the features it cannot run from "
             "CPUID, but this code used %s anyway. On a host with hardware virtualization "
             "(VT-x/SVM) it runs natively.",
             name ? name : "one");
    else
        diag("hint: KVM emulates an instruction when it touches MMIO or in real mode; check "
             "what the guest accesses at this point");
    vm_fatal(vcpu, EXIT_EMULATION, GDB_SIGNAL_ILL, "emulation failure");
}
