#!/usr/bin/env python3
"""tests/hwhost/qemu_cpus.py SOCKET — where the outer VM's CPUs are, from QEMU's human monitor
on the unix socket SOCKET: `info cpus` and `info registers -a`, twice a second apart (moving or
not; in a nested guest or in the outer kernel). Evidence for a boot of the hardware-host lane
that froze (tests/hwhost/outer.sh, hw_outer_cpus). Exits 1 when the monitor does not answer."""
import socket
import sys
import time


def main():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    try:
        s.connect(sys.argv[1])

        def reply():
            out = b""
            while not out.endswith(b"(qemu) "):
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
            return out.decode(errors="replace").replace("\r", "")

        reply()  # the greeting
        for sample in (1, 2):
            for cmd in ("info cpus", "info registers -a"):
                s.sendall(cmd.encode() + b"\n")
                text = reply()
                if text.endswith("(qemu) "):
                    text = text[: -len("(qemu) ")]
                # Without the monitor's echo of the command (drawn with terminal escapes).
                text = "\n".join(line for line in text.split("\n") if "\x1b" not in line)
                print("--- sample %d: %s" % (sample, cmd))
                print(text.rstrip())
            time.sleep(1)
    except OSError as e:
        print("QEMU's monitor did not answer: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
