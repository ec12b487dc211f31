/* vm/dev/console_watch.c — substring matching of a few fixed patterns over the console stream. */
#include "vm/dev/console_watch.h"

#include <string.h>

static const char *const console_patterns[CONSOLE_NEVENTS] = {
    [CONSOLE_SAW_PANIC] = "Kernel panic - not syncing",
    [CONSOLE_SAW_RUN_INIT] = " as init process",
    [CONSOLE_SAW_INIT_DIED] = "Attempted to kill init",
    [CONSOLE_SAW_RESTART] = "Restarting system",
};

bool console_watch_feed(struct console_watch *w, const void *data, size_t len)
{
    const unsigned char *p = data;
    bool news = false;
    for (size_t i = 0; i < len; i++) {
        for (int e = 0; e < CONSOLE_NEVENTS; e++) {
            const char *pat = console_patterns[e];
            /* The patterns do not repeat their first character, so a mismatch restarts the
             * match at this byte. */
            if (p[i] == (unsigned char)pat[w->matched[e]])
                w->matched[e]++;
            else
                w->matched[e] = p[i] == (unsigned char)pat[0];
            if (w->matched[e] == strlen(pat)) {
                w->matched[e] = 0;
                news |= !w->seen[e];
                __atomic_store_n(&w->seen[e], true, __ATOMIC_RELEASE);
            }
        }
    }
    return news;
}

bool console_watch_seen(const struct console_watch *w, enum console_event event)
{
    return __atomic_load_n(&w->seen[event], __ATOMIC_ACQUIRE);
}
