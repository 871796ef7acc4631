#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 900 --smp 2
# 8 daxmemctl processes create and destroy devices on both regions for
# SECONDS_RUN (default 60) seconds, each under its own names. A monitor
# samples every device the kernel holds and fails on any two mappings that
# overlap; at the end no worker device is left, `check` is clean and each
# region has exactly the free space it started with.
#   harden-concurrency.sh [SECONDS_RUN]
. /tests/vm/scripts/vmm-lib.inc
RUN=${1:-60}
WORKERS=8

daxmemctl destroy dax0.0 dax1.0 >/dev/null 2>&1
free0_0=$(daxmemctl list -R -r 0 | jval allocatable_size)
free0_1=$(daxmemctl list -R -r 1 | jval allocatable_size)
echo "allocatable at start: region 0 $free0_0, region 1 $free0_1"

# every mapping the kernel holds, "start end device", sorted by start. Read
# under the daxmem state lock, between two daxmemctl changes: on 6.12, a
# task reading a device's mappingN/ attributes while that device was being
# removed hung in the kernel (hung-task reports, the remover blocked for
# good), so the monitor never reads them during a change.
mappings() {
	underlock "$DAXMEM_STATE.lock" sh -c '
	for m in /sys/bus/dax/devices/dax*/mapping*; do
		[ -f "$m/start" ] || continue
		echo "$(($(cat "$m/start"))) $(($(cat "$m/end"))) $(basename "$(dirname "$m")")"
	done 2>/dev/null' | sort -n
}

overlap() {
	mappings | awk 'NR > 1 && $1 <= prev_end { print "overlap: " prev " and " $0; bad = 1 }
		{ if ($2 > prev_end || NR == 1) { prev_end = $2; prev = $0 } } END { exit bad }'
}

worker() { # id
	i=0 c=0 d=0 full=0 other=0
	end=$(($(vmm_ms) + RUN * 1000))
	while [ "$(vmm_ms)" -lt $end ]; do
		i=$((i + 1))
		r=$(($1 % 2))
		size=$(((1 + RANDOM % 16) * 2))M
		if daxmemctl --lock-timeout 60000 create --region $r --size $size --name "w$1-$i" \
			>/dev/null 2>/tmp/w$1.err; then
			c=$((c + 1))
			daxmemctl --lock-timeout 60000 destroy "w$1-$i" >/dev/null 2>>/tmp/w$1.err ||
				{ echo "worker $1: destroy w$1-$i: $(cat /tmp/w$1.err)"; return 1; }
			d=$((d + 1))
		elif grep -q 'largest that fits\|no space\|No space' /tmp/w$1.err; then
			full=$((full + 1))
		else
			other=$((other + 1))
			echo "worker $1: create: $(cat /tmp/w$1.err)"
		fi
	done
	echo "worker $1: $c created, $d destroyed, $full refused for space, $other other errors"
	[ $other = 0 ]
}

for w in $(seq 1 $WORKERS); do
	worker $w >/tmp/worker$w.out 2>&1 &
	eval "pid$w=$!"
done
samples=0 maxdev=0
mon_end=$(($(vmm_ms) + RUN * 1000))
while [ "$(vmm_ms)" -lt $mon_end ]; do
	out=$(overlap) || { echo "$out"; mappings; vmm_fail "kernel mappings overlap"; }
	n=$(mappings | wc -l)
	[ $n -gt $maxdev ] && maxdev=$n
	samples=$((samples + 1))
	sleep 0.5
done
bad=0
for w in $(seq 1 $WORKERS); do
	eval "wait \$pid$w" || bad=1
	cat /tmp/worker$w.out
done
echo "monitor: $samples samples, no overlapping mappings, up to $maxdev mappings at once"
[ $bad = 0 ] || vmm_fail "a worker failed"
total=$(cat /tmp/worker*.out | awk '/created/ { c += $3 } END { print c }')
echo "total devices created and destroyed: $total"
[ "$total" -gt 0 ] || vmm_fail "no device was created"

left=$(daxmemctl list | grep -c '"name": "w')
[ "$left" = 0 ] || { daxmemctl list; vmm_fail "$left worker devices left"; }
[ -z "$(mappings)" ] || { mappings; vmm_fail "the kernel still holds mappings"; }
daxmemctl check >/dev/null || { daxmemctl check; vmm_fail "check after the run"; }
free1_0=$(daxmemctl list -R -r 0 | jval allocatable_size)
free1_1=$(daxmemctl list -R -r 1 | jval allocatable_size)
echo "allocatable at the end: region 0 $free1_0, region 1 $free1_1"
[ "$free1_0" = "$free0_0" ] && [ "$free1_1" = "$free0_1" ] || vmm_fail "space leaked"
echo "harden-concurrency: ok"
