#!/bin/sh
# vm-kernels: 6.12 6.1
# A KVM guest runs on /dev/pdax: 2 GiB at 1G align on 6.12 (one fault per
# GiB, counted by the device), 4K align on 6.1. The guest writes into every
# GiB; the host reads the values back through its own mapping.
set -eu
. /tests/vm/scripts/lib.inc
modprobe kvm_amd 2>/dev/null || true
claim_5g
D=/sys/bus/pdax/devices/pdax0.0
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4096; else al=1G; fi
echo $al > $D/align
echo 2G > $D/size
echo "pdax0.0: size $(cat $D/size) align $(cat $D/align)"
kmod-pdax kvm /dev/pdax0.0 2G
f4=$(cat $D/faults_4k) f2=$(cat $D/faults_2m) f1=$(cat $D/faults_1g)
echo "faults: 4k=$f4 2m=$f2 1g=$f1"
if [ "$al" = 1G ]; then
	[ "$f1" = 2 ] && [ "$f2" = 0 ] && [ "$f4" = 0 ] || fail "want exactly one 1G fault per GiB"
fi
rmmod pdax
echo "kmod-kvm: ok"
