#!/bin/sh
# vm-kernels: 6.12 6.1
# No struct page, no direct map: for every page of both carved ranges,
# pfn_valid() is false and the direct map has no entry, before and while
# devices are mapped. A compound device gets struct pages while open (it is
# reported and skipped) and loses them again at close.
set -eu
. /tests/vm/scripts/lib.inc
hmem_unbind
modprobe pdax
S=/sys/kernel/debug/pdax/selfcheck
cat $S
# PAT: each region is recorded write-back, so user mappings are not UC-
P=/sys/kernel/debug/x86/pat_memtype_list
if [ -r $P ]; then
	grep -E '0x0*1(0|4)0000000-' $P
	grep -E '0x0*140000000-0x0*1c0000000\] write-back' $P >/dev/null || fail "region1 not write-back in PAT"
fi
grep -q '^selfcheck: ok' $S || fail "selfcheck before mapping"
D=/sys/bus/pdax/devices
echo 512M > $D/pdax0.0/size
echo 1G > $D/pdax1.0/size
kmod-pdax map /dev/pdax0.0 512M 4096
kmod-pdax map /dev/pdax1.0 1G 4096
cat $S
grep -q '^selfcheck: ok' $S || fail "selfcheck after mapping"
[ "$(grep -c '^region.* ok$' $S)" = 2 ] || fail "want 2 regions checked"

echo 1 > /sys/bus/pdax/devices/region1/create
c=$(cat /sys/bus/pdax/devices/region1/seed)
echo compound > $D/$c/mode
echo 2M > $D/$c/align
echo 256M > $D/$c/size
sleep 60 < /dev/$c &
pid=$!
i=0 # the open scrubs, then builds the memmap: wait for it
while [ "$(cat $D/$c/vmemmap_bytes)" = 0 ] && [ $i -lt 50 ]; do sleep 1; i=$((i + 1)); done
echo "$c: mode $(cat $D/$c/mode) vmemmap_bytes $(cat $D/$c/vmemmap_bytes) (pageless would be 0; plain struct pages $(( (256 << 20) / 4096 * 64 )))"
cat $S
grep -q 'compound 65536' $S || fail "compound range not reported"
kill $pid; wait $pid 2>/dev/null || true
sleep 1
cat $S
grep -q '^selfcheck: ok' $S || fail "selfcheck after compound close"
grep -q 'compound 0 ' $S || fail "compound range still has struct pages"
rmmod pdax
echo "kmod-selfcheck: ok"
