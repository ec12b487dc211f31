/* bench/target_desc.h — the stub's register layout from its target description
 * (qXfer:features:read, following xi:include), so the client reads and writes the pc of any
 * layout: kvmstub's i386 layout for a 32-bit guest (eip is register 8, 4 bytes) as well as
 * QEMU's amd64 one (rip is register 16, 8 bytes). */
#ifndef KVMSTUB_BENCH_TARGET_DESC_H
#define KVMSTUB_BENCH_TARGET_DESC_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/rsp_client.h"

struct target_desc {
    char arch[64];    /* <architecture>, e.g. "i386" or "i386:x86-64" */
    char pc_name[16]; /* "eip", "rip" or "pc" */
    int pc_regnum;    /* for p/P and expedited registers */
    unsigned pc_size; /* bytes */
    size_t pc_offset; /* bytes into a 'g' reply */
    int nregs;        /* registers described */
};

/* Fetch target.xml and everything it includes; 0, or -1 with a reason in err. */
int target_desc_fetch(struct rsp_conn *c, int timeout_ms, struct target_desc *d, char *err,
                      size_t errlen);

#endif
