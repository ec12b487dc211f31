# tests/gdb-scripts/lib/console.py — sourced by gdb scripts (and by the ones tests/lib.sh's
# gdb_continue_until_console writes) that stop the guest at a line of its console, where a
# breakpoint cannot be relied on (DESIGN.md §7).
import os
import signal
import threading
import time

import gdb


def continue_until_console(path, text, timeout):
    """Continue the guest and stop it as Ctrl-C does once the console file at path holds
    text, or after timeout seconds."""

    def watch():
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(path, errors="replace") as f:
                if text in f.read():
                    break
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True).start()
    gdb.execute("continue")
