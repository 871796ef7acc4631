#!/bin/sh
# vm-kernels: 6.12 6.1
# pdax basics: take the 2 GiB range at 5G over from dax_hmem, create devices
# with each align the kernel supports, check their sysfs, map them and count
# faults, refuse MAP_PRIVATE, SIGBUS beyond size, EBUSY for delete/rmmod
# while open, and hand the range back to dax_hmem.
set -eu
. /tests/vm/scripts/lib.inc
expect_err() { # expect_err ERRTEXT FILE VALUE: the write must fail
	if sh -c "echo '$3' > '$2'" 2>/tmp/err; then fail "write '$3' > $2 succeeded"; fi
	grep -q "$1" /tmp/err || fail "write '$3' > $2: $(cat /tmp/err), want $1"
	echo "  write '$3' > $(basename "$2"): $1 as expected"
}

echo "kernel $(uname -r)"
# device-dax owns both carved ranges
bind_devdax_all
grep -A1 ': Soft Reserved' /proc/iomem
modprobe pdax
[ -z "$(ls /sys/bus/pdax/devices)" ] || fail "pdax claimed ranges device-dax owns"
echo "  pdax loaded, no unowned range: no regions"
daxmemctl list -R -u
daxmemctl reconfigure-region 0x140000000 --backend pageless
R=/sys/bus/pdax/devices/region0
[ -d $R ] || fail "no region0"
for a in id start size available_size align numa_node seed; do
	echo "  region0/$a = $(cat $R/$a)"
done
[ "$(cat $R/size)" = $((2 << 30)) ] || fail "region size"
[ "$(cat $R/start)" = 0x140000000 ] || fail "region start"
[ "$(cat $R/seed)" = pdax0.0 ] || fail "seed"
grep -q 'pdax' /proc/iomem || fail "no pdax claim in /proc/iomem"
grep -A1 '140000000-1bfffffff : Soft Reserved' /proc/iomem

if [ "$TESTBED_KERNEL" = 6.1 ]; then aligns="4096"; else aligns="4096 2097152 1073741824"; fi
D=/sys/bus/pdax/devices
n=0
for a in $aligns; do
	dev=$(cat $R/seed)
	[ -n "$dev" ] || { echo 1 > $R/create; dev=$(cat $R/seed); }
	echo $a > $D/$dev/align
	echo $((512 << 20)) > $D/$dev/size 2>/dev/null || echo 1G > $D/$dev/size
	echo "  $dev: align $(cat $D/$dev/align) size $(cat $D/$dev/size) mode $(cat $D/$dev/mode) mapping0 $(cat $D/$dev/mapping0/start)-$(cat $D/$dev/mapping0/end) pgoff $(cat $D/$dev/mapping0/page_offset)"
	[ "$(cat $D/$dev/align)" = $a ] || fail "$dev align"
	[ -c /dev/$dev ] || fail "no /dev/$dev"
	[ "$(cat $R/seed)" = "" ] || fail "seed still set after sizing"
	n=$((n + 1))
done
echo "  available after $n devices: $(cat $R/available_size)"

if [ "$TESTBED_KERNEL" = 6.1 ]; then
	echo 1 > $R/create
	dev=$(cat $R/seed)
	expect_err "not supported" $D/$dev/align 2097152
	dmesg | grep -q "cannot map pageless memory" || fail "no log line for refused align"
	dmesg | grep "cannot map pageless memory" | tail -1
fi

# bad input
dev=pdax0.0
expect_err "Invalid argument" $D/$dev/align 12345
expect_err "Invalid argument" $D/$dev/size 1x
expect_err "Invalid argument" $D/$dev/mode bogus
expect_err "Invalid argument" $D/$dev/mapping 1-0
expect_err "No such device" $R/delete pdax9.9

# faults: one per unit
for d in $(ls $D | grep '^pdax0\.'); do
	sz=$(cat $D/$d/size)
	[ "$sz" -gt 0 ] || continue
	al=$(cat $D/$d/align)
	kmod-pdax map /dev/$d $sz 4096
	f4=$(cat $D/$d/faults_4k) f2=$(cat $D/$d/faults_2m) f1=$(cat $D/$d/faults_1g)
	echo "  $d align $al size $sz: faults 4k=$f4 2m=$f2 1g=$f1 scrub: $(cat $D/$d/scrub)"
	case $al in
	4096) [ "$f4" = $((sz / 4096)) ] && [ "$f2" = 0 ] && [ "$f1" = 0 ] ;;
	2097152) [ "$f2" = $((sz >> 21)) ] && [ "$f4" = 0 ] && [ "$f1" = 0 ] ;;
	1073741824) [ "$f1" = $((sz >> 30)) ] && [ "$f4" = 0 ] && [ "$f2" = 0 ] ;;
	esac || fail "$d fault counts"
	kmod-pdax private /dev/$d
	kmod-pdax beyond /dev/$d $sz $al
done

# lifetimes: delete / rmmod / release while open
sleep 30 < /dev/pdax0.0 &
pid=$!
sleep 1
[ "$(cat $D/pdax0.0/open_count)" = 1 ] || fail "open_count"
expect_err "busy" $R/delete pdax0.0
expect_err "busy" $D/pdax0.0/size 0
expect_err "busy" /sys/bus/pdax/release 0
if rmmod pdax 2>/dev/null; then fail "rmmod while open succeeded"; fi
echo "  rmmod while open: refused"
kill $pid
wait $pid 2>/dev/null || true
echo pdax0.0 > $R/delete
[ ! -e /dev/pdax0.0 ] || fail "/dev/pdax0.0 still there"
echo "  delete after close: ok"

daxmemctl reconfigure-region 0x140000000 --backend devdax
sleep 1
daxmemctl list -R -u
ls /sys/bus/dax/devices/
[ -c /dev/dax1.0 ] || [ -c /dev/dax0.0 ] || fail "dax device not back"
rmmod pdax
echo "kmod-basic: ok"
