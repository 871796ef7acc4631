#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --smp 2
# A fault racing a poison add never leaves the poisoned page mapped. With
# debugfs fault_delay_ms, each fault sleeps between its poison check and
# its insert while the page is poisoned: the insert lands after the add's
# zap every time, so only the fault's own look after the insert can undo
# it (fault_poison_races counts those). Then the same without the delay,
# 2000 pages faulted and poisoned at once on two CPUs. /proc/self/pagemap
# must never show a poisoned pfn mapped, and selfcheck stays clean.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
D=/sys/bus/pdax/devices/pdax0.0
R=/sys/bus/pdax/devices/region0
K=/sys/kernel/debug/pdax

# race ALIGN OFF COUNT DELAY AT: a 64 MiB device at ALIGN made of the one
# range at region offset AT, then kmod-pdax faultrace
race() {
	echo 0 > $D/size
	echo "$1" > $D/align
	start=$(($(cat $R/start) + $5))
	printf '%x-%x\n' $start $((start + 0x4000000 - 1)) > $D/mapping
	[ "$(cat $D/mapping0/start)" = "$(printf '%#x' $start)" ] || fail "device not at $start"
	echo "$4" > $K/fault_delay_ms
	before=$(cat $D/fault_poison_races)
	kmod-pdax faultrace /dev/pdax0.0 "$2" $(printf '%#x' $((start + $2))) "$3" "$4" ||
		{ echo 0 > $K/fault_delay_ms; fail "align $1, delay $4 ms: a poisoned page stayed mapped"; }
	echo 0 > $K/fault_delay_ms
	caught=$(($(cat $D/fault_poison_races) - before))
	echo "align $1, $3 pages, delay $4 ms: $caught faults undid their insert"
}

race 4096 0x10000 4 300 0
want=4
[ "$caught" = 4 ] || fail "want 4 faults that found their page poisoned after the insert, got $caught"
if [ "$TESTBED_KERNEL" = 6.12 ]; then
	race 2M 0x200000 1 300 0x10000000
	want=$((want + 1))
	[ "$caught" = 1 ] || fail "want the 2M fault to find its unit poisoned after the insert, got $caught"
fi
race 4096 0x100000 2000 0 0x20000000
want=$((want + 2000))
n=$(wc -l < $R/poison)
echo "region poison list: $n pages"
[ "$n" = "$want" ] || fail "want the $want injected pages on the region's poison list, have $n"
sc=$(cat $K/selfcheck | tail -n 1)
[ "$sc" = "selfcheck: ok" ] || { cat $K/selfcheck; fail "selfcheck after the races"; }
echo "kmod-poison-race: ok"
