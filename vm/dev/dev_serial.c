/* vm/dev/dev_serial.c — an 8250/16550A UART at 0x3F8 (COM1, Linux's ttyS0) on IRQ 4.
 *
 * Output goes to the console at once (the transmitter is always empty). Input comes from the
 * console through a thread into a queue of kvmstub's own, and from there into the UART's
 * receive buffer only while the guest listens: always for a guest without an interrupt
 * controller (it can only poll), and while the receive interrupt is enabled (IER.RDI) outside
 * loopback for one with it. Linux enables it when a program opens the serial console; before
 * that its driver probes the port (enabling every interrupt for a moment) and resets the FIFO,
 * which would throw away what was typed or piped early: a FIFO reset gives the console bytes
 * the guest has not read back to the queue. Nothing is dropped: when the queue is full the
 * thread stops reading the console until the guest reads.
 * The interrupt line follows (IER.RDI and data ready) or (IER.THRI and a pending "transmitter
 * empty"), and KVM_IRQ_LINE is called only when that level changes. The transmitted text is
 * also watched (console_watch) for a Linux panic, so a panicking kernel ends kvmstub with
 * EXIT_GUEST_PANIC.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "vm/dev/devices.h"
#include "vm/platform.h"
#include "vm/runctl.h"
#include "vm/vm.h"

#define SERIAL_BASE  0x3F8
#define SERIAL_NPORT 8
#define SERIAL_IRQ   4

enum serial_reg {
    SERIAL_RBR_THR = 0, /* DLL when LCR.DLAB */
    SERIAL_IER = 1,     /* DLM when LCR.DLAB */
    SERIAL_IIR_FCR = 2,
    SERIAL_LCR = 3,
    SERIAL_MCR = 4,
    SERIAL_LSR = 5,
    SERIAL_MSR = 6,
    SERIAL_SCR = 7,
};

#define SERIAL_IER_RDI      0x01
#define SERIAL_IER_THRI     0x02
#define SERIAL_IER_MASK     0x0F
#define SERIAL_IIR_NONE     0x01
#define SERIAL_IIR_THRI     0x02
#define SERIAL_IIR_RDI      0x04
#define SERIAL_IIR_FIFO     0xC0
#define SERIAL_FCR_FIFO     0x01
#define SERIAL_FCR_CLEAR_RX 0x02
#define SERIAL_LCR_DLAB     0x80
#define SERIAL_MCR_DTR      0x01
#define SERIAL_MCR_RTS      0x02
#define SERIAL_MCR_OUT1     0x04
#define SERIAL_MCR_OUT2     0x08
#define SERIAL_MCR_LOOP     0x10
#define SERIAL_LSR_DR       0x01
#define SERIAL_LSR_THRE     0x20
#define SERIAL_LSR_TEMT     0x40
#define SERIAL_MSR_CTS      0x10
#define SERIAL_MSR_DSR      0x20
#define SERIAL_MSR_RI       0x40
#define SERIAL_MSR_DCD      0x80

#define SERIAL_RESET_MCR (SERIAL_MCR_OUT2)
#define SERIAL_RESET_MSR (SERIAL_MSR_DCD | SERIAL_MSR_DSR | SERIAL_MSR_CTS)
#define SERIAL_RX_SIZE   4096       /* the receive buffer the guest reads */
#define SERIAL_HOLD_SIZE (64 << 10) /* console input the guest does not listen for yet */
#define SERIAL_FULL_WAIT 20         /* ms between looks at a full queue */

#define CTRL_A 0x01 /* Ctrl-A x quits kvmstub from a raw terminal, as in QEMU */

struct dev_serial {
    struct vm *vm;
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    bool thr_ipending;
    bool irq_level;
    uint8_t rx[SERIAL_RX_SIZE];
    bool rx_console[SERIAL_RX_SIZE]; /* the byte came from the console (not loopback) */
    unsigned rx_head, rx_count;
    uint8_t *hold; /* SERIAL_HOLD_SIZE bytes of console input, a ring [bus lock] */
    unsigned hold_head, hold_count;
    /* input thread */
    pthread_t input_thread;
    bool input_started;
    int stop_pipe[2];
    bool escape; /* saw Ctrl-A */
};

