/* vm/snapshot_file.h — snapshots as files: `monitor snapshot write NAME FILE`, and
 * `kvmstub --restore FILE` starting a machine from one.
 *
 * The file: a 4 KiB header (magic, format, the kvmstub version that wrote it, the machine's
 * shape, CRC-32 of itself and of the state), the state (every vCPU with its CPUID, the
 * irqchip, PIT and clock, the devices), and at a page-aligned offset the guest RAM, whole and
 * sparse (pages that are zero are holes). A restore checks all of it before the machine is
 * touched and maps the RAM privately from the file, so it costs what the guest then reads,
 * not the file's size; the RAM part is not checksummed (that would read it all).
 */
#ifndef KVMSTUB_VM_SNAPSHOT_FILE_H
#define KVMSTUB_VM_SNAPSHOT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct snapshot;
struct guest_ram;

#define SNAPSHOT_PRODUCER_MAX 64
#define SNAPSHOT_PATH_MAX     1024

/* What a restore needs to build the same machine before it puts the state in. */
struct snapshot_meta {
    char producer[SNAPSHOT_PRODUCER_MAX]; /* "kvmstub 0.1.0": only the same reads it back */
    uint64_t ram_size;
    uint32_t ncpus;
    uint32_t irqchip;
    uint32_t image_kind; /* enum image_kind */
    uint32_t boot_mode;  /* enum cpu_mode */
    uint32_t linux_guest;
    uint32_t linux_at_link_address;
    char exec_file[SNAPSHOT_PATH_MAX]; /* the ELF gdb may read (qXfer:exec-file), or "" */
};

/* Write snap (of a machine whose RAM mapping is ram) to path, replacing it only once whole.
 * 0, or -1 with a message in err. */
int snapshot_file_write(const char *path, const struct snapshot_meta *meta,
                        const struct snapshot *snap, const struct guest_ram *ram, char *err,
                        size_t errlen);

struct snapshot_file;
/* Open and check a file written by producer: NULL with a message in err when it is not a
 * snapshot, is truncated or corrupted, or comes from another kvmstub. */
struct snapshot_file *snapshot_file_open(const char *path, const char *producer, char *err,
                                         size_t errlen);
const struct snapshot_meta *snapshot_file_meta(const struct snapshot_file *f);
/* Into a machine just created with the file's shape, before its vCPUs run: check that this
 * host's KVM can give the guest the CPUID it had, map the RAM from the file, put the state in.
 * 0, or -1 with a message in err. */
int snapshot_file_restore(struct snapshot_file *f, struct vm *vm, char *err, size_t errlen);
void snapshot_file_close(struct snapshot_file *f);

#endif
