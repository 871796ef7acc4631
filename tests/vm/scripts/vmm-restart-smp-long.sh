#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 14400
# vm-suite: extended
# vmm-restart-smp.sh repeated: RUNS guests (default 10) for each of
# device-dax and pdax with 2 and 4 vCPUs, 10 live restarts and a recovery
# each. Prints the count of passing runs per variant; any failing run
# fails the script.
#   vmm-restart-smp-long.sh [RUNS] [BACKENDS]   (10 "devdax pdax")
runs=${1:-10}
backends=${2:-devdax pdax}
bad=0
for backend in $backends; do
	for cpus in 2 4; do
		ok=0
		r=1
		while [ $r -le "$runs" ]; do
			if /bin/sh /tests/vm/scripts/vmm-restart-smp.sh "$backend" "$cpus" 10 \
				>/tmp/smp-run.log 2>&1; then
				ok=$((ok + 1))
			else
				tail -n 20 /tmp/smp-run.log
			fi
			r=$((r + 1))
		done
		echo "vmm-restart-smp $backend, $cpus vCPUs: $ok of $runs runs passed"
		[ $ok -eq "$runs" ] || bad=1
	done
done
[ $bad -eq 0 ] || { echo "FAIL: some runs stalled or failed"; exit 1; }
echo "vmm-restart-smp-long: ok"
