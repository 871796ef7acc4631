#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 400
# The guest clock never steps back across a live restart, read as programs
# read it (vDSO, tight loop), on a vCPU that runs while another is idle.
# clockwatch runs pinned to the last of CPUS vCPUs, the others halt;
# tinyvmm is restarted ROUNDS times (every other restart into the other
# build). After every restart clockwatch must print new progress, and no
# read of CLOCK_MONOTONIC or CLOCK_REALTIME may be earlier than the one
# before it. An idle vCPU enters the guest only at its next interrupt, so
# its kvmclock page keeps the old process's values for a while after the
# restart, and the guest's vDSO reads vCPU 0's page on every CPU: the
# restored clock must continue from what those pages give.
#   vmm-restart-clock.sh [devdax|pdax] [CPUS] [ROUNDS]   (devdax 2 6)
. /tests/vm/scripts/vmm-lib.inc
backend=${1:-devdax}
cpus=${2:-2}
rounds=${3:-6}
case "$backend" in
devdax) dev=$(vmm_dax_dev 1073741824) ;;
pdax) dev=$(vmm_pdax_dev 1G) ;;
*) vmm_fail "unknown backend $backend" ;;
esac
# (a failure inside $(...) only ends the subshell: its message is $dev)
[ -c "$dev" ] || vmm_fail "no device: $dev"
sock=/tmp/vmm.sock
log=/tmp/restart-clock.log
rm -f "$sock" "$sock.state"
TINYVMM_TEST_HOLD_VCPU0_MS=${HOLD_MS:-500} \
	tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus "$cpus" \
	--control "$sock" --cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=clockwatch guest.args=900" \
	</dev/null >"$log" 2>&1 &
pid=$!
wait_count 1 '^CW CLOCKWATCH up_ms=' 150 ||
	{ tail -n 30 "$log"; vmm_fail "clockwatch never started"; }
echo "guest on $dev, $cpus vCPUs: $(grep -m1 '^CW clocksource' "$log")"

# progressed WHAT: a new clockwatch progress line within 40 s, and no
# backward step so far.
progressed() {
	base=$(grep -c '^CW CLOCKWATCH up_ms=' "$log")
	wait_count "$base" '^CW CLOCKWATCH up_ms=' 40 ||
		{ tail -n 30 "$log"; vmm_fail "$1: clockwatch printed nothing for 40 s"; }
	if grep -q '^CW CLOCKWATCH BACK' "$log"; then
		grep '^CW CLOCKWATCH BACK' "$log" | head -n 5
		grep '^tinyvmm' "$log" | tail -n 8
		vmm_fail "$1: the guest clock stepped back"
	fi
}

n=1
while [ $n -le "$rounds" ]; do
	bin=tinyvmm
	[ $((n % 2)) = 0 ] && bin=tinyvmm-alt
	vmm_restart $bin "restart $n"
	# The idle vCPUs wake at their next timer: give them time to.
	sleep 2
	progressed "restart $n into $bin"
	echo "restart $n ($bin): clock continued;" \
		"$(grep -o 'kvmclock [a-zA-Z-]*)' "$log" | tail -n 1)" \
		"$(grep -o 'kvmclock: continues.*' "$log" | tail -n 1)"
	n=$((n + 1))
done
last=$(grep '^CW CLOCKWATCH up_ms=' "$log" | tail -n 1)
echo "clockwatch: ${last#CW CLOCKWATCH }"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null || :
echo "vmm-restart-clock: ok ($backend, $cpus vCPUs, $rounds restarts)"
