/* vm/dev/console_watch.h — watch the guest's console output for lines that tell kvmstub how a
 * Linux guest is doing (a panic, init starting, a restart). Pure logic over a byte stream. */
#ifndef KVMSTUB_VM_DEV_CONSOLE_WATCH_H
#define KVMSTUB_VM_DEV_CONSOLE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

enum console_event {
    CONSOLE_SAW_PANIC,     /* "Kernel panic - not syncing" */
    CONSOLE_SAW_RUN_INIT,  /* "Run /init as init process" (or another init) */
    CONSOLE_SAW_INIT_DIED, /* "Attempted to kill init" */
    CONSOLE_SAW_RESTART,   /* "reboot: Restarting system" (kernel_restart) */
    CONSOLE_NEVENTS
};

/* Fed by whoever writes the guest's output (the UART, under the port bus lock); seen[] may be
 * read from any thread through console_watch_seen (atomic). */
struct console_watch {
    unsigned matched[CONSOLE_NEVENTS]; /* bytes of each pattern matched so far */
    bool seen[CONSOLE_NEVENTS];
};

/* Feed output bytes; returns true when an event was seen for the first time in them. */
bool console_watch_feed(struct console_watch *w, const void *data, size_t len);
/* Whether the console has shown event, from any thread. */
bool console_watch_seen(const struct console_watch *w, enum console_event event);

#endif
