#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# Restarts roll back by themselves. A Linux guest on 2 vCPUs runs ckloop;
# after a restart that works (its watchdog must be gone, not even a zombie),
# tinyvmm is live-restarted onto three binaries that fail: one that exits
# at once (/bin/false), one that refuses the state (vmmwrap as "reject":
# another device), one that dies after mapping guest RAM and restoring the
# state (vmmwrap as "crash": the seccomp self-test). Each time ctl restart
# must fail, the old binary must resume the guest without a human (ctl
# status answers within 30 s, rolled_back=1) and ckloop must progress; at
# the end ckloop must have held every check.
. /tests/vm/scripts/vmm-lib.inc
bind_devdax_all
dev=$(vmm_dax_dev 1073741824)
sock=/tmp/vmm.sock
log=/tmp/console.log
ln -s "$(command -v vmmwrap)" /tmp/vmm-reject
ln -s "$(command -v vmmwrap)" /tmp/vmm-crash

tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=ckloop guest.args=75" \
	</dev/null >$log 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { cat $log; fail "ckloop never started"; }
echo "guest running ckloop"

# A restart that works: its watchdog stands down and leaves no zombie.
out=$(tinyvmm ctl "$sock" restart 2>&1) || { echo "$out"; fail "live restart"; }
echo "$out"
sleep 1
for s in /proc/[0-9]*/status; do
	grep -q '^Name:.*tinyvmm-rollbk' $s 2>/dev/null || continue
	echo "left behind: $(grep -E '^(Name|State|PPid):' $s | tr '\n' ' ')"
	fail "a successful restart left its watchdog behind"
done

for target in /bin/false /tmp/vmm-reject /tmp/vmm-crash; do
	before=$(grep -c '^CKLOOP pass=' $log)
	t0=$(vmm_ms)
	out=$(tinyvmm ctl "$sock" restart --binary $target --timeout 30 2>&1) &&
		{ echo "$out"; fail "restart onto $target reported success"; }
	echo "$out"
	st=""
	until st=$(timeout 5 tinyvmm ctl "$sock" status 2>/dev/null); do
		[ $(($(vmm_ms) - t0)) -lt 30000 ] ||
			{ tail -n 30 $log; fail "ctl status does not answer 30 s after the restart onto $target"; }
		sleep 0.5
	done
	echo "after $target ($(($(vmm_ms) - t0)) ms): $st"
	echo "$st" | grep -q 'rolled_back=1' || fail "status does not say the restart onto $target rolled back"
	wait_count "$before" '^CKLOOP pass=' 30 || { tail -n 30 $log; fail "no progress after the rollback from $target"; }
	echo "rolled back from $target: guest progressing"
done
wait $pid
echo "first tinyvmm process: exit $? (became the last failed target)"

# The guest now runs under a tinyvmm the last watchdog started: not our child.
i=0
until grep -q 'DAXMEM-GUEST-POWEROFF' $log && ! tinyvmm ctl "$sock" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 1200 ] || { tail -n 30 $log; fail "the guest did not finish"; }
	sleep 0.1
done
echo "--- console (CKLOOP and tinyvmm lines):"
grep -E '^(CKLOOP|tinyvmm|DAXMEM)' $log | grep -v unhandled | tail -n 30
grep -q '^CKLOOP FAIL' $log && fail "ckloop reported a failure"
grep -q '^CKLOOP DONE ok' $log || fail "ckloop did not finish"
grep -q 'DAXMEM-GUEST-RUN-EXIT=0' $log || fail "ckloop exit status not 0"
grep -q "^tinyvmm: .*: exit 0" $log || fail "tinyvmm did not end with exit 0"
echo "vmm-rollback: ok (three failed restarts rolled back, guest intact)"
