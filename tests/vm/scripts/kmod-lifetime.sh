#!/bin/sh
# vm-kernels: 6.12 6.1
# Device lifetimes: a deleted device's id is not reused before the device
# is gone (create racing delete never meets a duplicate name).
set -u
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
B=/sys/bus/pdax/devices
echo 2M > $B/pdax0.0/size
N=${LIFETIME_LOOPS:-4000}
creator() {
	i=0
	while [ $i -lt $N ]; do
		echo 1 > $R/create 2>>/tmp/create.err
		i=$((i + 1))
	done
}
deleter() {
	i=0
	while [ $i -lt $N ]; do
		echo pdax0.1 > $R/delete 2>/dev/null
		i=$((i + 1))
	done
}
creator &
c=$!
deleter &
d=$!
wait $c $d
echo "create/delete race: $N rounds each, $(wc -l < /tmp/create.err) create errors"
sort /tmp/create.err | uniq -c | head -3
if dmesg | grep -E "duplicate filename|EEXIST|cdev_device_add failed"; then
	fail "a device id was reused before its device was deleted"
fi
grep -v "No space" /tmp/create.err | grep -q . && fail "create failed: $(head -1 /tmp/create.err)"
rmmod pdax || fail "rmmod"
echo "kmod-lifetime: ok"
