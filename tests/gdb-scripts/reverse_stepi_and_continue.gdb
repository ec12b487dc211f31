# Reverse execution (monitor record on; gdb's reverse-stepi and reverse-continue): 200 stepi
# through calls, stack and data writes, then 200 reverse-stepi retrace them register for
# register and byte for byte; reverse-continue returns to the previous hit of a breakpoint (the
# counter is the previous iteration's) and, with a watchpoint, to the write before (the state
# before the writing instruction); beyond the first recorded position gdb hears "No more
# reverse-execution history"; forwards after going back re-executes the history to its end, and
# the guest then runs on, recorded, through its own INT3s to its normal end.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break count_loop
continue
delete
reverse-stepi
monitor record on
python
def state():
    regs = gdb.execute("info all-registers", to_string=True)
    inf = gdb.selected_inferior()
    data = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&counter")), 4096))
    stack = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&stack")), 8192))
    return regs, data, stack

states = [state()]
for i in range(200):
    gdb.execute("stepi", to_string=True)
    states.append(state())
print("forward: 200 steps, pc moved %d times" % sum(states[i][0] != states[i + 1][0] for i in range(200)))
bad = []
for i in range(200, 0, -1):
    gdb.execute("reverse-stepi", to_string=True)
    now = state()
    if now != states[i - 1]:
        bad.append(i - 1)
        for x, y in zip(now[0].splitlines(), states[i - 1][0].splitlines()):
            if x != y:
                print("position %d: %s / %s" % (i - 1, x, y))
print("reverse-stepi x200: %d positions differ %s" % (len(bad), bad[:5]))
end
break bump
continue
print *(long *)&counter
continue
print *(long *)&counter
continue
print *(long *)&counter
reverse-continue
print *(long *)&counter
print $pc == (long)&bump
delete
watch *(long *)&counter
reverse-continue
print *(long *)&counter
print (long)$pc - (long)&bump
reverse-continue
print *(long *)&counter
print $pc == (long)&count_loop
delete
continue
monitor record status
continue
