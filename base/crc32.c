/* base/crc32.c — bitwise CRC-32: the data it checks is small (snapshot headers and state). */
#include "base/crc32.h"

#define CRC32_POLY 0xEDB88320u /* reflected 0x04C11DB7 */

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
    }
    return ~crc;
}
