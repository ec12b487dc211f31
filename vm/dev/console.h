/* vm/dev/console.h — where the guest's output goes and its input comes from.
 *
 * The console carries only the guest's bytes; kvmstub's own messages go to stderr.
 * Kinds: stdio (stdout/stdin; a terminal is put in raw mode while the guest reads it),
 * none, file:PATH (output only), tcp:[HOST:]PORT (one client at a time, in and out).
 */
#ifndef KVMSTUB_VM_DEV_CONSOLE_H
#define KVMSTUB_VM_DEV_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

enum console_kind { CONSOLE_STDIO, CONSOLE_NONE, CONSOLE_FILE, CONSOLE_TCP };

struct console {
    enum console_kind kind;
    int out_fd;    /* -1: output dropped */
    int in_fd;     /* -1: no input */
    int listen_fd; /* tcp: the listening socket */
    bool tty_raw;  /* stdin is a terminal we put in raw mode */
    struct termios saved_tty;
    pthread_mutex_t lock;
    char address[128]; /* tcp: the address listened on */
};

/* Parse spec and open the console. Prints a "kvmstub: " message and returns -1 on error. */
int console_open(struct console *c, const char *spec);
/* Write guest output; never blocks forever on a client that stopped reading (tcp). */
void console_write(struct console *c, const void *buf, size_t len);
/* The fd to poll for guest input (stdin or the tcp client), accepting a tcp client if one is
 * waiting. -1 when there is none. */
int console_input_fd(struct console *c);
/* Read guest input; returns bytes read, 0 at end of input (tcp client gone), -1 on error. */
long console_read(struct console *c, void *buf, size_t len);
/* Put an interactive terminal in raw mode (for a guest that reads the console). */
void console_make_raw(struct console *c);
/* Restore the terminal and close everything. Safe to call twice and from exit paths. */
void console_close(struct console *c);
/* Restore the terminal only (async-signal-safe). */
void console_restore_tty(struct console *c);

#endif
