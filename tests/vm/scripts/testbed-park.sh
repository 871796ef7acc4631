#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --park --smp 2
# vm-rerun: boot-only
# kvm-park holds KVM's static keys: three small VMs (kvm-hlt: a VM, a vCPU
# with an in-kernel APIC, a real-mode guest that halts) come and go at once
# while a kprobe on arch_jump_label_transform_queue counts kernel text
# patches; there must be none. Without --park the same run patches on every
# VM creation and exits 1 (tests/run-all checks both).
. /tests/vm/scripts/lib.inc
T=/sys/kernel/tracing
echo 'p:jlq arch_jump_label_transform_queue' >$T/kprobe_events || fail "kprobe on arch_jump_label_transform_queue"
echo 1 >$T/events/kprobes/jlq/enable
sleep 1
echo >$T/trace
for k in 1 2 3; do
	for j in 1 2 3; do kvm-hlt >/dev/null & done
	wait
done
# stop recording first: disabling the event patches text itself
echo 0 >$T/tracing_on
echo 0 >$T/events/kprobes/jlq/enable
patches=$(grep -c ' jlq: ' $T/trace)
echo "kvm-park: $([ -s /run/kvm-park.pid ] && echo running || echo not running); 9 VMs patched $patches kernel text sites"
[ "$patches" = 0 ] || fail "kernel text patched $patches times while VMs came and went"
echo "testbed-park: ok"
