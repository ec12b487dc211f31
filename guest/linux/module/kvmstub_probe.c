// SPDX-License-Identifier: GPL-2.0
/*
 * kvmstub_probe: the fixture kernel's one module (guest/linux/build-kernel.sh builds it, the
 * initramfs loads it at boot). It gives the module-debugging test
 * (tests/gdb-scripts/linux/kernel_module.gdb) a function to break in and data to read once
 * lx-symbols has loaded the module's symbols: kvmstub_probe_poke, called from the module's
 * init (gcc puts a function called only from init code in .text.unlikely), kvmstub_probe_magic
 * in .data and kvmstub_probe_pokes in .bss.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

int kvmstub_probe_magic = 0x6b766d73; /* "kvms": read back through the module's .data */
int kvmstub_probe_pokes;              /* in .bss */

/* Not static: a static callee may be cloned under another name (.constprop, .isra). */
noinline int kvmstub_probe_poke(int value)
{
	kvmstub_probe_pokes++;
	pr_info("kvmstub_probe: poked with %d\n", value);
	return value * 2;
}

static int __init kvmstub_probe_init(void)
{
	pr_info("kvmstub_probe: loaded, poke gave %d\n", kvmstub_probe_poke(21));
	return 0;
}
module_init(kvmstub_probe_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmstub test module: a function to break in after lx-symbols");
