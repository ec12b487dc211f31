/* vm/dev/dev_article.c — port 0x10, the output port of the guest in Serge Zaitsev's "KVM host in a
 * few lines of code": each write is shown on the console as "IO port: 10, data: N" (hex), as
 * that article's host printed it. */
#include <stdio.h>
#include <string.h>

#include "vm/dev/devices.h"
#include "vm/vm.h"

#define ARTICLE_PORT 0x10

static void article_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                       unsigned size)
{
    struct vm *vm = opaque;
    if (!is_write) {
        memset(data, 0xFF, size);
        return;
    }
    uint32_t value = 0;
    memcpy(&value, data, size);
    char line[48];
    int n = snprintf(line, sizeof(line), "IO port: %x, data: %x\n", (unsigned)port, value);
    console_write(&vm->console, line, n);
}

int dev_article_init(struct vm *vm)
{
    return bus_register(&vm->io, ARTICLE_PORT, 1, "article-port", article_io, vm);
}
