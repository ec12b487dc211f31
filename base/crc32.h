/* base/crc32.h — CRC-32 (IEEE 802.3, as zlib's crc32), for files kvmstub writes and checks. */
#ifndef KVMSTUB_BASE_CRC32_H
#define KVMSTUB_BASE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue crc (0 to start) over len bytes. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
