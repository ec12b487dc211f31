/* tests/unit/fake_target.h — an in-memory target implementing every target_ops, for tests.
 *
 * Memory is one array mapped at [mem_base, mem_base + mem_size); anything else is unmapped.
 * Registers are per thread. Breakpoints go to a table. resume() records the actions and, if
 * stop_on_resume is set, makes next_stop pending at once; interrupt() makes a SIGINT stop
 * pending; kill() makes an exit pending. A pending stop makes stop_fd() readable (an eventfd)
 * until get_stop() takes it. Calls are counted so tests can assert on them. Memory regions:
 * unmapped below mem_base and above the RAM, r-x for its first page, rw- for the rest. In phys
 * mode (set_phys_mode) the same memory is at physical address 0 instead of mem_base.
 */
#ifndef KVMSTUB_TESTS_FAKE_TARGET_H
#define KVMSTUB_TESTS_FAKE_TARGET_H

#include <limits.h>

#include "stub/target.h"

#define FAKE_MAX_THREADS 8
#define FAKE_MAX_BPS     16
#define FAKE_MEM_SIZE    0x4000
#define FAKE_CODE_SIZE   0x1000 /* memory_region: the first page is r-x, the rest rw- */

struct fake_bp {
    enum bp_type type;
    uint64_t addr, len;
};

struct fake_target {
    struct target target; /* .ops points at .ops below */
    enum target_arch arch;
    int nthreads;
    struct x86_regs regs[FAKE_MAX_THREADS];
    uint64_t mem_base; /* where mem is linear; physically it is at 0 */
    bool phys;         /* phys_mode(): addresses are physical */
    uint8_t mem[FAKE_MEM_SIZE];

    struct fake_bp bps[FAKE_MAX_BPS];
    int nbps;
    int bp_error;                            /* when nonzero, insert_bp returns it */
    int last_agent_nconds, last_agent_ncmds; /* what the last insert_bp carried */
    uint8_t last_cond[64];
    size_t last_cond_len;

    struct resume_action last_actions[FAKE_MAX_THREADS];
    int resumes, interrupts, detaches, kills, read_regs_calls, write_regs_calls;
    int regs_error, mem_error; /* when nonzero, the op returns it */
    bool running;
    int reverses, last_reverse_thread;  /* reverse(): calls, and the last one's thread */
    enum resume_kind last_reverse_kind; /* and kind */
    char reverse_refusal[128];          /* when set, reverse() refuses with this text */

    bool stop_on_resume;
    struct stop_event next_stop; /* what a resume produces */
    int kill_status;             /* exit_status after kill() */
    bool exit_on_detach;         /* detach() makes an exit with kill_status pending */

    bool stop_pending;
    struct stop_event pending;
    struct stop_event last_stop; /* what last_stop() reports: the last stop taken */
    int efd;

    bool halted[FAKE_MAX_THREADS]; /* thread_info's state: "halted" instead of "stopped" */
    char exec_file[PATH_MAX];      /* exec_file(): this path, or none when empty */
    bool offset_known;             /* text_offset(): text_offset, or -1 when not known */
    uint64_t text_offset;

    char last_monitor[256];
    struct target_ops ops; /* a copy tests may change (e.g. monitor = NULL) */
};

void fake_target_init(struct fake_target *f, enum target_arch arch, int nthreads);
void fake_target_destroy(struct fake_target *f);
/* Make a stop pending (stop_fd becomes readable). */
void fake_target_post_stop(struct fake_target *f, const struct stop_event *ev);

#endif
