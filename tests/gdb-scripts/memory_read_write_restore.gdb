# Memory: read, write, and `restore` of a binary file, with the guest seeing the result.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
x/2gx &counter
x/s &msg_ok
set {long}&limit = 4242
x/gd &limit
# a file of 16 bytes 0x41..0x50 restored over buffer
python
import os, tempfile
path = os.path.join(os.environ.get("TEST_DIR", tempfile.gettempdir()), "restore.bin")
with open(path, "wb") as f:
    f.write(bytes(range(0x41, 0x51)))
gdb.execute("restore %s binary %d" % (path, int(gdb.parse_and_eval("(long)&buffer"))))
end
x/16xb &buffer
x/s &buffer
# large read: 64 KiB in one go matches byte by byte
python
inf = gdb.selected_inferior()
big = bytes(inf.read_memory(0x100000, 65536))
small = b"".join(bytes(inf.read_memory(0x100000 + i, 4096)) for i in range(0, 65536, 4096))
print("big read matches" if big == small and len(big) == 65536 else "big read MISMATCH")
end
continue
