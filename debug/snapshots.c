/* debug/snapshots.c — the named snapshot store behind `monitor snapshot` (see snapshots.h). */
#include "debug/snapshots.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "debug/breakpoints.h"
#include "debug/guest_debug.h"
#include "debug/record.h"
#include "vm/snapshot.h"
#include "vm/snapshot_file.h"
#include "vm/vm.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Lift them all around a save or restore: the flags for int3s_place, or NULL with err. */
static bool *int3s_lift_all(struct vm *vm, char *err, size_t errlen)
{
    bool *lifted = calloc((size_t)vm->debug->bps.n + 1, sizeof(bool));
    if (!lifted)
        snprintf(err, errlen, "out of memory");
    else
        bp_int3s_lift(vm, lifted);
    return lifted;
}

static struct named_snapshot **find(struct snapshot_store *store, const char *name)
{
    struct named_snapshot **p = &store->head;
    while (*p && strcmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

static int check_name(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0 || len >= SNAPSHOT_NAME_MAX) {
        snprintf(err, errlen, "a snapshot name has 1 to %d characters", SNAPSHOT_NAME_MAX - 1);
        return -1;
    }
    return 0;
}

int snapshots_save(struct vm *vm, struct snapshot_store *store, const char *name,
                   struct snapshot_result *res, char *err, size_t errlen)
{
    if (check_name(name, err, errlen) < 0)
        return -1;
    double t0 = now_ms();
    bool *lifted = int3s_lift_all(vm, err, errlen);
    if (!lifted)
        return -1;
    struct snapshot *snap = snapshot_take(vm, err, errlen);
    bp_int3s_place(vm, lifted, false);
    free(lifted);
    if (!snap)
        return -1;
    struct named_snapshot **slot = find(store, name);
    struct named_snapshot *n = *slot;
    if (n) {
        snapshot_free(n->snap); /* the same name again: the new one replaces it */
    } else {
        n = calloc(1, sizeof(*n));
        if (!n) {
            snapshot_free(snap);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        snprintf(n->name, sizeof(n->name), "%s", name);
        n->next = store->head;
        store->head = n;
    }
    n->snap = snap;
    res->ms = n->took_ms = now_ms() - t0;
    res->bytes = snapshot_bytes(snap);
    return 0;
}

int snapshots_restore(struct vm *vm, struct snapshot_store *store, const char *name,
                      struct snapshot_result *res, char *err, size_t errlen)
{
    struct named_snapshot *n = *find(store, name);
    if (!n) {
        snprintf(err, errlen, "no snapshot named '%s' (monitor snapshot list)", name);
        return -1;
    }
    double t0 = now_ms();
    bool *lifted = int3s_lift_all(vm, err, errlen);
    if (!lifted)
        return -1;
    int rc = snapshot_apply(vm, n->snap, &res->pages_written, err, errlen);
    bp_int3s_place(vm, lifted, rc == 0);
    free(lifted);
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu_debug *vd = vm->vcpus[i].debug;
        if (vd && rc == 0)
            vd->inject_bp = false; /* a #BP the guest was owed belongs to the state left */
    }
    /* A recorded history led to the state left: recording starts anew from the restored one. */
    if (rc == 0 && record_restart(vm, err, errlen) < 0) {
        char why[200];
        snprintf(why, sizeof(why), "restored, but recording stopped: %s", err);
        snprintf(err, errlen, "%s", why);
        rc = -1;
    }
    res->ms = now_ms() - t0;
    return rc;
}

int snapshots_delete(struct snapshot_store *store, const char *name, char *err, size_t errlen)
{
    struct named_snapshot **slot = find(store, name);
    struct named_snapshot *n = *slot;
    if (!n) {
        snprintf(err, errlen, "no snapshot named '%s' (monitor snapshot list)", name);
        return -1;
    }
    *slot = n->next;
    snapshot_free(n->snap);
    free(n);
    return 0;
}

int snapshots_write(struct vm *vm, struct snapshot_store *store, const char *name, const char *path,
                    struct snapshot_result *res, char *err, size_t errlen)
{
    struct named_snapshot *n = *find(store, name);
    if (!n) {
        snprintf(err, errlen, "no snapshot named '%s' (monitor snapshot list)", name);
        return -1;
    }
    struct snapshot_meta *meta = calloc(1, sizeof(*meta));
    if (!meta) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(meta->producer, sizeof(meta->producer), "%s",
             vm->cfg->producer ? vm->cfg->producer : "kvmstub");
    meta->ram_size = vm->ram.size;
    meta->ncpus = (uint32_t)vm->ncpus;
    meta->irqchip = vm->cfg->irqchip;
    meta->image_kind = vm->image_kind;
    meta->boot_mode = vm->boot_mode;
    meta->linux_guest = vm->linux_guest;
    meta->linux_at_link_address = vm->linux_at_link_address;
    if (vm->debug->exec_file)
        snprintf(meta->exec_file, sizeof(meta->exec_file), "%s", vm->debug->exec_file);
    double t0 = now_ms();
    int rc = snapshot_file_write(path, meta, n->snap, &vm->ram, err, errlen);
    res->ms = now_ms() - t0;
    free(meta);
    return rc;
}

void snapshots_destroy(struct snapshot_store *store)
{
    while (store->head) {
        struct named_snapshot *n = store->head;
        store->head = n->next;
        snapshot_free(n->snap);
        free(n);
    }
}
