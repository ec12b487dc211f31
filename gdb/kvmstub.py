# gdb/kvmstub.py — kvmstub's gdb helper: `source` it in gdb (installed under
# PREFIX/share/kvmstub/gdb/) for the `kvmstub` command prefix. `kvmstub` alone, or
# `kvmstub help`, prints what kvmstub's `monitor` serves; `kvmstub snapshot ...` saves and
# restores the machine. Sourcing it also makes gdb follow a KASLR kernel (KaslrFollower).
import re

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


class KaslrFollower:
    """A KASLR kernel moves itself while it boots, and gdb read the vmlinux's symbols at their
link addresses. kvmstub learns the slide where the kernel shows it and stops there once; at
that stop (and at any stop until the slide is known) this asks `monitor kaslr` and relocates
the symbols (`symbol-file -o SLIDE FILE`): gdb re-sets its breakpoints by name at the new
addresses. It stops asking once it has relocated, or once kvmstub says there is no slide."""

    def __init__(self):
        self.done = False
        gdb.events.stop.connect(self.on_stop)

    def on_stop(self, event):
        if self.done:
            return
        try:
            text = gdb.execute("monitor kaslr", to_string=True)
        except gdb.error:
            return  # not connected, or not kvmstub
        if "not a KASLR kernel" in text:
            self.done = True
            return
        m = re.search(r"kaslr slide (0x[0-9a-f]+)", text)
        if not m:
            return  # not chosen yet: ask again at the next stop
        self.done = True
        slide = int(m.group(1), 16)
        path = gdb.current_progspace().filename
        if not path:
            gdb.write("kvmstub: the kernel's KASLR slide is %#x; load its vmlinux with "
                      "symbol-file -o %#x vmlinux\n" % (slide, slide))
            return
        if slide:
            gdb.execute("symbol-file -o %#x %s" % (slide, path), to_string=True)
            gdb.write("kvmstub: %s relocated by the kernel's KASLR slide %#x "
                      "(symbol-file -o); breakpoints follow\n" % (path, slide))
            gdb.execute("frame", to_string=False)


Kvmstub()
KvmstubHelp()
KvmstubSnapshot()
KaslrFollower()
