/* tests/unit/fake_target.c — the in-memory fake target (see fake_target.h). */
#include "tests/unit/fake_target.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int fake_thread_count(void *t)
{
    return ((struct fake_target *)t)->nthreads;
}

static void fake_thread_info(void *t, int thread, struct target_thread_info *info)
{
    struct fake_target *f = t;
    snprintf(info->name, sizeof(info->name), "CPU %d", thread - 1);
    snprintf(info->state, sizeof(info->state), "fake mode, %s",
             thread >= 1 && thread <= FAKE_MAX_THREADS && f->halted[thread - 1] ? "halted"
                                                                                : "stopped");
}

static int fake_text_offset(void *t, uint64_t *offset)
{
    struct fake_target *f = t;
    if (!f->offset_known)
        return -1;
    *offset = f->text_offset;
    return 0;
}

static const char *fake_exec_file(void *t)
{
    struct fake_target *f = t;
    return f->exec_file[0] ? f->exec_file : NULL;
}

/* Where mem starts in the addresses the target is given: linear or, in phys mode, physical. */
static uint64_t fake_base(const struct fake_target *f)
{
    return f->phys ? 0 : f->mem_base;
}

/* Unmapped below mem_base and above the fake RAM; its first page r-x, the rest rw-. */
static int fake_memory_region(void *t, int thread, uint64_t addr, struct target_mem_region *r)
{
    struct fake_target *f = t;
    uint64_t base = fake_base(f);
    uint64_t code_end = base + FAKE_CODE_SIZE, end = base + FAKE_MEM_SIZE;
    if (f->mem_error)
        return f->mem_error;
    if (addr < base)
        *r = (struct target_mem_region){.start = 0, .size = base};
    else if (addr < code_end)
        *r = (struct target_mem_region){
            .start = base, .size = FAKE_CODE_SIZE, .mapped = true, .exec = true};
    else if (addr < end)
        *r = (struct target_mem_region){
            .start = code_end, .size = end - code_end, .mapped = true, .write = true};
    else
        *r = (struct target_mem_region){.start = end, .size = -end};
    return 0;
}

static enum target_arch fake_arch(void *t)
{
    return ((struct fake_target *)t)->arch;
}

static bool fake_thread_ok(struct fake_target *f, int thread)
{
    return thread >= 1 && thread <= f->nthreads;
}

static int fake_read_regs(void *t, int thread, struct x86_regs *regs)
{
    struct fake_target *f = t;
    f->read_regs_calls++;
    if (f->regs_error)
        return f->regs_error;
    if (!fake_thread_ok(f, thread))
        return -EINVAL;
    *regs = f->regs[thread - 1];
    return 0;
}

static int fake_write_regs(void *t, int thread, const struct x86_regs *regs)
{
    struct fake_target *f = t;
    f->write_regs_calls++;
    if (f->regs_error)
        return f->regs_error;
    if (!fake_thread_ok(f, thread))
        return -EINVAL;
    f->regs[thread - 1] = *regs;
    return 0;
}

/* The part of [addr, addr+len) inside the fake RAM, starting at addr. */
static long fake_span(struct fake_target *f, uint64_t addr, size_t len)
{
    uint64_t base = fake_base(f);
    if (f->mem_error)
        return f->mem_error;
    if (addr < base || addr >= base + FAKE_MEM_SIZE)
        return -EFAULT;
    uint64_t room = base + FAKE_MEM_SIZE - addr;
    return (long)(len < room ? len : room);
}

static long fake_read_mem(void *t, int thread, uint64_t addr, void *buf, size_t len)
{
    struct fake_target *f = t;
    long n = fake_span(f, addr, len);
    if (n > 0)
        memcpy(buf, f->mem + (addr - fake_base(f)), (size_t)n);
    return n;
}

static long fake_write_mem(void *t, int thread, uint64_t addr, const void *buf, size_t len)
{
    struct fake_target *f = t;
    long n = fake_span(f, addr, len);
    if (n > 0)
        memcpy(f->mem + (addr - fake_base(f)), buf, (size_t)n);
    return n;
}

static bool fake_phys_mode(void *t)
{
    return ((struct fake_target *)t)->phys;
}

static void fake_set_phys_mode(void *t, bool phys)
{
    ((struct fake_target *)t)->phys = phys;
}

static int fake_insert_bp(void *t, enum bp_type type, uint64_t addr, uint64_t len,
                          const struct bp_agent *agent)
{
    struct fake_target *f = t;
    if (f->bp_error)
        return f->bp_error;
    f->last_agent_nconds = agent ? agent->nconds : 0;
    f->last_agent_ncmds = agent ? agent->ncmds : 0;
    f->last_cond_len = 0;
    if (agent && agent->nconds > 0 && agent->conds[0].len <= sizeof(f->last_cond)) {
        memcpy(f->last_cond, agent->conds[0].bytes, agent->conds[0].len);
        f->last_cond_len = agent->conds[0].len;
    }
    for (int i = 0; i < f->nbps; i++)
        if (f->bps[i].type == type && f->bps[i].addr == addr && f->bps[i].len == len)
            return 0; /* already there: updated */
    if (f->nbps == FAKE_MAX_BPS)
        return -ENOSPC;
    f->bps[f->nbps++] = (struct fake_bp){type, addr, len};
    return 0;
}

static int fake_remove_bp(void *t, enum bp_type type, uint64_t addr, uint64_t len)
{
    struct fake_target *f = t;
    for (int i = 0; i < f->nbps; i++) {
        if (f->bps[i].type == type && f->bps[i].addr == addr && f->bps[i].len == len) {
            f->bps[i] = f->bps[--f->nbps];
            return 0;
        }
    }
    return -EINVAL;
}

