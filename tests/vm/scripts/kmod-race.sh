#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 400 --smp 2
# Create/resize/delete, open/mmap/fault, background scrubs, poison, region
# release/claim and sysfs reads race for a while; nothing oopses or warns,
# every device that is open refuses changes, and the module unloads.
set -u
. /tests/vm/scripts/lib.inc
hmem_unbind
modprobe pdax ranges=0x100000000-0x13fffffff
B=/sys/bus/pdax
end=$(( $(date +%s) + ${RACE_SECONDS:-40} ))
churn() { # devices come and go
	while [ $(date +%s) -lt $end ]; do
		R=$B/devices/region0
		[ -d $R ] || { echo 0x100000000-0x13fffffff > $B/claim; continue; }
		echo 1 > $R/create
		d=$(cat $R/seed)
		[ -n "$d" ] || continue
		echo 2M > $B/devices/$d/align
		echo 64M > $B/devices/$d/size
		echo 1 > $B/devices/$d/scrub
		echo 32M > $B/devices/$d/size
		echo $d > $R/delete
	done 2>/dev/null
}
mapper() { # devices get opened, mapped, faulted
	while [ $(date +%s) -lt $end ]; do
		for d in /dev/pdax0.*; do
			[ -c $d ] && kmod-pdax map $d 2M 4096 >/dev/null 2>&1
		done
	done
}
reader() { # sysfs readers and poison
	while [ $(date +%s) -lt $end ]; do
		cat $B/devices/*/* >/dev/null 2>&1
		echo 0x10$(( RANDOM % 4 ))$(( RANDOM % 10 ))00000 > /sys/kernel/debug/pdax/inject_poison 2>/dev/null
	done
}
releaser() { # the region goes away and comes back now and then (forced:
	# the poisoner keeps it poisoned, and a plain release refuses that)
	while [ $(date +%s) -lt $end ]; do
		sleep 3
		echo "0 force" > $B/release 2>/dev/null && echo 0x100000000-0x13fffffff > $B/claim 2>/dev/null
	done
}
churn & p1=$!
churn & p2=$!
mapper & p3=$!
reader & p4=$!
releaser & p5=$!
wait $p1 $p2 $p3 $p4 $p5
echo "raced for ${RACE_SECONDS:-40}s"
ls $B/devices
dmesg | grep -c 'memory failure' | sed 's/^/poison events: /'
for d in $B/devices/pdax*; do
	[ -e $d/scrub ] || continue
	while grep -q running $d/scrub; do sleep 1; done
done
rmmod pdax || { echo "FAIL: rmmod after the race"; exit 1; }
echo "kmod-race: ok"
