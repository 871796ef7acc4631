#!/bin/sh
# vm-kernels: 6.12 6.1
# preserved 1 -> 0 re-arms the scrub: a device reassembled with preserved
# keeps its data; once preserved is cleared, the next open scrubs it, so a
# new owner never sees the old bytes. A device that stays in use by one
# owner is not scrubbed again (a handover of it needs a "scrub" write).
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
echo 2M > $D/size
kmod-pdax fill /dev/pdax0.0 2M 0xab
kmod-pdax check /dev/pdax0.0 2M 0xab
echo "after use: scrub $(cat $D/scrub)"
start=$(cat $D/mapping0/start) end=$(cat $D/mapping0/end)
echo pdax0.0 > $R/delete
echo 1 > $R/create
dev=$(cat $R/seed)
P=/sys/bus/pdax/devices/$dev
echo "$start-$end" > $P/mapping
echo 1 > $P/preserved
kmod-pdax check /dev/$dev 2M 0xab
echo "preserved $dev: scrub $(cat $P/scrub)"
grep -q '^skipped' $P/scrub || fail "preserved $dev: scrub $(cat $P/scrub)"
echo 0 > $P/preserved
echo "preserved cleared: scrub $(cat $P/scrub)"
grep -q '^none' $P/scrub || fail "preserved 1 -> 0 left scrub state $(cat $P/scrub)"
kmod-pdax check /dev/$dev 2M 0 || fail "preserved 1 -> 0: the old bytes are still there"
grep -q '^done' $P/scrub || fail "scrub after preserved 1 -> 0: $(cat $P/scrub)"
# 0 -> 0 and 0 -> 1 -> (open) do not scrub again
kmod-pdax fill /dev/$dev 2M 0xcd
echo 0 > $P/preserved
kmod-pdax check /dev/$dev 2M 0xcd || fail "preserved 0 -> 0 scrubbed"
rmmod pdax
echo "kmod-preserved: ok"
