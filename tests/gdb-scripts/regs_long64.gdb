# Registers in 64-bit mode: core, segment bases, control registers, x87 and SSE; writes reach the vCPU.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 3
# console: ^loop64 FAILED$
show architecture
break bump
continue
p $rip == (long)&bump
p/x $cs
p/x $efer
p/x $cr0 & 0x80000001
p $cr3 != 0
p $fs_base
p/x $mxcsr
info registers k_gs_base
p $xmm15.v2_int64[0]
# x87 and SSE writes reach the vCPU although the guest never used its FPU (initial state)
set $st0 = 1.5
set $fctrl = 0x27f
set $xmm0.v4_int32[0] = 7
stepi
p $st0
p/x $fctrl
p $xmm0.v4_int32[0]
# Skip loop iterations: the write must reach the vCPU, and the guest then reports failure
set $rcx = 3
p $rcx
delete
continue
