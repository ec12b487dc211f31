/* debug/bp_agent.c — breakpoint conditions and commands, and their output queue. */
#include "debug/bp_agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "debug/guest_debug.h"
#include "debug/guest_mem.h"
#include "stub/agent_expr.h"
#include "stub/regs.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"

int bp_agent_copy(const struct bp_agent *agent, struct bp_agent_copy **out)
{
    *out = NULL;
    if (!agent || (agent->nconds == 0 && agent->ncmds == 0))
        return 0;
    if (agent->nconds < 0 || agent->nconds > BP_AGENT_MAX || agent->ncmds < 0 ||
        agent->ncmds > BP_AGENT_MAX)
        return -EINVAL;
    size_t bytes = 0;
    for (int i = 0; i < agent->nconds; i++)
        bytes += agent->conds[i].len;
    for (int i = 0; i < agent->ncmds; i++)
        bytes += agent->cmds[i].len;
    struct bp_agent_copy *c = calloc(1, sizeof(*c) + bytes);
    if (!c)
        return -ENOMEM;
    uint8_t *p = (uint8_t *)(c + 1);
    c->nconds = agent->nconds;
    c->ncmds = agent->ncmds;
    for (int i = 0; i < agent->nconds; i++) {
        memcpy(p, agent->conds[i].bytes, agent->conds[i].len);
        c->conds[i] = (struct bp_agent_expr){p, agent->conds[i].len};
        p += agent->conds[i].len;
    }
    for (int i = 0; i < agent->ncmds; i++) {
        memcpy(p, agent->cmds[i].bytes, agent->cmds[i].len);
        c->cmds[i] = (struct bp_agent_expr){p, agent->cmds[i].len};
        p += agent->cmds[i].len;
    }
    *out = c;
    return 0;
}

void bp_agent_free(struct bp_agent_copy *copy)
{
    free(copy);
}

/* What an expression sees of the vCPU: registers numbered as in the layout gdb was given
 * (read lazily, the core ones without an ioctl), memory as the debugger sees it. */
struct bp_agent_ctx {
    struct vcpu *vcpu;
    const struct regs_layout *layout;
    struct x86_regs regs;
    bool core, all;
};

static bool bp_agent_reg(void *ctx, int n, uint64_t *value)
{
    struct bp_agent_ctx *c = ctx;
    if (regs_is_core(c->layout, n)) {
        if (!c->core && !c->all && cpu_regs_read_core(c->vcpu, &c->regs) < 0)
            return false;
        c->core = true;
    } else if (!c->all) {
        if (cpu_regs_read(c->vcpu, &c->regs) < 0)
            return false;
        c->all = true;
    }
    return regs_value(c->layout, &c->regs, n, value);
}

static bool bp_agent_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct bp_agent_ctx *c = ctx;
    return guest_mem_copy(c->vcpu, addr, buf, len, false, c->vcpu->vm->debug->phys) == len;
}

static void bp_agent_print(void *ctx, const char *text)
{
    struct bp_agent_ctx *c = ctx;
    bp_agent_output_put(c->vcpu->vm, text);
}

void bp_agent_output_put(struct vm *vm, const char *text)
{
    struct bp_agent_output *o = &vm->debug->output;
    size_t len = strlen(text);
    pthread_mutex_lock(&o->lock);
    size_t room = BP_AGENT_OUTPUT_MAX - o->count, n = len < room ? len : room;
    for (size_t i = 0; i < n; i++)
        o->buf[(o->head + o->count + i) % BP_AGENT_OUTPUT_MAX] = text[i];
    o->count += n;
    o->dropped += len - n;
    pthread_mutex_unlock(&o->lock);
    runctl_wake(vm);
}

bool bp_agent_hit(struct vcpu *vcpu, struct bp_agent_copy *agent)
{
    if (!agent)
        return true;
    struct bp_agent_ctx c = {.vcpu = vcpu, .layout = regs_layout_get(vcpu->vm->debug->view.layout)};
    const struct ax_env env = {&c, bp_agent_reg, bp_agent_mem, bp_agent_print};
    __atomic_add_fetch(&agent->hits, 1, __ATOMIC_RELAXED);
    bool report = agent->nconds == 0;
    for (int i = 0; i < agent->nconds && !report; i++) {
        uint64_t value;
        enum ax_status st = ax_eval(agent->conds[i].bytes, agent->conds[i].len, &env, &value);
        if (st != AX_OK) {
            if (__atomic_add_fetch(&agent->errors, 1, __ATOMIC_RELAXED) == 1)
                diag("a breakpoint condition failed (%s): the hit is reported to gdb",
                     ax_status_text(st));
        }
        report = st != AX_OK || value != 0;
    }
    if (report && agent->ncmds > 0) {
        for (int i = 0; i < agent->ncmds; i++) {
            uint64_t value;
            enum ax_status st = ax_eval(agent->cmds[i].bytes, agent->cmds[i].len, &env, &value);
            if (st != AX_OK && __atomic_add_fetch(&agent->errors, 1, __ATOMIC_RELAXED) == 1)
                diag("a breakpoint command failed (%s)", ax_status_text(st));
        }
        report = false; /* a breakpoint with commands (dprintf) runs them and goes on */
    }
    if (!report)
        __atomic_add_fetch(&agent->skipped, 1, __ATOMIC_RELAXED);
    return report;
}

int bp_agent_output_init(struct bp_agent_output *o)
{
    memset(o, 0, sizeof(*o));
    pthread_mutex_init(&o->lock, NULL);
    o->buf = malloc(BP_AGENT_OUTPUT_MAX);
    return o->buf ? 0 : diag_errno("out of memory for breakpoint output");
}

void bp_agent_output_destroy(struct bp_agent_output *o)
{
    free(o->buf);
    o->buf = NULL;
}

size_t bp_agent_output_take(struct vm *vm, char *buf, size_t len)
{
    struct bp_agent_output *o = &vm->debug->output;
    pthread_mutex_lock(&o->lock);
    size_t n = o->count < len ? o->count : len;
    for (size_t i = 0; i < n; i++)
        buf[i] = o->buf[(o->head + i) % BP_AGENT_OUTPUT_MAX];
    o->head = (o->head + n) % BP_AGENT_OUTPUT_MAX;
    o->count -= n;
    if (o->count == 0 && o->dropped) {
        diag("%lu bytes of dprintf output were dropped (gdb did not take them fast enough)",
             o->dropped);
        o->dropped = 0;
    }
    pthread_mutex_unlock(&o->lock);
    return n;
}
