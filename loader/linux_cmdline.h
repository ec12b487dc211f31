/* loader/linux_cmdline.h — the kernel command line kvmstub gives Linux. */
#ifndef KVMSTUB_LOADER_LINUX_CMDLINE_H
#define KVMSTUB_LOADER_LINUX_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define LINUX_CMDLINE_BUF 4096

/* The default when the user gives none: serial console, early printk, reboot by triple fault
 * (so kvmstub sees it), reboot at once on panic, no PCI probing. */
#define LINUX_CMDLINE_DEFAULT "console=ttyS0 earlyprintk=serial,ttyS0 reboot=t panic=-1 pci=off"

/* On hosts whose KVM emulates guest kernel code (PVM), KVM_SET_CPUID2 cannot hide CPU
 * features: PVM reports the host's leaf 1 and leaf 7 features whatever kvmstub sets (measured:
 * a guest's CPUID showed XSAVE, SMAP, POPCNT after kvmstub cleared them). So the kernel is told
 * on its command line not to use what the host's emulator refuses: XSAVE, and by X86_FEATURE
 * number (stable: word = CPUID register, DESIGN.md §7's list) SMAP, SMEP, POPCNT, FSGSBASE,
 * RDRAND, RDSEED, BMI1, BMI2, PCID, INVPCID, SSE4.1, SSE4.2, AES, PCLMULQDQ, MOVBE, ABM, RDPID,
 * CLWB, CLFLUSHOPT, UMIP, PKU (clearing XSAVE clears AVX and everything built on it); and ERMS
 * and FSRM, which are not refused but make memset and memcpy use byte-wise REP STOSB/MOVSB,
 * which the emulator runs a byte at a time (booting took a minute longer with them). */
#define LINUX_CMDLINE_EMULATING_HOST                                                               \
    "noxsave clearcpuid=308,295,151,288,158,306,291,296,145,298,147,148,153,129,150,197,534,312,"  \
    "311,514,515,297,580"

/* user (or the default), plus "nokaslr" under a debugger unless it already mentions kaslr
 * (gdb's vmlinux symbols only match an unrandomized kernel), plus the emulating host's
 * feature switches. False when that does not fit in size bytes (buf then holds a prefix). */
bool linux_cmdline_build(char *buf, size_t size, const char *user, bool debugger,
                         bool emulating_host);

#endif
