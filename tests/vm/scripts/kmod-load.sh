#!/bin/sh
# vm-kernels: 6.12 6.1
# Load and unload pdax 100 times; each load claims both carved ranges
# (dax_hmem leaves them unbound), creates the seed devices, and each unload
# releases them again.
set -eu
. /tests/vm/scripts/lib.inc
hmem_unbind
i=0
while [ $i -lt 100 ]; do
	modprobe pdax || fail "load $i"
	[ -c /dev/pdax0.0 ] && [ -c /dev/pdax1.0 ] || fail "devices after load $i"
	echo 2M > /sys/bus/pdax/devices/pdax0.0/size
	rmmod pdax || fail "unload $i"
	[ ! -e /sys/bus/pdax ] || fail "bus left after unload $i"
	i=$((i + 1))
done
grep -q pdax /proc/iomem && fail "iomem claim left behind"
echo "loaded and unloaded $i times"
echo "kmod-load: ok"
