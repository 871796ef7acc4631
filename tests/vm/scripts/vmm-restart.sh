#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 500
# Live restart: a Linux guest on 2 vCPUs runs ckloop (running checksum over
# 64 MiB, clocks must never go backwards). tinyvmm is restarted three times
# mid-run, once into a different build; then a restart onto a binary that
# exits at once, which the old binary rolls back by itself (a manual
# --restore is then refused). The guest must finish ckloop with every check
# held and power off (exit 0).
#   vmm-restart.sh [devdax|pdax]    the backend of guest RAM (devdax)
. /tests/vm/scripts/vmm-lib.inc
case "${1:-devdax}" in
devdax) dev=$(vmm_dax_dev 1073741824) ;;
pdax) dev=$(vmm_pdax_dev 1G) ;;
*) vmm_fail "unknown backend $1" ;;
esac
echo "guest RAM: $dev"
sock=/tmp/vmm.sock
log=/tmp/restart.log

t0=$(vmm_ms)
tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=ckloop" \
	</dev/null >"$log" 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 120 || { cat "$log"; vmm_fail "ckloop never started"; }
boot_ms=$(($(vmm_ms) - t0))
echo "guest running ckloop after $boot_ms ms (boot to first progress)"

n=1
for bin in tinyvmm tinyvmm-alt tinyvmm; do
	before=$(grep -c '^CKLOOP pass=' "$log")
	out=$(tinyvmm ctl "$sock" restart --binary "$(command -v $bin)" 2>&1) ||
		{ echo "$out"; cat "$log"; vmm_fail "restart $n into $bin failed"; }
	echo "$out"
	echo "$out" | grep -q "build=$( [ $bin = tinyvmm-alt ] && echo alt || echo default)" ||
		vmm_fail "restart $n is not running the $bin build"
	wait_count "$before" '^CKLOOP pass=' 30 || { cat "$log"; vmm_fail "no progress after restart $n"; }
	kill -0 $pid || vmm_fail "tinyvmm process vanished after restart $n"
	echo "restart $n into $bin: guest progressing"
	n=$((n + 1))
	sleep 2
done

# Failure path: the new binary exits immediately. The old binary's restart
# watchdog resumes the guest; a --restore of the state is refused then.
before=$(grep -c '^CKLOOP pass=' "$log")
out=$(tinyvmm ctl "$sock" restart --binary /bin/false --timeout 30 2>&1) &&
	vmm_fail "restart onto /bin/false reported success"
echo "$out"
echo "$out" | grep -q "the old binary resumed it" || vmm_fail "no rollback after /bin/false"
wait $pid
echo "tinyvmm after exec of /bin/false: exit $?"
wait_count "$before" '^CKLOOP pass=' 30 || { cat "$log"; vmm_fail "no progress after the rollback"; }
expect_error "in use by pid\|resumed already" tinyvmm --restore "$sock.state"
echo "rolled back to the old binary by itself: guest progressing"

# The guest runs under the tinyvmm the watchdog started: not this shell's child.
i=0
until grep -q 'DAXMEM-GUEST-POWEROFF' "$log" && ! tinyvmm ctl "$sock" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 3000 ] || { tail -n 30 "$log"; vmm_fail "the guest did not finish"; }
	sleep 0.1
done
echo "--- console (CKLOOP and tinyvmm lines):"
grep -E '^(CKLOOP|tinyvmm|DAXMEM)' "$log" | tail -n 40
grep -q '^tinyvmm: .*: exit 0' "$log" || vmm_fail "tinyvmm did not end with exit 0"
grep -q '^CKLOOP FAIL' "$log" && vmm_fail "ckloop reported a failure"
grep -q '^CKLOOP DONE ok' "$log" || vmm_fail "ckloop did not finish"
grep -q 'DAXMEM-GUEST-RUN-EXIT=0' "$log" || vmm_fail "ckloop exit status not 0"
grep -q 'DAXMEM-GUEST-POWEROFF' "$log" || vmm_fail "guest did not power off"
grep 'vCPUs were paused' "$log"
echo "vmm-restart: ok (3 restarts + 1 rolled back, guest intact)"
