#!/bin/sh
# vm-kernels: 6.12 6.1
# Discontiguous placement on a real dax_hmem region: create A, B, C, destroy
# B, create D larger than any hole; D must get the fewest ranges (the largest
# hole first, then the best fit for the rest), in address order, and the
# kernel's mappingN must hold exactly those ranges. D is then written and read
# back through one mmap across both ranges.
set -e
. /tests/vm/scripts/lib.inc
create() { # NAME SIZE -> chardev
	daxmemctl create --region 0 --size "$2" --name "$1" | jval chardev
}

daxmemctl destroy dax0.0 dax1.0
a=$(create A 32M)
b=$(create B 16M)
c=$(create C 32M)
echo "A=$a B=$b C=$c"
# region0 is 1 GiB at 0x100000000: A, B, C packed from its start
[ "$(cat /sys/bus/dax/devices/$b/mapping0/start)" = 0x102000000 ] ||
	fail "B at $(cat /sys/bus/dax/devices/$b/mapping0/start)"
daxmemctl destroy B
# holes now: 16 MiB at 0x102000000 and the tail 0x105000000-0x13fffffff (944 MiB)
out=$(daxmemctl create --region 0 --size 960M --name D)
echo "$out"
d=$(echo "$out" | jval chardev)
sys=/sys/bus/dax/devices/$d
n=$(ls -d "$sys"/mapping[0-9]* | wc -l)
echo "D=$d: $n ranges"
for m in 0 1; do
	echo "  mapping$m: $(cat $sys/mapping$m/start)-$(cat $sys/mapping$m/end) page_offset $(cat $sys/mapping$m/page_offset)"
done
[ "$n" -eq 2 ] || fail "D has $n ranges, want 2"
[ "$(cat $sys/mapping0/start)" = 0x102000000 ] || fail "mapping0 start"
[ "$(cat $sys/mapping0/end)" = 0x102ffffff ] || fail "mapping0 end"
[ $(($(cat $sys/mapping0/page_offset))) -eq 0 ] || fail "mapping0 page_offset"
[ "$(cat $sys/mapping1/start)" = 0x105000000 ] || fail "mapping1 start"
[ "$(cat $sys/mapping1/end)" = 0x13fffffff ] || fail "mapping1 end"
[ $(($(cat $sys/mapping1/page_offset))) -eq $((16 << 20 >> 12)) ] || fail "mapping1 page_offset"
# what daxmemctl reports is what the kernel holds
daxmemctl list -d D -u >/tmp/d.json
for m in 0 1; do
	grep -q "\"start\": \"$(cat $sys/mapping$m/start)\"" /tmp/d.json || fail "list lacks mapping$m"
	grep -q "\"end\": \"$(cat $sys/mapping$m/end)\"" /tmp/d.json || fail "list lacks mapping$m end"
done
[ "$(daxmemctl list -R -r 0 | jval allocatable_size)" = 0 ] || fail "region0 not full"
echo "ok: D = 16 MiB hole + 944 MiB tail, as mapping0/mapping1"
# one mapping across both ranges: the last MiB of range 0 and the first of range 1
daxpattern write "/dev/$d" 32M 5
daxpattern verify "/dev/$d" 32M 5
# and the bytes went where mapping1 says: C's neighbour is untouched, A still zero
daxpattern zero "/dev/$a" 32M
daxmemctl check
daxmemctl destroy A C D
[ "$(daxmemctl list -R -r 0 | jval allocatable_size)" = $((1 << 30)) ] || fail "region0 not empty"
echo "daxmemctl-fragment: ok"
