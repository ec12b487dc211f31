#!/usr/bin/env python3
"""tests/hwhost/kvm_keys.py — keep the outer kernel's KVM static keys switched on for the
whole of the lane's job, so that starting and ending VMs never patches kernel code.

    python3 tests/hwhost/kvm_keys.py    (prints one "HWHOST-KEYS: ..." line, then waits to be killed)

Why (DESIGN.md §10): KVM guards its checks for "a vCPU without an in-kernel LAPIC" and "a
LAPIC disabled" with static keys (kvm_has_noapic_vcpu, apic_hw_disabled, apic_sw_disabled),
counted per vCPU. Each time a count goes from 0 to 1 or back — every bare-metal kvmstub (no
irqchip) starting or ending, every Linux guest creating and then enabling its LAPIC — the
kernel rewrites ~90 jump sites in KVM's run loop with INT3 and cross-CPU synchronisation
(text_poke_bp), while the lane's other test has a vCPU in that loop. The lane's dead boots
were found there: a vCPU thread stopped in exc_int3 at kvm_arch_vcpu_ioctl_run+0x789, which
is a kvm_has_noapic_vcpu site in Debian's 6.1 kvm.ko, and another task waiting in
smp_call_function_single. Holding each count at one or more from the start makes every later
change a plain counter update.

It holds two VMs that never run: one vCPU without an in-kernel irqchip (kvm_has_noapic_vcpu),
and one vCPU with the in-kernel LAPIC, which is software-disabled from reset
(apic_sw_disabled) and hardware-disabled here through its APIC base MSR (apic_hw_disabled).
"""
import fcntl
import os
import signal
import struct
import sys

KVM_CREATE_VM = 0xAE01
KVM_CREATE_VCPU = 0xAE41
KVM_CREATE_IRQCHIP = 0xAE60
KVM_SET_MSRS = 0x4008AE89  # _IOW(KVMIO, 0x89, struct kvm_msrs)
MSR_IA32_APICBASE = 0x1B
APIC_BASE_BSP = 0x100  # the enable bit (0x800) left clear


def ioctl(fd, request, arg, what):
    try:
        return fcntl.ioctl(fd, request, arg)
    except OSError as e:
        sys.exit("kvm_keys: %s: %s" % (what, e.strerror))


def main():
    try:
        kvm = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:  # the lane waits for a "kvm_keys:" line, not a traceback
        sys.exit("kvm_keys: /dev/kvm: %s" % e.strerror)
    held = []
    # kvm_has_noapic_vcpu: a vCPU in a VM without an in-kernel irqchip.
    vm = ioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM")
    held += [vm, ioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU (no irqchip)")]
    # apic_sw_disabled and apic_hw_disabled: a vCPU with an in-kernel LAPIC left disabled.
    vm = ioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM")
    ioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP")
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU (in-kernel LAPIC)")
    held += [vm, vcpu]
    msrs = bytearray(struct.pack("<IIIIQ", 1, 0, MSR_IA32_APICBASE, 0,
                                 0xFEE00000 | APIC_BASE_BSP))
    if ioctl(vcpu, KVM_SET_MSRS, msrs, "KVM_SET_MSRS (APIC base)") != 1:
        sys.exit("kvm_keys: KVM_SET_MSRS refused the APIC base")
    print("HWHOST-KEYS: holding kvm_has_noapic_vcpu, apic_sw_disabled, apic_hw_disabled "
          "(%d fds)" % len(held), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
