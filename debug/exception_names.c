/* debug/exception_names.c — exception vectors by name. */
#include "debug/exception_names.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stub/target.h"

static const struct {
    const char *abbrev; /* without '#' */
    const char *name;
    bool fault;
} vectors[EXCEPTION_VECTORS] = {
    [0] = {"DE", "divide error", true},
    [1] = {"DB", "debug", false},
    [2] = {"NMI", "non-maskable interrupt", false},
    [3] = {"BP", "breakpoint", false},
    [4] = {"OF", "overflow", false},
    [5] = {"BR", "bound range exceeded", true},
    [6] = {"UD", "invalid opcode", true},
    [7] = {"NM", "device not available", true},
    [8] = {"DF", "double fault", false},
    [10] = {"TS", "invalid TSS", true},
    [11] = {"NP", "segment not present", true},
    [12] = {"SS", "stack-segment fault", true},
    [13] = {"GP", "general protection", true},
    [14] = {"PF", "page fault", true},
    [16] = {"MF", "x87 floating-point error", true},
    [17] = {"AC", "alignment check", true},
    [18] = {"MC", "machine check", false},
    [19] = {"XM", "SIMD floating-point exception", true},
    [20] = {"VE", "virtualization exception", true},
    [21] = {"CP", "control protection", true},
    [28] = {"HV", "hypervisor injection", false},
    [29] = {"VC", "VMM communication", true},
    [30] = {"SX", "security exception", false},
};

const char *exception_short_name(int vector, char *buf, size_t len)
{
    if (vector >= 0 && vector < EXCEPTION_VECTORS && vectors[vector].abbrev)
        snprintf(buf, len, "#%s", vectors[vector].abbrev);
    else
        snprintf(buf, len, "#%d", vector);
    return buf;
}

const char *exception_long_name(int vector)
{
    if (vector >= 0 && vector < EXCEPTION_VECTORS && vectors[vector].name)
        return vectors[vector].name;
    return "reserved";
}

int exception_signal(int vector)
{
    switch (vector) {
    case X86_VECTOR_DE: return GDB_SIGNAL_FPE;
    case X86_VECTOR_UD: return GDB_SIGNAL_ILL;
    case X86_VECTOR_GP:
    case X86_VECTOR_PF: return GDB_SIGNAL_SEGV;
    default: return GDB_SIGNAL_TRAP;
    }
}

bool exception_is_fault(int vector)
{
    return vector >= 0 && vector < EXCEPTION_VECTORS && vectors[vector].fault;
}

static int vector_of(const char *word)
{
    if (isdigit((unsigned char)word[0])) {
        char *end;
        errno = 0;
        long v = strtol(word, &end, 0);
        return *end || errno || v < 0 || v >= EXCEPTION_VECTORS ? -1 : (int)v;
    }
    const char *abbrev = word[0] == '#' ? word + 1 : word;
    for (int v = 0; v < EXCEPTION_VECTORS; v++)
        if (vectors[v].abbrev && strcasecmp(abbrev, vectors[v].abbrev) == 0)
            return v;
    if (strcasecmp(abbrev, "XF") == 0)
        return 19; /* AMD's and the SDM's other name for #XM */
    return -1;
}

bool exception_parse_vectors(int argc, char *const argv[], uint32_t *mask, char *err, size_t errlen)
{
    *mask = 0;
    if (argc == 0) {
        snprintf(err, errlen,
                 "name the exceptions: VECTOR|NAME ... (14, 0xe, #PF, pf), all or none");
        return false;
    }
    for (int i = 0; i < argc; i++) {
        if (strcasecmp(argv[i], "all") == 0) {
            *mask |= ~(1u << X86_VECTOR_NMI);
            continue;
        }
        if (strcasecmp(argv[i], "none") == 0) {
            if (argc > 1) {
                snprintf(err, errlen, "'none' goes alone");
                return false;
            }
            return true;
        }
        int v = vector_of(argv[i]);
        if (v < 0) {
            snprintf(err, errlen,
                     "'%s' is not an exception: a vector 0..31 (decimal or 0x-hex) or a name "
                     "such as #PF, #GP, #UD, #DE",
                     argv[i]);
            return false;
        }
        if (v == X86_VECTOR_NMI) {
            snprintf(err, errlen, "NMI (vector 2) is an interrupt, not an exception: not caught");
            return false;
        }
        *mask |= 1u << v;
    }
    return true;
}
