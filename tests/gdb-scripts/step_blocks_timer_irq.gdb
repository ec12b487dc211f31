# Single-stepping with a timer interrupt pending stays in the code being stepped: the LAPIC
# timer fires every 20 us, yet 200 stepi never enter timer_handler. The ticks still happen
# while the guest runs, and it passes.
# guest: build/guest/timer64.img
# args: --irqchip
# symbols: build/guest/timer64.img
# status: 1
# console: ^timer64 OK$
break main_loop
continue
delete
python
lo = int(gdb.parse_and_eval("(long)&main_loop"))
hi = int(gdb.parse_and_eval("(long)&main_loop_end"))
outside = 0
for i in range(200):
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc"))
    if not lo <= pc < hi:
        outside += 1
print("steps outside main_loop: %d" % outside)
print("ticks while stepping: %d" % int(gdb.parse_and_eval("*(long*)&ticks")))
end
continue
