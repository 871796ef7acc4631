#!/bin/sh
# vm-kernels: 6.12
# Memory failure from the machine-check path: a software-injected
# uncorrected memory error (mce-inject) at an address inside a pdax region
# reaches pdax through the MCE decode chain and poisons that page; a mapped
# read of it then raises SIGBUS BUS_MCEERR_AR.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
modprobe mce-inject
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
echo 2M > $D/size
addr=$(printf '%#x' $(( $(cat $D/mapping0/start) + 0x5000 )))
I=/sys/kernel/debug/mce-inject
echo sw > $I/flags
echo 0 > $I/cpu 2>/dev/null || true
# VAL | UC | EN | ADDRV | POISON (AMD: the address is usable)
echo 0xb400080000000000 > $I/status
echo $addr > $I/addr
echo 0 > $I/misc
echo 1 > $I/bank
i=0
while [ -z "$(cat $R/poison)" ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
echo "region poison after MCE at $addr: $(cat $R/poison)"
dmesg | grep -E 'pdax|Memory failure|memory outside' | tail -3
[ "$(cat $R/poison)" = "$addr" ] || fail "the MCE did not poison $addr"
# the page is already poisoned: the helper's injection only repeats it
kmod-pdax poison /dev/pdax0.0 2097152 0x5000 $addr
rmmod pdax
echo "kmod-mce: ok"
