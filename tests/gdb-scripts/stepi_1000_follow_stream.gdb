# 1000 single-steps follow the instruction stream: every step lands on the next instruction
# or on the branch target, and the loop's registers agree at the end.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break long_walk
continue
python
arch = gdb.selected_frame().architecture()
loop_top = int(gdb.parse_and_eval("(long)&long_walk")) + 7   # .add, after xor eax + mov ecx
bad = 0
for i in range(1000):
    pc = int(gdb.parse_and_eval("$pc"))
    insn = arch.disassemble(pc)[0]
    gdb.execute("stepi", to_string=True)
    new = int(gdb.parse_and_eval("$pc"))
    ok = new == pc + insn["length"] or (insn["asm"].startswith("jne") and new == loop_top)
    if not ok:
        bad += 1
        print("step %d: 0x%x (%s) -> 0x%x" % (i, pc, insn["asm"], new))
print("steps off the instruction stream: %d" % bad)
# 2 setup instructions, then 4 per iteration: 998 steps = 249 iterations + 2 instructions
print("rcx=%d rax=%d" % (int(gdb.parse_and_eval("$rcx")), int(gdb.parse_and_eval("$rax"))))
end
delete
continue
