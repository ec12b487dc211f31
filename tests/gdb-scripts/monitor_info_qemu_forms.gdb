# QEMU's HMP forms that pwndbg and gef parse: `monitor info registers`, `info mem`, `info tlb`
# on a 64-bit ELF guest stopped at its entry, in the long mode kvmstub set up (the first 4 GiB
# identity-mapped in 2 MiB pages, a GDT at 0x1000, no IDT yet), then read as pwndbg reads
# `info mem` (END - START == SIZE, r/w) and as gef reads `info registers` (GDT=, IDT=, RIP=,
# CR3= against gdb's own $pc and $cr3); an unknown `info foo` names what kvmstub has. Nothing
# is stepped: on every host kind the state at the entry is the same.
# guest: build/guest/highhalf64.img
# symbols: build/guest/highhalf64.img
# status: 1
# console: ^highhalf64 OK$
monitor info registers
monitor info registers -a
monitor info mem
monitor info tlb
monitor info foo
python
import re

def monitor(cmd):
    return gdb.execute("monitor " + cmd, to_string=True)

# pwndbg's kernel_vmmap_via_monitor_info_mem, its parse and its assertion.
out = monitor("info mem")
lines = out.splitlines()
pages = []
if "unknown command" in out:
    print("pwndbg gives up: unknown command")
elif len(lines) == 1 and lines[0] == "PG disabled":
    print("pwndbg: PG disabled")
else:
    for line in lines:
        dash_idx = line.index("-")
        space_idx = line.index(" ")
        rspace_idx = line.rindex(" ")
        start = int(line[:dash_idx], 16)
        end = int(line[dash_idx + 1:space_idx], 16)
        size = int(line[space_idx + 1:rspace_idx], 16)
        assert end - start == size, "monitor info mem output didn't pass a sanity check"
        perm = line[rspace_idx + 1:]
        flags = (4 if "r" in perm else 0) | (2 if "w" in perm else 0)
        pages.append((start, size, flags))
print("pwndbg pages: %d" % len(pages))
for start, size, flags in pages:
    print("pwndbg page %#x-%#x %s%s" % (start, start + size, "r" if flags & 4 else "-",
                                        "w" if flags & 2 else "-"))
pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
print("pc in a pwndbg page: %s" % any(s <= pc < s + n for s, n, f in pages))

tlb = monitor("info tlb").splitlines()
print("tlb pages: %d, all 2 MiB: %s" % (len(tlb), all(l.split()[2][2] == "P" for l in tlb)))

# gef's and others' patterns on `info registers`.
regs = monitor("info registers")
gdt = re.search(r"GDT\s*=\s*(\S+) (\S+)", regs)
idt = re.search(r"^IDT=\s*([0-9a-fA-F]+)\s+([0-9a-fA-F]+)", regs, re.MULTILINE)
rip = re.search(r"(?:R|E)IP=([0-9a-fA-F]+)", regs)
cr3 = re.search(r"CR3=([0-9a-fA-F]+)", regs)
print("gef GDT base %#x limit %#x" % (int(gdt.group(1), 16), int(gdt.group(2), 16)))
print("gef IDT base %#x limit %#x" % (int(idt.group(1), 16), int(idt.group(2), 16)))
print("RIP is $pc: %s" % (int(rip.group(1), 16) == pc))
gdb_cr3 = int(gdb.parse_and_eval("(unsigned long long)$cr3"))
print("CR3 is $cr3: %s" % (int(cr3.group(1), 16) == gdb_cr3))
end
continue