void fake_target_post_stop(struct fake_target *f, const struct stop_event *ev)
{
    uint64_t one = 1;
    f->pending = *ev;
    f->stop_pending = true;
    if (write(f->efd, &one, sizeof(one)) != sizeof(one))
        perror("fake_target: eventfd write");
}

static int fake_resume(void *t, const struct resume_action *actions)
{
    struct fake_target *f = t;
    memcpy(f->last_actions, actions, sizeof(*actions) * (size_t)f->nthreads);
    f->resumes++;
    f->running = true;
    if (f->stop_on_resume)
        fake_target_post_stop(f, &f->next_stop);
    return 0;
}

/* Backwards: refused with reverse_refusal when set, else like a resume of that thread. */
static int fake_reverse(void *t, int thread, enum resume_kind kind, char *why, size_t whylen)
{
    struct fake_target *f = t;
    f->reverses++;
    f->last_reverse_thread = thread;
    f->last_reverse_kind = kind;
    if (f->reverse_refusal[0]) {
        snprintf(why, whylen, "%s", f->reverse_refusal);
        return -1;
    }
    f->running = true;
    if (f->stop_on_resume)
        fake_target_post_stop(f, &f->next_stop);
    return 0;
}

static void fake_interrupt(void *t)
{
    struct fake_target *f = t;
    struct stop_event ev = {.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_INT};
    f->interrupts++;
    if (f->running && !f->stop_pending)
        fake_target_post_stop(f, &ev);
}

static int fake_stop_fd(void *t)
{
    return ((struct fake_target *)t)->efd;
}

static bool fake_get_stop(void *t, struct stop_event *ev)
{
    struct fake_target *f = t;
    uint64_t v;
    if (!f->stop_pending)
        return false;
    if (read(f->efd, &v, sizeof(v)) != sizeof(v))
        perror("fake_target: eventfd read");
    f->stop_pending = false;
    f->running = false;
    *ev = f->pending;
    if (ev->kind != STOP_EXITED && ev->kind != STOP_TERMINATED)
        f->last_stop = *ev;
    return true;
}

static void fake_last_stop(void *t, struct stop_event *ev)
{
    *ev = ((struct fake_target *)t)->last_stop;
}

static int fake_monitor(void *t, const char *cmd, target_print_fn print, void *ctx)
{
    struct fake_target *f = t;
    snprintf(f->last_monitor, sizeof(f->last_monitor), "%s", cmd);
    if (strcmp(cmd, "help") == 0) {
        print(ctx, "help: this text\n");
        print(ctx, "echo TEXT: print TEXT\n");
        return 0;
    }
    if (strncmp(cmd, "echo ", 5) == 0) {
        print(ctx, cmd + 5);
        return 0;
    }
    if (strcmp(cmd, "fail") == 0)
        return -EIO;
    return -ENOENT;
}

static void fake_detach(void *t)
{
    struct fake_target *f = t;
    f->detaches++;
    f->nbps = 0;
    f->running = true;
    if (f->exit_on_detach)
        fake_target_post_stop(
            f, &(struct stop_event){.kind = STOP_EXITED, .exit_status = f->kill_status});
}

static void fake_kill(void *t)
{
    struct fake_target *f = t;
    struct stop_event ev = {.kind = STOP_EXITED, .exit_status = f->kill_status};
    f->kills++;
    f->running = true;
    fake_target_post_stop(f, &ev);
}

static const struct target_ops fake_ops = {
    .features = TARGET_FEATURE_RANGE_STEP | TARGET_FEATURE_BP_AGENT,
    .thread_count = fake_thread_count,
    .thread_info = fake_thread_info,
    .arch = fake_arch,
    .read_regs = fake_read_regs,
    .write_regs = fake_write_regs,
    .read_mem = fake_read_mem,
    .write_mem = fake_write_mem,
    .insert_bp = fake_insert_bp,
    .remove_bp = fake_remove_bp,
    .resume = fake_resume,
    .reverse = fake_reverse,
    .interrupt = fake_interrupt,
    .stop_fd = fake_stop_fd,
    .get_stop = fake_get_stop,
    .last_stop = fake_last_stop,
    .monitor = fake_monitor,
    .detach = fake_detach,
    .kill = fake_kill,
    .exec_file = fake_exec_file,
    .text_offset = fake_text_offset,
    .memory_region = fake_memory_region,
    .phys_mode = fake_phys_mode,
    .set_phys_mode = fake_set_phys_mode,
};

void fake_target_init(struct fake_target *f, enum target_arch arch, int nthreads)
{
    memset(f, 0, sizeof(*f));
    f->arch = arch;
    f->nthreads = nthreads;
    f->mem_base = 0x1000;
    for (int i = 0; i < FAKE_MEM_SIZE; i++)
        f->mem[i] = (uint8_t)i;
    for (int t = 0; t < FAKE_MAX_THREADS; t++) {
        struct x86_regs *r = &f->regs[t];
        for (int g = 0; g < X86_NR_GPRS; g++)
            r->gpr[g] = 0x1111111111111111ull * (uint64_t)(g + 1) + (uint64_t)t;
        r->rip = 0x1000 + 0x10 * (uint64_t)t;
        r->rflags = 0x202;
        r->fctrl = 0x37f;
        r->ftag = 0xffff;
        r->mxcsr = 0x1f80;
        r->cr0 = 0x80000011;
    }
    f->next_stop = (struct stop_event){.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_TRAP};
    f->last_stop = f->next_stop;
    f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    f->ops = fake_ops;
    f->target.ops = &f->ops;
    f->target.ctx = f;
}

void fake_target_destroy(struct fake_target *f)
{
    if (f->efd >= 0)
        close(f->efd);
    f->efd = -1;
}
