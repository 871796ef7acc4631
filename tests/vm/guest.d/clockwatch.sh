#!/bin/sh
# L2 guest workload: clockwatch pinned to the last CPU, every other CPU
# left idle (halted), each line prefixed "CW". An idle vCPU is one that
# does not enter the guest right after a live restart, so its kvmclock
# page keeps the old values for a while: the case a clock check on busy
# vCPUs never sees.
#   clockwatch.sh SECONDS
secs=${1:-60}
n=$(grep -c ^processor /proc/cpuinfo)
echo "CW clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) cpus=$n"
(taskset -c $((n - 1)) clockwatch "$secs"; echo "CLOCKWATCH-EXIT=$?") 2>&1 |
	while read -r line; do echo "CW $line"; done
echo "CW END"
