/* bench/linux_boot.h — how long Linux takes from exec to a console line (the marker) when
 * kvmstub boots it (--console file:) and when QEMU+KVM does (-serial file:), and to an earlier
 * line on the way (the milestone: a point both VMMs reach where one of them cannot reach the
 * marker). Without the marker within the timeout, or when the VMM ends or reports a KVM
 * internal error first, the reason says how far the kernel got: its last console line. */
#ifndef KVMSTUB_BENCH_LINUX_BOOT_H
#define KVMSTUB_BENCH_LINUX_BOOT_H

#include <stddef.h>

#include "bench/stub_proc.h"

struct linux_boot_cmd {
    enum stub_kind kind;
    const char *binary;
    const char *kernel; /* bzImage or a vmlinux with a PVH note */
    const char *initrd;
    const char *cmdline; /* QEMU's -append (kvmstub uses its own default) */
    unsigned memory_mib;
    const char *marker;
    const char *milestone; /* or NULL */
    int timeout_s;
    const char *console; /* file the guest's serial console goes to */
    const char *log;     /* the VMM's own stdout and stderr */
};

struct linux_boot_times {
    double milestone_s; /* from exec; < 0 when the milestone never appeared */
    double marker_s;    /* from exec, when the call succeeds */
};

/* 0 when the marker appeared, or -1 with the reason in why; t->milestone_s either way. */
int linux_boot_measure(const struct linux_boot_cmd *cmd, struct linux_boot_times *t, char *why,
                       size_t whylen);

#endif
