/* debug/exception_names.h — x86 exception vectors by name (#PF, pf, 14, 0xe), the signal gdb
 * is shown for each, and which are faults (the pushed pc is the instruction that raised it).
 * Pure: no VM. */
#ifndef KVMSTUB_DEBUG_EXCEPTION_NAMES_H
#define KVMSTUB_DEBUG_EXCEPTION_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/x86.h"

#define EXCEPTION_VECTORS X86_EXCEPTION_VECTORS

/* "#PF", or "#14" for a vector without a name. */
const char *exception_short_name(int vector, char *buf, size_t len);
/* "page fault", or "reserved" */
const char *exception_long_name(int vector);
/* SIGSEGV for #PF and #GP, SIGILL for #UD, SIGFPE for #DE, SIGTRAP otherwise (gdb's numbers). */
int exception_signal(int vector);
/* A fault: the CPU pushes the address of the instruction that raised it, which can run again. */
bool exception_is_fault(int vector);
/* Parse the words of `monitor catch exception`: vectors (decimal or 0x-hex), names with or
 * without '#' in any case, "all" (every vector but NMI) or "none". Sets *mask (bit per vector)
 * or returns false with a message in err. */
bool exception_parse_vectors(int argc, char *const argv[], uint32_t *mask, char *err,
                             size_t errlen);

#endif
