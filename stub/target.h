/* stub/target.h — the contract between the GDB protocol engine (stub/) and what it debugs.
 *
 * The engine never touches KVM: it parses packets and calls these operations. vm/ implements
 * them for a real virtual machine; tests/unit implements them with a fake in-memory target.
 *
 * Threads are the target's CPUs, numbered 1..thread_count (GDB thread ids are positive).
 * All operations are called from the engine's single thread. Operations that read or change
 * CPU state or memory are only called while the target is stopped (all threads parked),
 * except interrupt(), stop_fd() and get_stop(), which are for a running target.
 */
#ifndef KVMSTUB_STUB_TARGET_H
#define KVMSTUB_STUB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The architecture gdb is told about (target.xml <architecture> and register layout). */
enum target_arch {
    TARGET_ARCH_I8086,  /* real mode: i386 register layout, 16-bit disassembly */
    TARGET_ARCH_I386,   /* 32-bit protected mode: i386 register layout */
    TARGET_ARCH_X86_64, /* long mode: amd64 register layout */
};

/* General purpose registers in amd64 order (gdb's amd64 'g' order for the first 16). */
enum x86_gpr {
    X86_RAX,
    X86_RBX,
    X86_RCX,
    X86_RDX,
    X86_RSI,
    X86_RDI,
    X86_RBP,
    X86_RSP,
    X86_R8,
    X86_R9,
    X86_R10,
    X86_R11,
    X86_R12,
    X86_R13,
    X86_R14,
    X86_R15,
    X86_NR_GPRS
};

/* Segment registers in gdb order. */
enum x86_seg { X86_CS, X86_SS, X86_DS, X86_ES, X86_FS, X86_GS, X86_NR_SEGS };

/* Every register gdb can see, whatever the mode. The engine picks what a layout shows. */
struct x86_regs {
    uint64_t gpr[X86_NR_GPRS];
    uint64_t rip;
    uint64_t rflags;
    uint32_t seg[X86_NR_SEGS]; /* selectors */
    uint8_t st[8][10];         /* x87 data registers, 80-bit, physical order st0..st7 */
    uint32_t fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop; /* ftag: full 16-bit tag word */
    uint8_t xmm[16][16];
    uint32_t mxcsr;
    uint64_t fs_base, gs_base, k_gs_base;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
};

/* Breakpoint and watchpoint kinds, numbered as the Z/z packet types. */
enum bp_type {
    BP_SOFTWARE = 0,
    BP_HARDWARE = 1,
    WP_WRITE = 2,
    WP_READ = 3,
    WP_ACCESS = 4,
};

enum stop_kind {
    STOP_SIGNAL,        /* stopped with a signal (interrupt: 2, step: 5, fault: 11, bus: 7) */
    STOP_SWBREAK,       /* a software breakpoint (Z0) was hit */
    STOP_HWBREAK,       /* a hardware breakpoint (Z1) was hit */
    STOP_WATCH,         /* write watchpoint: addr is the watchpoint's address */
    STOP_RWATCH,        /* read watchpoint */
    STOP_AWATCH,        /* access watchpoint */
    STOP_HISTORY_BEGIN, /* going backwards, the start of the recorded history was reached */
    STOP_HISTORY_END,   /* replaying forwards, the end of the recorded history was reached */
    STOP_EXITED,        /* the guest ended: exit_status; the session ends after reporting it */
    STOP_TERMINATED,    /* the guest was ended by a fatal condition: signal */
};

/* GDB's own signal numbers (include/gdb/signals.def), used in stop replies. */
enum gdb_signal {
    GDB_SIGNAL_0 = 0,
    GDB_SIGNAL_INT = 2,
    GDB_SIGNAL_ILL = 4,
    GDB_SIGNAL_TRAP = 5,
    GDB_SIGNAL_FPE = 8,
    GDB_SIGNAL_KILL = 9,
    GDB_SIGNAL_BUS = 10,
    GDB_SIGNAL_SEGV = 11,
};