/* [bus lock] Recompute the interrupt line and tell KVM only when it changes. */
static void serial_update_irq(struct dev_serial *s)
{
    bool level = ((s->ier & SERIAL_IER_RDI) && s->rx_count > 0) ||
                 ((s->ier & SERIAL_IER_THRI) && s->thr_ipending);
    if (level != s->irq_level) {
        s->irq_level = level;
        platform_set_irq(s->vm, SERIAL_IRQ, level);
    }
}

static uint8_t serial_iir(struct dev_serial *s)
{
    uint8_t fifo = (s->fcr & SERIAL_FCR_FIFO) ? SERIAL_IIR_FIFO : 0;
    if ((s->ier & SERIAL_IER_RDI) && s->rx_count > 0)
        return fifo | SERIAL_IIR_RDI;
    if ((s->ier & SERIAL_IER_THRI) && s->thr_ipending)
        return fifo | SERIAL_IIR_THRI;
    return fifo | SERIAL_IIR_NONE;
}

static void serial_rx_push(struct dev_serial *s, uint8_t c, bool from_console)
{
    if (s->rx_count == SERIAL_RX_SIZE)
        return; /* overrun: the byte is lost, as on a real UART */
    unsigned at = (s->rx_head + s->rx_count) % SERIAL_RX_SIZE;
    s->rx[at] = c;
    s->rx_console[at] = from_console;
    s->rx_count++;
}

/* [bus lock] The guest resets the receive FIFO: console bytes it has not read go back to the
 * front of the hold queue (a real UART would lose them; typed input must not be). */
static void serial_rx_clear(struct dev_serial *s)
{
    for (unsigned i = s->rx_count; i-- > 0;) {
        unsigned at = (s->rx_head + i) % SERIAL_RX_SIZE;
        if (!s->rx_console[at] || s->hold_count == SERIAL_HOLD_SIZE)
            continue;
        s->hold_head = (s->hold_head + SERIAL_HOLD_SIZE - 1) % SERIAL_HOLD_SIZE;
        s->hold[s->hold_head] = s->rx[at];
        s->hold_count++;
    }
    s->rx_head = s->rx_count = 0;
}

/* [bus lock] Whether the guest listens for input now. */
static bool serial_listening(const struct dev_serial *s)
{
    return !(s->mcr & SERIAL_MCR_LOOP) && (!s->vm->cfg->irqchip || (s->ier & SERIAL_IER_RDI));
}

/* [bus lock] Move held console input into the receive buffer while the guest listens. */
static void serial_feed(struct dev_serial *s)
{
    while (s->hold_count && s->rx_count < SERIAL_RX_SIZE && serial_listening(s)) {
        serial_rx_push(s, s->hold[s->hold_head], true);
        s->hold_head = (s->hold_head + 1) % SERIAL_HOLD_SIZE;
        s->hold_count--;
    }
}

static uint8_t serial_rx_pop(struct dev_serial *s)
{
    if (s->rx_count == 0)
        return 0;
    uint8_t c = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
    s->rx_count--;
    return c;
}

static void serial_transmit(struct dev_serial *s, uint8_t c)
{
    if (s->mcr & SERIAL_MCR_LOOP) {
        serial_rx_push(s, c, false);
    } else {
        console_write(&s->vm->console, &c, 1);
        console_watch_feed(&s->vm->console_watch, &c, 1);
    }
    s->thr_ipending = true; /* the byte left at once: the transmitter is empty again */
}

static uint8_t serial_msr(struct dev_serial *s)
{
    if (!(s->mcr & SERIAL_MCR_LOOP))
        return SERIAL_RESET_MSR;
    /* Loopback: the modem outputs come back as the modem inputs (Linux tests this). */
    uint8_t msr = 0;
    if (s->mcr & SERIAL_MCR_DTR)
        msr |= SERIAL_MSR_DSR;
    if (s->mcr & SERIAL_MCR_RTS)
        msr |= SERIAL_MSR_CTS;
    if (s->mcr & SERIAL_MCR_OUT1)
        msr |= SERIAL_MSR_RI;
    if (s->mcr & SERIAL_MCR_OUT2)
        msr |= SERIAL_MSR_DCD;
    return msr;
}

