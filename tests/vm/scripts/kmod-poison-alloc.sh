#!/bin/sh
# vm-kernels: 6.12 6.1
# Poison and the kernel side, through sysfs alone: a size write never
# places a range over a poisoned page, a mapping write over one fails with
# EIO and a log line, and a scrub never writes a poisoned page (the page
# still holds its old bytes when the range is read back after a reload).
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
B=/sys/bus/pdax/devices
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4096; else al=2097152; fi
S=$(cat $R/start)
hex() { printf '%#x' "$1"; }

# size: the allocator steps over the poisoned page's unit
P=$(hex $((S + 0x201000)))
echo $P > $R/poison
echo $al > $B/pdax0.0/align
echo 4M > $B/pdax0.0/size
for m in $B/pdax0.0/mapping*/; do echo "pdax0.0 $(basename $m): $(cat $m/start)-$(cat $m/end)"; done
[ -z "$(cat $B/pdax0.0/poison)" ] || fail "size write placed pdax0.0 over poison: $(cat $B/pdax0.0/poison)"
[ "$(cat $B/pdax0.0/size)" = $((4 << 20)) ] || fail "pdax0.0 size $(cat $B/pdax0.0/size)"
dmesg | grep -q "holds poisoned page" && fail "log line before any refused mapping"

# mapping: a range over the poisoned page is refused with EIO
echo 1 > $R/create
D1=$(cat $R/seed)
echo $al > $B/$D1/align
u=$((P / al * al))
if echo "$(hex $u)-$(hex $((u + al - 1)))" > $B/$D1/mapping 2>/tmp/err; then
	fail "mapping over poisoned $P accepted"
fi
grep -q "Input/output error" /tmp/err || fail "mapping over poison: $(cat /tmp/err), want EIO"
echo "ok, refused: mapping over $P: $(cat /tmp/err)"
dmesg | grep "holds poisoned page" | tail -1
dmesg | grep -q "holds poisoned page" || fail "no log line for the refused mapping"
[ "$(cat $B/$D1/size)" = 0 ] || fail "$D1 got size $(cat $B/$D1/size)"

# scrub: pattern, poison a page of it, scrub; the page keeps the pattern
Q=$(hex $((S + 0x40001000)))
rs=$(hex $((S + 0x40000000))) re=$(hex $((S + 0x401fffff)))
echo "$rs-$re" > $B/$D1/mapping
kmod-pdax fill /dev/$D1 2M 0xab
echo $Q > /sys/kernel/debug/pdax/inject_poison
echo 1 > $B/$D1/scrub
while grep -q running $B/$D1/scrub; do sleep 1; done
echo "$D1 scrub: $(cat $B/$D1/scrub)"
grep -q '^done' $B/$D1/scrub || fail "scrub: $(cat $B/$D1/scrub)"
dmesg | grep "poisoned page" | tail -2
rmmod pdax
claim_5g
echo $al > $B/pdax0.0/align
echo "$rs-$re" > $B/pdax0.0/mapping
echo 1 > $B/pdax0.0/preserved
if kmod-pdax check /dev/pdax0.0 2M 0 > /tmp/out; then
	cat /tmp/out
	fail "the scrub wrote the poisoned page $Q"
fi
cat /tmp/out
grep -q "offset 0x1000 holds 0xab" /tmp/out && grep -q "512 pages, 1 differ" /tmp/out ||
	fail "want only the poisoned page to keep its bytes"
rmmod pdax
echo "kmod-poison-alloc: ok"
