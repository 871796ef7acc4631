#!/bin/sh
# vm-kernels: 6.12 6.1
# Releasing a region scrubs what it hands back: a pattern written through a
# pdax device reads as zeros through the device-dax device dax_hmem makes
# over the same memory afterwards. A region with poisoned pages is not
# released unless forced ("ID force"), and then every bad page is logged.
set -u
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices
echo 64M > $D/pdax0.0/size
daxpattern write /dev/pdax0.0 64M 42 || fail "pattern through pdax0.0"
echo pdax0.0 > $R/delete
pdax-handover to-hmem 0x140000000 || fail "to-hmem"
sleep 1
dax=""
for d in /sys/bus/dax/devices/dax*; do
	[ "$(printf '%#x' "$(cat $d/resource)")" = 0x140000000 ] && dax=$(basename $d)
done
[ -n "$dax" ] || fail "no dax device over 0x140000000"
bind_devdax $dax
daxpattern zero /dev/$dax 64M || fail "$dax over the released region still holds data"
echo "$dax reads zeros after the release"
dmesg | grep "region0: release: .*scrubbed" || fail "no scrub at release logged"

pdax-handover to-pdax 0x140000000 || fail "to-pdax"
P=0x140200000
echo $P > $R/poison || fail "poison $P"
id=$(cat $R/id)
if echo $id > /sys/bus/pdax/release 2>/tmp/err; then
	fail "region with a poisoned page released without force"
fi
grep -q busy /tmp/err || fail "release: $(cat /tmp/err), want busy"
echo "ok, refused: release of region$id with poison: $(cat /tmp/err)"
dmesg | grep "region$id: release refused" | tail -n 1
dmesg | grep "region$id.*poison.*force" | tail -n 1 | grep -q . || fail "no log line for the refusal"
echo "$id force" > /sys/bus/pdax/release || fail "forced release"
dmesg | grep -q "region$id.*released with poisoned page $P" || fail "bad page $P not logged at the forced release"
dmesg | grep "region$id.*released with poisoned page" | tail -n 3
rmmod pdax || fail "rmmod"
echo "kmod-release-scrub: ok"
