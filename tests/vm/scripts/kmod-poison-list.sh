#!/bin/sh
# vm-kernels: 6.12 6.1
# Poison lists are never truncated: 1000 pages poisoned through sysfs all
# show in regionR/poison and pdaxR.N/poison (a page of text used to be the
# limit), in order; daxmemctl save records all 1000, and after a module
# reload daxmemctl restore gives all 1000 back to pdax.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
N=1000
S=$(cat $R/start)
echo 4096 > $D/align
echo 1G > $D/size
i=0
while [ $i -lt $N ]; do
	printf '%#x\n' $((S + i * 0x100000 + 0x3000)) > $R/poison
	i=$((i + 1))
done
first=$(printf '%#x' $((S + 0x3000)))
last=$(printf '%#x' $((S + (N - 1) * 0x100000 + 0x3000)))
lastoff=$(printf '%#x' $(((N - 1) * 0x100000 + 0x3000)))
echo "region poison: $(wc -l < $R/poison) lines, $(wc -c < $R/poison) bytes, last $(tail -n 1 $R/poison)"
echo "device poison: $(wc -l < $D/poison) lines, $(wc -c < $D/poison) bytes, last $(tail -n 1 $D/poison)"
[ "$(wc -l < $R/poison)" = $N ] || fail "region poison list has $(wc -l < $R/poison) of $N pages"
[ "$(wc -l < $D/poison)" = $N ] || fail "device poison list has $(wc -l < $D/poison) of $N pages"
[ "$(head -n 1 $R/poison)" = "$first" ] && [ "$(tail -n 1 $R/poison)" = "$last" ] ||
	fail "region poison list ends $(head -n 1 $R/poison) .. $(tail -n 1 $R/poison)"
[ "$(tail -n 1 $D/poison)" = "$last $lastoff" ] || fail "device poison list ends $(tail -n 1 $D/poison)"
sort -c $R/poison 2>/dev/null || :
[ "$(sort -u $R/poison | wc -l)" = $N ] || fail "duplicate entries"
# small reads see the same text as one big read
dd if=$R/poison bs=7 2>/dev/null | cmp -s - $R/poison || fail "7-byte reads differ"

# save, reload, restore: all back
echo 0 > $D/size
daxmemctl save
[ "$(grep -o '"start"' "$DAXMEM_STATE" | wc -l)" -ge $N ] || fail "state file lacks poisoned pages"
rmmod pdax
claim_5g
[ -z "$(cat $R/poison)" ] || fail "pdax kept its poison list across reload"
daxmemctl restore >/dev/null 2>/tmp/err || fail "restore: $(cat /tmp/err)"
echo "after reload and restore: $(wc -l < $R/poison) poisoned pages"
[ "$(wc -l < $R/poison)" = $N ] || fail "restore gave back $(wc -l < $R/poison) of $N pages"
[ "$(tail -n 1 $R/poison)" = "$last" ] || fail "restored list ends $(tail -n 1 $R/poison)"
rmmod pdax
echo "kmod-poison-list: ok"
