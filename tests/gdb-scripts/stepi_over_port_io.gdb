# A single-step over an instruction that exits to kvmstub (OUT to a port) stops right after it,
# on the next instruction: the step is reported when the access completes, whatever the host's
# own single-step trap would do.
# guest: demo
# status: 0
break *0x8
continue
delete
stepi
p $pc
stepi
p $pc
continue