static void serial_write(struct dev_serial *s, unsigned reg, uint8_t v)
{
    bool dlab = s->lcr & SERIAL_LCR_DLAB;
    switch (reg) {
    case SERIAL_RBR_THR:
        if (dlab)
            s->dll = v;
        else
            serial_transmit(s, v);
        break;
    case SERIAL_IER:
        if (dlab) {
            s->dlm = v;
            break;
        }
        /* Enabling THRI while the transmitter is empty raises it at once. */
        if (!(s->ier & SERIAL_IER_THRI) && (v & SERIAL_IER_THRI))
            s->thr_ipending = true;
        s->ier = v & SERIAL_IER_MASK;
        break;
    case SERIAL_IIR_FCR:
        s->fcr = v;
        if (v & SERIAL_FCR_CLEAR_RX)
            serial_rx_clear(s);
        break;
    case SERIAL_LCR: s->lcr = v; break;
    case SERIAL_MCR: s->mcr = v; break;
    case SERIAL_SCR: s->scr = v; break;
    default: break; /* LSR and MSR are read-only */
    }
}

static uint8_t serial_read(struct dev_serial *s, unsigned reg)
{
    bool dlab = s->lcr & SERIAL_LCR_DLAB;
    switch (reg) {
    case SERIAL_RBR_THR: return dlab ? s->dll : serial_rx_pop(s);
    case SERIAL_IER: return dlab ? s->dlm : s->ier;
    case SERIAL_IIR_FCR: {
        uint8_t iir = serial_iir(s);
        if ((iir & 0x0F) == SERIAL_IIR_THRI)
            s->thr_ipending = false; /* reading IIR acknowledges "transmitter empty" */
        return iir;
    }
    case SERIAL_LCR: return s->lcr;
    case SERIAL_MCR: return s->mcr;
    case SERIAL_LSR: return SERIAL_LSR_THRE | SERIAL_LSR_TEMT | (s->rx_count ? SERIAL_LSR_DR : 0);
    case SERIAL_MSR: return serial_msr(s);
    case SERIAL_SCR: return s->scr;
    }
    return 0xFF;
}

static void serial_io(void *opaque, struct vcpu *vcpu, uint64_t port, bool is_write, uint8_t *data,
                      unsigned size)
{
    struct dev_serial *s = opaque;
    unsigned reg = port - SERIAL_BASE;
    for (unsigned i = 0; i < size; i++) {
        if (reg + i >= SERIAL_NPORT) {
            if (!is_write)
                data[i] = 0xFF;
            continue;
        }
        if (is_write)
            serial_write(s, reg + i, data[i]);
        else
            data[i] = serial_read(s, reg + i);
    }
    serial_feed(s);
    serial_update_irq(s);
}

/* Ctrl-A x on a raw terminal quits; Ctrl-A Ctrl-A sends one Ctrl-A. True when consumed. */
static bool serial_escape(struct dev_serial *s, uint8_t c)
{
    if (s->vm->console.kind != CONSOLE_STDIO || !s->vm->console.tty_raw)
        return false;
    if (!s->escape) {
        s->escape = c == CTRL_A;
        return s->escape;
    }
    s->escape = false;
    if (c == 'x' || c == 'X') {
        console_restore_tty(&s->vm->console);
        diag("quit on Ctrl-A x");
        runctl_end(s->vm, EXIT_KILLED);
        return true;
    }
    return c != CTRL_A;
}

/* [bus lock] Room for console input in the hold queue. */
static unsigned serial_hold_room(const struct dev_serial *s)
{
    return SERIAL_HOLD_SIZE - s->hold_count;
}

