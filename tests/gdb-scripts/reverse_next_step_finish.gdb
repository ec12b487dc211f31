# gdb's line-level reverse commands on a recorded guest: reverse-next steps back over a whole
# call (the callee's writes undone), reverse-step goes back into the function called on the line
# before and stops at its last line, reverse-nexti over a call instruction, reverse-finish runs
# back to the call of the current function; each "at" line names the source line, the loop
# counter (ecx) and the memory counter bump() writes, so a wrong position or state shows.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break count_loop
continue
delete
monitor record on
python
def at(what):
    sal = gdb.selected_frame().find_sal()
    ecx = int(gdb.parse_and_eval("$rcx")) & 0xffffffff
    counter = int(gdb.parse_and_eval("*(long *)&counter"))
    print("at %s: %s line %d ecx=%d counter=%d" % (what, gdb.selected_frame().name(), sal.line, ecx, counter))
end
python at("start")
next
next
next
next
python at("next x4")
step
step
step
python at("step x3")
reverse-finish
python at("reverse-finish")
reverse-next
python at("reverse-next 1")
reverse-next
reverse-next
python at("reverse-next 3")
reverse-next
python at("reverse-next 4")
next
python at("next again")
reverse-step
python at("reverse-step")
reverse-stepi
python at("reverse-stepi")
next
next
python at("forward")
reverse-nexti
python at("reverse-nexti")
reverse-nexti
python at("reverse-nexti 2")
delete
reverse-continue
python at("history begin")
continue
continue
