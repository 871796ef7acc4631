#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 600
# Scrub: a 2 GiB device is zeroed in the background with progress in sysfs
# and a measured rate; a device reassembled from the same range without
# "preserved" is scrubbed at open, one with "preserved" keeps its data.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
[ "$TESTBED_KERNEL" = 6.1 ] || echo 1G > $D/align
echo 2G > $D/size
echo "scrub before open: $(cat $D/scrub)"
kmod-pdax fill /dev/pdax0.0 2G 0xab
echo "scrub after first open: $(cat $D/scrub)"
kmod-pdax check /dev/pdax0.0 2G 0xab
echo 1 > $D/scrub
while :; do
	s=$(cat $D/scrub)
	echo "  progress: $s"
	case "$s" in running*) sleep 1 ;; *) break ;; esac
done
set -- $(cat $D/scrub)
[ "$1" = done ] && [ "$2" = $((2 << 30)) ] || fail "scrub state $*"
echo "scrub: 2 GiB in $4 us: $(( ($3 >> 20) * 1000000 / $4 )) MiB/s"
kmod-pdax check /dev/pdax0.0 2G 0
dmesg | grep 'scrubbed' | tail -1

# reassembly: same range, preserved -> data kept, scrub skipped
kmod-pdax fill /dev/pdax0.0 2G 0xcd
start=$(cat $D/mapping0/start) end=$(cat $D/mapping0/end)
echo pdax0.0 > $R/delete
echo 1 > $R/create
dev=$(cat $R/seed)
echo "$start-$end" > /sys/bus/pdax/devices/$dev/mapping
echo 1 > /sys/bus/pdax/devices/$dev/preserved
kmod-pdax check /dev/$dev 2G 0xcd
echo "preserved $dev: scrub $(cat /sys/bus/pdax/devices/$dev/scrub)"
cat /sys/bus/pdax/devices/$dev/scrub | grep -q '^skipped' || fail "preserved device was scrubbed"

# reassembly without preserved -> scrubbed at open
echo $dev > $R/delete
echo 1 > $R/create
dev=$(cat $R/seed)
echo "$start-$end" > /sys/bus/pdax/devices/$dev/mapping
kmod-pdax check /dev/$dev 2G 0
echo "fresh $dev: scrub $(cat /sys/bus/pdax/devices/$dev/scrub)"
rmmod pdax
echo "kmod-scrub: ok"
