/* vm/snapshot_ram.h — a copy of guest RAM that costs what the guest touched, not its size.
 *
 * Guest RAM is one private host mapping (vm/vm.c): anonymous, or of a snapshot file's RAM
 * (`--restore`). A page the guest (or the loader, or gdb) never touched reads as its backing —
 * zero, or the file's page — so a copy needs only the resident pages that differ from their
 * backing: mincore(2) finds the resident ones without reading the rest. Applying a copy
 * compares each resident page with it, writes back only the pages that differ, and gives back
 * (MADV_DONTNEED: the backing again) the resident pages the copy holds as their backing.
 * `backing` is a read-only mapping of the same size as the RAM mapping, or NULL for zero.
 *
 * Why not KVM's dirty-page log: it misses kvmstub's own writes (gdb's memory writes, the loader)
 * and is lost when a memory slot is replaced (memory-trap watchpoints split slots); residency
 * sees every writer. Pure host memory logic: no KVM, so unit tests run it on plain mappings.
 * The caller makes sure nothing writes to the mapping meanwhile (every vCPU is parked).
 */
#ifndef KVMSTUB_VM_SNAPSHOT_RAM_H
#define KVMSTUB_VM_SNAPSHOT_RAM_H

#include <stddef.h>
#include <stdint.h>

struct ram_copy {
    uint64_t size;   /* of the mapping it was taken from */
    uint64_t npages; /* pages held (the others were as their backing) */
    uint64_t *index; /* their page numbers, ascending */
    uint8_t *data;   /* npages * 4 KiB, in the order of index (mapped: data_len bytes) */
    uint64_t data_len;
};

/* Copy the resident pages of host[0, size) that differ from their backing (size a multiple of
 * 4 KiB). 0, or -1 with a message in err. */
int ram_copy_take(struct ram_copy *copy, const uint8_t *host, const uint8_t *backing, uint64_t size,
                  char *err, size_t errlen);
/* Make host[0, size) equal to the copy again; *written counts the pages written or zeroed.
 * 0, or -1 with a message in err (the size does not match, or the kernel refused). */
int ram_copy_apply(const struct ram_copy *copy, uint8_t *host, const uint8_t *backing,
                   uint64_t size, uint64_t *written, char *err, size_t errlen);
void ram_copy_free(struct ram_copy *copy);

#endif
