#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# Live restart with every vCPU busy: a Linux guest on CPUS vCPUs runs one
# ckloop per vCPU, pinned with taskset, each line tagged with its CPU.
# tinyvmm is restarted ROUNDS times (every third restart into the other
# build), then onto /bin/false, from which it rolls back by itself. After every
# step each process on its own must print new progress within DEADLINE
# seconds: a vCPU that stops (or whose wake-ups are lost) fails the test
# by name. No ckloop check may fail (docs/live-restart.md: what it found).
#   vmm-restart-smp.sh [devdax|pdax] [CPUS] [ROUNDS]   (devdax 2 10)
. /tests/vm/scripts/vmm-lib.inc
backend=${1:-devdax}
cpus=${2:-2}
rounds=${3:-10}
deadline=${DEADLINE:-40}
case "$backend" in
devdax) dev=$(vmm_dax_dev 1073741824) ;;
pdax) dev=$(vmm_pdax_dev 1G) ;;
*) vmm_fail "unknown backend $backend" ;;
esac
# (a failure inside $(...) only ends the subshell: its message is $dev)
[ -c "$dev" ] || vmm_fail "no device: $dev"
echo "guest RAM: $dev, $cpus vCPUs, $rounds restarts;" \
	"testbed clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
sock=/tmp/vmm.sock
log=/tmp/restart-smp.log
rm -f "$sock" "$sock.state"

# progress_all WHAT: every CPU's ckloop prints a new pass line within
# $deadline seconds of now; fail naming the CPUs that did not.
progress_all() {
	base=""
	for c in $(seq 0 $((cpus - 1))); do
		base="$base $(grep -c "^SPIN id=$c CKLOOP pass=" "$log")"
	done
	t=0
	while :; do
		late=""
		c=0
		for b in $base; do
			[ "$(grep -c "^SPIN id=$c CKLOOP pass=" "$log")" -gt "$b" ] || late="$late $c"
			c=$((c + 1))
		done
		[ -z "$late" ] && return 0
		if grep -q '^SPIN id=[0-9]* CKLOOP FAIL' "$log"; then
			grep '^SPIN id=[0-9]* CKLOOP FAIL' "$log"
			vmm_fail "$1: a ckloop check failed"
		fi
		t=$((t + 1))
		if [ $t -gt $((deadline * 2)) ] || ! kill -0 $pid 2>/dev/null; then
			grep -E '^(SPIN|tinyvmm)' "$log" | tail -n 30
			for c in $late; do
				echo "--- last lines of CPU $c:"
				grep "^SPIN id=$c " "$log" | tail -n 3
			done
			vmm_fail "$1: no progress in ${deadline} s on CPU(s)$late"
		fi
		sleep 0.5
	done
}

tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus "$cpus" \
	--control "$sock" --cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=smpspin guest.args=900,8" \
	</dev/null >"$log" 2>&1 &
pid=$!
wait_count $((cpus - 1)) '^SPIN id=[0-9]* CKLOOP pass=' 150 ||
	{ tail -n 30 "$log"; vmm_fail "the guest's ckloops never started"; }
progress_all "before the first restart"
echo "guest running $cpus pinned ckloops; $(grep -m1 '^SPIN clocksource' "$log")"

n=1
while [ $n -le "$rounds" ]; do
	bin=tinyvmm
	[ $((n % 3)) = 2 ] && bin=tinyvmm-alt
	vmm_restart $bin "restart $n"
	progress_all "restart $n into $bin"
	echo "restart $n ($bin): every CPU progressing; $(echo "$out" | grep -o 'paused [0-9.]* ms')"
	n=$((n + 1))
done

out=$(tinyvmm ctl "$sock" restart --binary /bin/false --timeout 3 2>&1) &&
	vmm_fail "restart onto /bin/false reported success"
# The old binary's watchdog brings the guest back by itself.
t0=$(vmm_ms)
until st=$(timeout 5 tinyvmm ctl "$sock" status 2>/dev/null); do
	[ $(($(vmm_ms) - t0)) -lt 30000 ] ||
		{ tail -n 30 "$log"; vmm_fail "ctl status does not answer 30 s after the restart onto /bin/false"; }
	sleep 0.5
done
echo "$st" | grep -q 'rolled_back=1' || vmm_fail "status does not say the restart onto /bin/false rolled back: $st"
pid=""
for c in /proc/[0-9]*/cmdline; do
	{ tr '\0' ' ' <"$c"; } 2>/dev/null | grep -q -- '--restore' || continue
	pid=${c#/proc/}; pid=${pid%/cmdline}
done
[ -n "$pid" ] || vmm_fail "no tinyvmm --restore process after the rollback"
progress_all "recovery by rollback"
# A lost wake-up may show only later: keep watching for a while.
for k in 1 2 3 4; do
	sleep 3
	progress_all "$((k * 3)) s after the recovery"
done
echo "rolled back after the restart onto /bin/false: every CPU progressing"

grep -q 'CKLOOP FAIL' "$log" && { grep 'CKLOOP FAIL' "$log"; vmm_fail "a ckloop check failed"; }
for c in $(seq 0 $((cpus - 1))); do
	echo "CPU $c: $(grep -c "^SPIN id=$c CKLOOP pass=" "$log") progress lines"
done
tinyvmm ctl "$sock" status >/dev/null 2>&1 && kill "$pid"
# Gone before the next run reconfigures the device it holds open.
i=0
while grep -qs '^State:.*[^Z] ' "/proc/$pid/status" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "vmm-restart-smp: ok ($backend, $cpus vCPUs, $rounds restarts + recovery)"
