/* bench/guest_layout.c — the guest's symbols from nm output. Implements guest_layout.h. */
#include "bench/guest_layout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define LAYOUT_LINE_MAX 256

struct layout_symbol {
    const char *name;
    size_t offset; /* of the field in struct guest_layout */
    size_t size;   /* of the field */
};

#define SYMBOL(name, field)                                                                        \
    {                                                                                              \
        name, offsetof(struct guest_layout, field), sizeof(((struct guest_layout *)0)->field)      \
    }

static const struct layout_symbol layout_symbols[] = {
    SYMBOL("bench_ready", ready),
    SYMBOL("bench_spin", spin),
    SYMBOL("bench_spin_end", spin_end),
    SYMBOL("bench_step", step),
    SYMBOL("bench_step_end", step_end),
    SYMBOL("BENCH_STEP_LEN", step_len),
    SYMBOL("bench_bp", bp),
    SYMBOL("bench_bp_next", bp_next),
    SYMBOL("bench_counter", counter),
    SYMBOL("bench_pattern", pattern),
    SYMBOL("BENCH_PATTERN_SIZE", pattern_size),
    SYMBOL("BENCH_PATTERN_MUL", pattern_mul),
    SYMBOL("BENCH_PATTERN_ADD", pattern_add),
};
#define LAYOUT_NSYMBOLS (sizeof(layout_symbols) / sizeof(*layout_symbols))

static void layout_store(struct guest_layout *g, const struct layout_symbol *s, uint64_t v)
{
    char *field = (char *)g + s->offset;
    if (s->size == sizeof(uint64_t)) {
        uint64_t x = v;
        memcpy(field, &x, sizeof(x));
    } else {
        unsigned x = (unsigned)v;
        memcpy(field, &x, sizeof(x));
    }
}

int guest_layout_load(const char *path, struct guest_layout *g, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    bool found[LAYOUT_NSYMBOLS] = {false};
    char line[LAYOUT_LINE_MAX], name[LAYOUT_LINE_MAX];
    memset(g, 0, sizeof(*g));
    while (fgets(line, sizeof(line), f)) {
        uint64_t value;
        char type;
        if (sscanf(line, "%" SCNx64 " %c %255s", &value, &type, name) != 3)
            continue;
        for (size_t i = 0; i < LAYOUT_NSYMBOLS; i++) {
            if (strcmp(name, layout_symbols[i].name) == 0) {
                layout_store(g, &layout_symbols[i], value);
                found[i] = true;
            }
        }
    }
    fclose(f);
    for (size_t i = 0; i < LAYOUT_NSYMBOLS; i++) {
        if (!found[i]) {
            snprintf(err, errlen, "%s: no symbol %s (is it nm output of the bench guest?)", path,
                     layout_symbols[i].name);
            return -1;
        }
    }
    return 0;
}
