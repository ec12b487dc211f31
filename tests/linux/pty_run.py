#!/usr/bin/env python3
"""tests/linux/pty_run.py — run a command with a terminal (a pty) as its stdin and stdout.

Usage: pty_run.py [--type-after TEXT BYTES] OUTPUT STDERR COMMAND...

Copies what the command writes on the terminal into OUTPUT, its stderr into STDERR, and reports
the terminal's modes: whether the command put it in raw mode while running (checked once it
has printed something) and whether it restored the original modes when it ended. With
--type-after, BYTES (Python escapes allowed) are typed once TEXT has appeared in the output.
Exits with the command's status.
"""
import os
import select
import subprocess
import sys
import termios


def main():
    args = sys.argv[1:]
    type_after = None
    if args[0] == "--type-after":
        type_after = (args[1].encode(), args[2].encode().decode("unicode_escape").encode("latin-1"))
        args = args[3:]
    out_path, err_path, cmd = args[0], args[1], args[2:]
    seen = b""
    master, slave = os.openpty()
    original = termios.tcgetattr(slave)
    with open(err_path, "wb") as err, open(out_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=err)
        raw_seen = False
        while True:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                out.write(data)
                out.flush()
                if type_after:
                    seen = (seen + data)[-4096:]
                    if type_after[0] in seen:
                        os.write(master, type_after[1])
                        type_after = None
                if data and not raw_seen:
                    raw_seen = not (termios.tcgetattr(slave)[3] & termios.ICANON)
            if proc.poll() is not None and not ready:
                break
    restored = termios.tcgetattr(slave) == original
    print("pty: raw while running: %s" % ("yes" if raw_seen else "no"))
    print("pty: restored at the end: %s" % ("yes" if restored else "no"))
    sys.exit(proc.returncode)


main()
