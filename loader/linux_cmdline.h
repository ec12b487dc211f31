/* loader/linux_cmdline.h — the kernel command line kvmstub gives Linux. */
#ifndef KVMSTUB_LOADER_LINUX_CMDLINE_H
#define KVMSTUB_LOADER_LINUX_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define LINUX_CMDLINE_BUF 4096

/* The default when the user gives none: serial console, early printk, reboot by triple fault
 * (so kvmstub sees it), reboot at once on panic, no PCI probing. */
#define LINUX_CMDLINE_DEFAULT "console=ttyS0 earlyprintk=serial,ttyS0 reboot=t panic=-1 pci=off"

/* user (or the default) plus, under a debugger, "nokaslr" unless it already mentions kaslr:
 * gdb's vmlinux symbols only match an unrandomized kernel. */
void linux_cmdline_build(char *buf, size_t size, const char *user, bool debugger);

#endif
