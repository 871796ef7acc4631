#!/bin/sh
# vm-kernels: 6.12 6.1
# Memory failure: poison injected through debugfs zaps the unit, a read of
# the poisoned page raises SIGBUS BUS_MCEERR_AR with the faulting address and
# lsb 12, the rest of the unit is served at lower sizes, and the region and
# device poison lists show the page. A poison written to the region's list
# (a restored state) behaves the same.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4096; else al=1073741824; fi
echo $al > $D/align
echo 2G > $D/size
start=$(cat $D/mapping0/start)
off=0x12345000
[ $al = 4096 ] && off=0x1000
phys=$(printf '%#x' $((start + off)))
echo "pdax0.0 align $al: poison offset $off = phys $phys"
kmod-pdax poison /dev/pdax0.0 $al $off $phys
echo "faults: 4k=$(cat $D/faults_4k) 2m=$(cat $D/faults_2m) 1g=$(cat $D/faults_1g)"
echo "region poison: $(cat $R/poison)"
echo "device poison: $(cat $D/poison)"
[ "$(cat $R/poison)" = "$phys" ] || fail "region poison list"
[ "$(cat $D/poison)" = "$phys $off" ] || fail "device poison list"
if [ $al = 1073741824 ]; then
	# 1G unit split: 511 2M entries plus 511 4K entries around the page
	[ "$(cat $D/faults_2m)" = 511 ] || fail "want 511 2M faults for the rest of the unit"
	[ "$(cat $D/faults_4k)" = 511 ] || fail "want 511 4K faults next to the page"
fi
dmesg | grep 'memory failure' | tail -2

# a second page through the region attribute, in the other GiB or page
off2=$((al == 4096 ? 0x3000 : 0x40000000 + 0x2000))
phys2=$(printf '%#x' $((start + off2)))
echo $phys2 > $R/poison
kmod-pdax poison /dev/pdax0.0 $al $(printf '%#x' $off2) $phys2
[ "$(wc -l < $R/poison)" = 2 ] || fail "want 2 poisoned pages"
if echo 0x1000 > $R/poison 2>/dev/null; then fail "poison outside the region accepted"; fi
if echo junk > /sys/kernel/debug/pdax/inject_poison 2>/dev/null; then fail "junk accepted"; fi
rmmod pdax
echo "kmod-poison: ok"