static void *serial_input_main(void *arg)
{
    struct dev_serial *s = arg;
    struct vm *vm = s->vm;
    for (;;) {
        pthread_mutex_lock(&vm->io.lock);
        unsigned room = serial_hold_room(s);
        pthread_mutex_unlock(&vm->io.lock);
        /* A full queue: leave the input where it is (in the pipe or the terminal) until the
         * guest reads some; nothing is dropped. */
        int fd = room ? console_input_fd(&vm->console) : -1;
        struct pollfd p[2] = {{.fd = s->stop_pipe[0], .events = POLLIN},
                              {.fd = fd, .events = POLLIN}};
        int timeout = room == 0 ? SERIAL_FULL_WAIT : fd >= 0 ? -1 : 200;
        if (poll(p, fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (fd < 0 || !p[1].revents)
            continue;
        uint8_t buf[256];
        long n = console_read(&vm->console, buf, room < sizeof(buf) ? room : sizeof(buf));
        if (n <= 0) {
            if (n == 0 && vm->console.kind == CONSOLE_STDIO)
                break; /* stdin closed: no more input, the guest keeps running */
            continue;
        }
        pthread_mutex_lock(&vm->io.lock);
        for (long i = 0; i < n; i++) {
            if (serial_escape(s, buf[i]))
                continue;
            s->hold[(s->hold_head + s->hold_count) % SERIAL_HOLD_SIZE] = buf[i];
            s->hold_count++;
        }
        serial_feed(s);
        serial_update_irq(s);
        pthread_mutex_unlock(&vm->io.lock);
    }
    return NULL;
}

/* What the guest sees of the port, for snapshots (the console input not yet received is the
 * host's, not the machine's, and stays). */
struct dev_serial_saved {
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    bool thr_ipending, irq_level;
    uint8_t rx[SERIAL_RX_SIZE];
    bool rx_console[SERIAL_RX_SIZE];
    unsigned rx_head, rx_count;
};

size_t dev_serial_saved_size(void)
{
    return sizeof(struct dev_serial_saved);
}

void *dev_serial_save(struct vm *vm)
{
    struct dev_serial *s = vm->serial;
    struct dev_serial_saved *v = calloc(1, sizeof(*v)); /* zeroed padding: it goes to files */
    if (!v)
        return NULL;
    pthread_mutex_lock(&vm->io.lock);
    v->ier = s->ier, v->lcr = s->lcr, v->mcr = s->mcr, v->scr = s->scr;
    v->fcr = s->fcr, v->dll = s->dll, v->dlm = s->dlm;
    v->thr_ipending = s->thr_ipending, v->irq_level = s->irq_level;
    v->rx_head = s->rx_head, v->rx_count = s->rx_count;
    memcpy(v->rx, s->rx, sizeof(v->rx));
    memcpy(v->rx_console, s->rx_console, sizeof(v->rx_console));
    pthread_mutex_unlock(&vm->io.lock);
    return v;
}

/* The interrupt line's level comes back with the irqchip's own state, so it is not set here. */
void dev_serial_restore(struct vm *vm, const void *saved)
{
    struct dev_serial *s = vm->serial;
    const struct dev_serial_saved *v = saved;
    pthread_mutex_lock(&vm->io.lock);
    s->ier = v->ier, s->lcr = v->lcr, s->mcr = v->mcr, s->scr = v->scr;
    s->fcr = v->fcr, s->dll = v->dll, s->dlm = v->dlm;
    s->thr_ipending = v->thr_ipending, s->irq_level = v->irq_level;
    memcpy(s->rx, v->rx, sizeof(s->rx));
    memcpy(s->rx_console, v->rx_console, sizeof(s->rx_console));
    s->rx_head = v->rx_head, s->rx_count = v->rx_count;
    pthread_mutex_unlock(&vm->io.lock);
}

int dev_serial_init(struct vm *vm)
{
    struct dev_serial *s = calloc(1, sizeof(*s));
    if (!s)
        return diag_errno("out of memory for the serial port");
    s->vm = vm;
    s->mcr = SERIAL_RESET_MCR;
    s->hold = malloc(SERIAL_HOLD_SIZE);
    if (!s->hold) {
        free(s);
        return diag_errno("out of memory for the serial port's input");
    }
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    vm->serial = s;
    return bus_register(&vm->io, SERIAL_BASE, SERIAL_NPORT, "serial-8250", serial_io, s);
}

int dev_serial_start(struct vm *vm)
{
    struct dev_serial *s = vm->serial;
    if (vm->console.in_fd < 0 && vm->console.kind != CONSOLE_TCP)
        return 0;
    if (pipe2(s->stop_pipe, O_CLOEXEC) < 0)
        return diag_errno("pipe for the serial input thread");
    int rc = pthread_create(&s->input_thread, NULL, serial_input_main, s);
    if (rc != 0) {
        errno = rc;
        return diag_errno("cannot start the serial input thread");
    }
    s->input_started = true;
    return 0;
}

void dev_serial_destroy(struct vm *vm)
{
    struct dev_serial *s = vm->serial;
    if (!s)
        return;
    if (s->input_started) {
        char c = 0;
        ssize_t n = write(s->stop_pipe[1], &c, 1);
        (void)n;
        pthread_join(s->input_thread, NULL);
    }
    for (int i = 0; i < 2; i++)
        if (s->stop_pipe[i] >= 0)
            close(s->stop_pipe[i]);
    free(s->hold);
    free(s);
    vm->serial = NULL;
}
