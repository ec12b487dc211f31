# What gdb does in fewer round trips with kvmstub (issue 12), with CPU 1 running throughout:
# - range stepping: `next` over a line of 50 instructions is one vCont;r and one stop; a
#   range step stops inside its range at a breakpoint, a watchpoint (hit by an instruction
#   that reads before it writes: its read exit ends the step, its write reports the
#   watchpoint) and a caught exception, and when the pc leaves it (`step` into a call);
# - `find` is answered by qSearch:memory, over a window whose middle page is not mapped;
# - conditions evaluated in the stub: one that fails to evaluate stops (as gdbserver's do);
#   one true once in 1000 hits costs one stop; a dprintf with a condition prints through
#   the stub and never stops the guest. (Resuming from a breakpoint's own address, gdb first
#   steps off it: one single-step and its stop more.)
# The packets are counted from gdb's own remote log (`set debug remote`), one command at a time.
# guest: build/guest/lines64.img
# symbols: build/guest/lines64.img
# args: --cpus 2
# status: 1
# console: ^lines64 OK$
python
import os, re, tempfile

def remote_log(cmd):
    """Run cmd with gdb's remote protocol log on; the packets sent and received."""
    fd, path = tempfile.mkstemp(prefix="gdb-remote-")
    os.close(fd)
    for c in ("set logging file " + path, "set logging overwrite on",
              "set logging debugredirect on", "set logging enabled on", "set debug remote 1"):
        gdb.execute(c)
    try:
        gdb.execute(cmd)
    except gdb.error as e:
        print("error: %s" % e)
    finally:
        gdb.execute("set debug remote 0")
        gdb.execute("set logging enabled off")
    text = open(path, errors="replace").read()
    os.unlink(path)
    sent = re.findall(r"Sending packet: \$([^#]*)#", text)
    received = re.findall(r"Packet received: (\S*)", text)
    return sent, received

def spin():
    try:
        return int(gdb.parse_and_eval("*(long *)&spin"))
    except gdb.error:
        return None  # the guest has ended

def trips(what, cmd, where=None):
    """Run cmd; say where the pc is and what it cost in resumes and stops."""
    sent, received = remote_log(cmd)
    ranges = sum(1 for p in sent if re.match(r"vCont;r", p))
    steps = sum(1 for p in sent if re.match(r"vCont;s|s$", p))
    resumes = sum(1 for p in sent if re.match(r"vCont;[rsc]|[csCS]", p) and not p.startswith("vCont?"))
    stops = sum(1 for p in received if re.match(r"[TS][0-9a-f]{2}", p))
    searches = sum(1 for p in sent if p.startswith("qSearch:memory:"))
    reads = sum(1 for p in sent if re.match(r"[mx][0-9a-f]+,", p))
    why = sorted(set(m.group(1) for m in (re.search(r";(watch|rwatch|awatch|swbreak|hwbreak):", p)
                                             for p in received if re.match(r"T[0-9a-f]{2}", p)) if m))
    line = "%s: %d resume(s) (%d range, %d single-step), %d stop(s)%s, %d search(es), %d read(s)" % (
        what, resumes, ranges, steps, stops, " (%s)" % ", ".join(why) if why else "", searches, reads)
    if where is not None:
        ok = int(gdb.parse_and_eval("$pc == (long)(%s)" % where))
        line += "; pc at %s: %s" % (where, "yes" if ok else "NO, at %#x" % int(gdb.parse_and_eval("$pc")))
    print(line)

end
break *fifty
continue
delete
# find: one packet per search, whatever the hole; nothing read by gdb itself
python trips("find a hit past the hole", "find /g 0x400000000000, +0x3000, 0x1122334455667788")
python trips("find from the hole", "find /g 0x400000001000, +0x2000, 0x1122334455667788")
python trips("find a miss", "find /g 0x400000000000, +0x3000, 0x1122334455667789")
python trips("find in nothing mapped", "find /b 0x500000000000, +0x100000, (char)0x11")
# range stepping
python spin_before = spin()
python trips("next over 50 instructions", "next", "fifty2")
break *(fifty2 + 80)
python trips("next into a breakpoint inside the line", "next", "fifty2 + 80")
delete
next
next
watch *(long *)&wvar
python trips("next into a watchpoint inside the line", "next", "wline + 4")
python trips("stepi onto the watchpoint again", "stepi", "wline + 8")
delete
next
p *(long *)&wvar
next
monitor catch exception pf
python trips("next into a caught #PF inside the line", "next", "pfline + 6")
monitor catch exception none
set var $pc = after_pfline
next
python trips("step into a call", "step", "leaf")
python print("CPU 1 ran during the range steps: %s" % ("yes" if spin() != spin_before else "no"))
# conditions and commands in the stub
set breakpoint condition-evaluation target
break *hot if *(long *)0x500000000000 == 1
python trips("continue to a condition that cannot be evaluated", "continue", "hot")
p $rcx
delete
break *hot if $rcx == 777
python trips("continue to a condition true once in 1000 hits", "continue", "hot")
p $rcx
p *(long *)&hot_sum == 777 * 776 / 2
delete
set dprintf-style agent
dprintf *hot,"dprintf at hot: rcx %d\n",$rcx
condition $bpnum $rcx % 100 == 0
python trips("continue past a conditional dprintf", "continue")