struct stop_event {
    enum stop_kind kind;
    int thread;      /* the thread that stopped (1-based) */
    int signal;      /* enum gdb_signal; TRAP for breakpoints and watchpoints */
    uint64_t addr;   /* watchpoints: the address of the watchpoint that fired */
    int exit_status; /* STOP_EXITED: the status kvmstub will end with */
};

enum resume_kind {
    RESUME_NONE,     /* leave this thread stopped */
    RESUME_CONTINUE, /* run */
    RESUME_STEP,     /* execute one instruction, then stop (interrupts blocked if the host can) */
    RESUME_RANGE,    /* step while the pc is in [start, end) (vCont;r); the target may stop
                        earlier, and stops for anything else as a continue would */
};

struct resume_action {
    enum resume_kind kind;
    int signal;          /* a signal to deliver (gdb 'C'/'S'); 0 = none. Targets may ignore it. */
    uint64_t start, end; /* RESUME_RANGE: the range, in pc values of the register layout */
};

/* Agent expressions gdb sends with a breakpoint (Z0/Z1 ...;X LEN,BYTES;cmds:P,X LEN,BYTES):
 * conditions (the breakpoint is reported only when one is true, or fails to evaluate) and
 * commands (run at a hit; a breakpoint with commands, dprintf, does not stop). The bytes
 * belong to the caller: a target keeps a copy. */
#define BP_AGENT_MAX 8
struct bp_agent_expr {
    const uint8_t *bytes;
    size_t len;
};
struct bp_agent {
    int nconds, ncmds;
    struct bp_agent_expr conds[BP_AGENT_MAX];
    struct bp_agent_expr cmds[BP_AGENT_MAX];
};

/* What a target can do beyond the required operations (struct target_ops.features). */
enum target_feature {
    TARGET_FEATURE_RANGE_STEP = 1 << 0, /* resume takes RESUME_RANGE */
    TARGET_FEATURE_BP_AGENT = 1 << 1,   /* insert_bp evaluates conditions and runs commands */
};

/* What thread_info() tells about a thread. Both strings are NUL-terminated. */
#define TARGET_THREAD_NAME_MAX  32
#define TARGET_THREAD_STATE_MAX 96
struct target_thread_info {
    char name[TARGET_THREAD_NAME_MAX];   /* "CPU 0" */
    char state[TARGET_THREAD_STATE_MAX]; /* "64-bit long mode, halted" */
};

/* A region of memory as memory_region() reports it: [start, start + size) holds addr (size >= 1;
 * start + size wraps to 0 for a region at the top of the address space). Unmapped: nothing is
 * there. Mapped: readable, and writable and executable as the flags say. */
struct target_mem_region {
    uint64_t start, size;
    bool mapped, write, exec;
};

/* Output callback for monitor commands: text goes to gdb's console as 'O' packets. */
typedef void (*target_print_fn)(void *ctx, const char *text);

struct target_ops {
    unsigned features; /* enum target_feature */
    int (*thread_count)(void *t);
    /* Optional: a thread's name and state, for qThreadExtraInfo ("CPU 0, 64-bit long mode,
     * stopped") and qXfer:threads:read (gdb's `info threads`: name "CPU 0", the state in
     * parentheses). */
    void (*thread_info)(void *t, int thread, struct target_thread_info *info);
    /* The layout gdb gets; fixed for a session (chosen when gdb attaches). */
    enum target_arch (*arch)(void *t);

    int (*read_regs)(void *t, int thread, struct x86_regs *regs); /* 0 or -errno */
    /* Optional: only the general purpose registers, rip, rflags and segment selectors (the
     * rest of regs is left untouched) — what a stop reply expedites, where the full set is
     * expensive to read. NULL: the engine uses read_regs. */
    int (*read_core_regs)(void *t, int thread, struct x86_regs *regs);
    int (*write_regs)(void *t, int thread, const struct x86_regs *regs); /* 0 or -errno */

    /* Memory at a linear address as seen by `thread` (or physical when the target's phys mode
     * is on). Return the number of bytes transferred, which may be short when the range runs
     * into an unmapped page or the end of RAM, or -errno (-EFAULT) when not even one byte is.
     * Reads do not show inserted software breakpoint bytes. */
    long (*read_mem)(void *t, int thread, uint64_t addr, void *buf, size_t len);
    long (*write_mem)(void *t, int thread, uint64_t addr, const void *buf, size_t len);

