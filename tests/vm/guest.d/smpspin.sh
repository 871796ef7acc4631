#!/bin/sh
# L2 guest workload: one ckloop per CPU, each pinned to its CPU with
# taskset, every line it prints (progress, "CKLOOP FAIL ...", its exit
# status as "CKLOOP-EXIT=N") prefixed "SPIN id=CPU".
#   smpspin.sh SECONDS [MIB]
secs=${1:-60}
mib=${2:-8}
n=$(grep -c ^processor /proc/cpuinfo)
echo "SPIN clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
i=0
while [ $i -lt "$n" ]; do
	(taskset -c $i ckloop "$secs" "$mib"; echo "CKLOOP-EXIT=$?") 2>&1 |
		while read -r line; do echo "SPIN id=$i $line"; done &
	i=$((i + 1))
done
wait
echo "SPIN END cpus=$n"
