/* vm/x86/regdump.c — a readable register dump on stderr for guests that crash. */
#include "vm/x86/regdump.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/linear_mem.h"

void regdump_print(struct vcpu *vcpu)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return;
    diag("registers of vCPU %d (%s):", vcpu->id, cpu_mode_name(cpu_mode_current(&s)));
    diag("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", r.rax, r.rbx, r.rcx, r.rdx);
    diag("  rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx", r.rsi, r.rdi, r.rbp, r.rsp);
    diag("  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx", r.r8, r.r9, r.r10, r.r11);
    diag("  r12=%016llx r13=%016llx r14=%016llx r15=%016llx", r.r12, r.r13, r.r14, r.r15);
    diag("  rip=%016llx rflags=%08llx", r.rip, r.rflags);
    struct cpu_segment segs[CPU_NSEGMENTS];
    cpu_mode_segments(&s, segs);
    for (int i = 0; i < CPU_NSEGMENTS; i++) {
        char line[160];
        cpu_mode_format_segment(line, sizeof(line), &segs[i]);
        diag("  %s", line);
    }
    diag("  gdt=%016llx/%04x idt=%016llx/%04x", s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
    diag("  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx", s.cr0, s.cr2, s.cr3, s.cr4);
    diag("  cr8=%016llx efer=%016llx", s.cr8, s.efer);
    uint8_t code[16];
    size_t n = vcpu_mem_copy(vcpu, cpu_pc_linear(&r, &s), code, sizeof(code), false);
    char hex[16 * 3 + 1] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 3 * i, 4, "%02x ", code[i]);
    diag("  code at rip: %s", n ? hex : "(not readable)");
}
