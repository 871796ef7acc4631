#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --smp 2
# Device lifetimes: a deleted device's id is not reused before the device
# is gone (create racing delete never meets a duplicate name); a grow that
# fails half way (ENOMEM injected at its second new range, or when its
# mappingM directories are made) changes nothing.
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

# grow half way: pdax0.2 at S+2M with free gaps before and after it
for d in $(ls -d $B/pdax0.* | sed 's|.*/||'); do echo $d > $R/delete; done
S=$(cat $R/start)
hex() { printf '%#x' "$1"; }
for i in 0 1 2 3; do
	echo 1 > $R/create
	dev=$(cat $R/seed)
	a=$((S + i * 0x200000))
	echo "$(hex $a)-$(hex $((a + 0x1fffff)))" > $B/$dev/mapping
	eval dev$i=$dev
done
echo $dev0 > $R/delete
echo $dev2 > $R/delete
G=$B/$dev1
avail=$(cat $R/available_size)
# the grow plans 3 pieces: the last range in place, a range at S, one at S+8M
echo 2 > /sys/kernel/debug/pdax/fail_range_alloc
if echo 8M > $G/size 2>/tmp/err; then fail "grow with a failing allocation succeeded"; fi
echo "ok, refused: grow of $dev1 to 8M: $(cat /tmp/err)"
grep -q "Cannot allocate memory" /tmp/err || fail "want ENOMEM: $(cat /tmp/err)"
echo "$dev1 after the failed grow: size $(cat $G/size), $(ls -d $G/mapping[0-9]* | wc -l) mapping(s)"
[ "$(cat $G/size)" = $((2 << 20)) ] || fail "size $(cat $G/size) after the failed grow"
[ "$(cat $G/mapping0/end)" = "$(hex $((S + 0x3fffff)))" ] || fail "mapping0 $(cat $G/mapping0/end)"
[ "$(cat $R/available_size)" = $avail ] || fail "available_size $(cat $R/available_size), was $avail"
echo 4M > $G/size
echo "$dev1 grown to 4M: size $(cat $G/size), mappings: $(cat $G/mapping*/start | tr '\n' ' ')"
[ "$(cat $G/size)" = $((4 << 20)) ] || fail "grow to 4M after the failed grow gave size $(cat $G/size)"
[ "$(ls -d $G/mapping[0-9]* | wc -l)" = 1 ] || fail "grow to 4M left more than one range"

# the ranges grew, then the mappingM directories cannot be made: undone too
echo $dev3 > $R/delete
echo 1 > /sys/kernel/debug/pdax/fail_range_alloc
if echo 6M > $G/size 2>/tmp/err; then fail "grow with failing mappingM directories succeeded"; fi
echo "ok, refused: grow of $dev1 to 6M in place: $(cat /tmp/err)"
echo "$dev1 after it: size $(cat $G/size), mapping0 end $(cat $G/mapping0/end 2>&1)"
[ "$(cat $G/size)" = $((4 << 20)) ] || fail "size $(cat $G/size) after the failed grow"
[ "$(cat $G/mapping0/end 2>/dev/null)" = "$(hex $((S + 0x5fffff)))" ] ||
	fail "mapping0 after the failed grow: $(cat $G/mapping0/end 2>&1)"
echo 6M > $G/size
[ "$(cat $G/size)" = $((6 << 20)) ] || fail "grow to 6M afterwards gave $(cat $G/size)"
rmmod pdax || fail "rmmod"
echo "kmod-lifetime: ok"