    /* Breakpoints and watchpoints: 0, -ENOSPC (out of slots), -EFAULT (cannot be placed there),
     * -EINVAL (bad length or agent expression), -ENOTSUP (kind not supported: the engine
     * replies empty). Inserting one that is there already updates it (gdb re-sends Z0 when a
     * breakpoint's conditions change); agent is NULL or has nothing unless the target has
     * TARGET_FEATURE_BP_AGENT. */
    int (*insert_bp)(void *t, enum bp_type type, uint64_t addr, uint64_t len,
                     const struct bp_agent *agent);
    int (*remove_bp)(void *t, enum bp_type type, uint64_t addr, uint64_t len);

    /* Start running: actions has thread_count entries, index thread-1. Returns 0 or -errno.
     * A stop is later reported through stop_fd()/get_stop(). */
    int (*resume)(void *t, const struct resume_action *actions);
    /* Optional (gdb's reverse execution, bs and bc): run `thread` backwards one instruction
     * (RESUME_STEP) or to the most recent breakpoint or watchpoint hit before where it is
     * (RESUME_CONTINUE). 0: a stop follows as after resume (STOP_HISTORY_BEGIN at the start of
     * what the target recorded); -1: refused, with the reason in why (gdb shows it). */
    int (*reverse)(void *t, int thread, enum resume_kind kind, char *why, size_t whylen);
    /* Ask a running target to stop all threads (gdb's Ctrl-C). Reported as STOP_SIGNAL/INT. */
    void (*interrupt)(void *t);
    /* A file descriptor that polls readable while a stop (or the guest's end) is pending. */
    int (*stop_fd)(void *t);
    /* Take the pending stop, if any; once it returns true the target is stopped. */
    bool (*get_stop)(void *t, struct stop_event *ev);
    /* Why the target is stopped (or was, last): the stop state is the target's, and the engine
     * asks for it when a debugger attaches. */
    void (*last_stop)(void *t, struct stop_event *ev);
    /* Optional: text the target produced while running (agent printf, dprintf), up to len
     * bytes; the engine sends it to gdb as console output. stop_fd polls readable when there
     * is some. Returns the bytes taken. */
    size_t (*take_output)(void *t, char *buf, size_t len);

    /* qRcmd: run a monitor command; output through print. Returns 0, or -ENOENT for an unknown
     * command (the engine then prints the help hint). May be NULL. */
    int (*monitor)(void *t, const char *cmd, target_print_fn print, void *ctx);
    /* Remove every breakpoint and watchpoint and all debug state; the target keeps running. */
    void (*detach)(void *t);
    /* gdb's 'k': end the guest. */
    void (*kill)(void *t);

    /* Optional: the absolute path of the host file the target was booted from when it holds
     * the guest's symbols (an ELF image), or NULL. The engine names it in qXfer:exec-file and
     * lets the debugger read it, and no other file, through read-only vFile packets. */
    const char *(*exec_file)(void *t);
    /* Optional: how far the guest's code runs from where its symbols are linked, once the
     * target knows it (a KASLR kernel's slide): 0 with *offset, or -1 (not known, or none).
     * The engine answers qOffsets with it, and with an empty reply otherwise. */
    int (*text_offset)(void *t, uint64_t *offset);
    /* Optional: the region of memory around addr as `thread` sees it (its page walk), for
     * LLDB's qMemoryRegionInfo. 0 or -errno. */
    int (*memory_region)(void *t, int thread, uint64_t addr, struct target_mem_region *r);
    /* Optional, both or neither: whether the addresses of read_mem, write_mem and memory_region
     * are physical (true) or linear (false). The setting is the target's (its monitor may change
     * it too); the engine serves QEMU's qqemu.PhyMemMode/Qqemu.PhyMemMode packets with them. */
    bool (*phys_mode)(void *t);
    void (*set_phys_mode)(void *t, bool phys);
};

struct target {
    const struct target_ops *ops;
    void *ctx;
};

#endif
