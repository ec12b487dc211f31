# gdb/kvmstub.py — kvmstub's gdb helper: `source` it in gdb (installed under
# PREFIX/share/kvmstub/gdb/) for the `kvmstub` command prefix. `kvmstub` alone, or
# `kvmstub help`, prints what kvmstub's `monitor` serves. More kvmstub commands are defined
# under this prefix as they come.
import gdb


class Kvmstub(gdb.Command):
    """kvmstub's own commands. Without a subcommand: the monitor commands kvmstub serves
(`monitor help`, through the connected kvmstub)."""

    def __init__(self):
        super().__init__("kvmstub", gdb.COMMAND_USER, gdb.COMPLETE_NONE, True)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError("kvmstub: unknown subcommand '%s' (try: kvmstub help)" % arg.strip())
        gdb.execute("monitor help")


class KvmstubHelp(gdb.Command):
    """The monitor commands kvmstub serves (`monitor help`)."""

    def __init__(self):
        super().__init__("kvmstub help", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        gdb.execute("monitor help")


class KvmstubSnapshot(gdb.Command):
    """Snapshots of the whole machine, kept in kvmstub's memory.
kvmstub snapshot save NAME     save (a second save under NAME replaces it)
kvmstub snapshot restore NAME  put the machine back; gdb's register and memory caches are
                               flushed, so the next command sees the restored machine
kvmstub snapshot list          the snapshots, with their size
kvmstub snapshot delete NAME   free one
Breakpoints and watchpoints are gdb's and stay as they are."""

    def __init__(self):
        super().__init__("kvmstub snapshot", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words or words[0] not in ("save", "restore", "list", "delete") or \
                len(words) != (1 if words[0] == "list" else 2):
            raise gdb.GdbError("usage: kvmstub snapshot save|restore|delete NAME, "
                               "or kvmstub snapshot list")
        text = gdb.execute("monitor snapshot " + " ".join(words), to_string=True)
        if words[0] == "restore":
            # gdb caches registers (and stack memory) while the target is stopped: it must
            # forget them, or it would show the machine as it was before the restore.
            gdb.execute("maintenance flush register-cache", to_string=True)
            gdb.execute("maintenance flush dcache", to_string=True)
        if text.startswith("error: "):
            raise gdb.GdbError(text[len("error: "):].strip())
        gdb.write(text)
        if words[0] == "restore" and from_tty:
            gdb.execute("frame", to_string=False)


Kvmstub()
KvmstubHelp()
KvmstubSnapshot()
