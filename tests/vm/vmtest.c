/* tests/vm/vmtest.c — a VM in the test's own process, driven through the target operations. */
#include "tests/vm/vmtest.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug_target.h"
#include "debug/guest_debug.h"

struct vmtest *vmtest_new(const char *name, int cpus)
{
    struct vmtest *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    snprintf(t->path, sizeof(t->path), "build/guest/%s.img", name);
    struct load_error err;
    if (image_open(&t->img, t->path, &err) < 0) {
        fprintf(stderr, "vmtest: %s: %s (make guests)\n", t->path, err.msg);
        free(t);
        return NULL;
    }
    t->cfg = (struct vm_config){.ram_size = 16 << 20, .cpus = cpus, .gdb = true, .console = "none"};
    struct boot_state boot;
    struct load_options lo = {0};
    if (vm_create(&t->vm, &t->cfg) < 0 || guest_debug_init(&t->vm) < 0 ||
        loader_load(&t->img, &t->vm.ram, &lo, &boot, &err) < 0 ||
        vm_setup_boot(&t->vm, &boot) < 0 || vm_start(&t->vm, false) < 0) {
        fprintf(stderr, "vmtest: cannot start %s\n", t->path);
        vmtest_free(t);
        return NULL;
    }
    t->vm.image_kind = t->img.kind;
    struct cpu_view_options view = {.arch_auto = true, .image_code64 = t->img.code64};
    debug_target_init(&t->vm, &t->target, &view, NULL);
    t->ops = t->target.ops;
    return t;
}

void vmtest_free(struct vmtest *t)
{
    if (!t)
        return;
    vm_destroy(&t->vm);
    image_close(&t->img);
    free(t);
}

uint64_t vmtest_symbol(const struct vmtest *t, const char *name)
{
    char cmd[512], line[256];
    snprintf(cmd, sizeof(cmd), "nm %s", t->path);
    FILE *p = popen(cmd, "r");
    uint64_t addr = 0;
    while (p && fgets(line, sizeof(line), p)) {
        unsigned long long a;
        char type, sym[200];
        if (sscanf(line, "%llx %c %199s", &a, &type, sym) == 3 && strcmp(sym, name) == 0)
            addr = a;
    }
    if (p)
        pclose(p);
    return addr;
}

static int vmtest_resume(struct vmtest *t, int thread, enum resume_kind kind)
{
    struct resume_action actions[VM_MAX_CPUS];
    for (int i = 0; i < t->vm.ncpus; i++)
        actions[i] =
            (struct resume_action){.kind = thread == 0 || thread == i + 1 ? kind : RESUME_NONE};
    return t->ops->resume(t->target.ctx, actions);
}

int vmtest_resume_all(struct vmtest *t, enum resume_kind kind)
{
    return vmtest_resume(t, 0, kind);
}

int vmtest_resume_one(struct vmtest *t, int thread, enum resume_kind kind)
{
    return vmtest_resume(t, thread, kind);
}

bool vmtest_stop_ready(struct vmtest *t, int timeout_ms)
{
    struct pollfd p = {.fd = t->ops->stop_fd(t->target.ctx), .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1;
}

bool vmtest_wait_stop(struct vmtest *t, int timeout_ms, struct stop_event *ev)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (t->ops->get_stop(t->target.ctx, ev))
            return true;
        vmtest_stop_ready(t, 10);
    }
    return false;
}

uint64_t vmtest_read_u64(struct vmtest *t, int thread, uint64_t addr)
{
    uint64_t v = 0;
    if (t->ops->read_mem(t->target.ctx, thread, addr, &v, 8) != 8)
        fprintf(stderr, "vmtest: cannot read 0x%llx\n", (unsigned long long)addr);
    return v;
}

void vmtest_write_u64(struct vmtest *t, int thread, uint64_t addr, uint64_t value)
{
    if (t->ops->write_mem(t->target.ctx, thread, addr, &value, 8) != 8)
        fprintf(stderr, "vmtest: cannot write 0x%llx\n", (unsigned long long)addr);
}

uint64_t vmtest_rip(struct vmtest *t, int thread)
{
    struct x86_regs r;
    if (t->ops->read_regs(t->target.ctx, thread, &r) < 0)
        return 0;
    return r.rip;
}
