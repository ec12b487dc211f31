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


Kvmstub()
KvmstubHelp()
