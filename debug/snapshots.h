/* debug/snapshots.h — named in-memory snapshots for gdb's `monitor snapshot ...`.
 *
 * The store is the debugger's: used by the controller (the server thread) only while every
 * vCPU is stopped, like every monitor command. Breakpoints stay gdb's across a restore: the
 * INT3 bytes kvmstub placed are lifted while a snapshot is taken or applied (a snapshot holds
 * the guest's own bytes) and placed again afterwards over the restored memory.
 */
#ifndef KVMSTUB_DEBUG_SNAPSHOTS_H
#define KVMSTUB_DEBUG_SNAPSHOTS_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct snapshot;

#define SNAPSHOT_NAME_MAX 64

struct named_snapshot {
    char name[SNAPSHOT_NAME_MAX];
    struct snapshot *snap;
    double took_ms;
    struct named_snapshot *next;
};

struct snapshot_store {
    struct named_snapshot *head; /* newest first */
};

/* What a save or restore did, for the monitor's answer. */
struct snapshot_result {
    double ms;
    uint64_t bytes;         /* save: memory the snapshot holds */
    uint64_t pages_written; /* restore: RAM pages written back */
};

/* Save under name (replacing one of that name), restore, delete. 0, or -1 with err. */
int snapshots_save(struct vm *vm, struct snapshot_store *store, const char *name,
                   struct snapshot_result *res, char *err, size_t errlen);
int snapshots_restore(struct vm *vm, struct snapshot_store *store, const char *name,
                      struct snapshot_result *res, char *err, size_t errlen);
int snapshots_delete(struct snapshot_store *store, const char *name, char *err, size_t errlen);
/* Write the snapshot called name to a file (vm/snapshot_file.h) for `kvmstub --restore`. */
int snapshots_write(struct vm *vm, struct snapshot_store *store, const char *name, const char *path,
                    struct snapshot_result *res, char *err, size_t errlen);
void snapshots_destroy(struct snapshot_store *store);

#endif
