#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400 --carve 1G@4G --carve 1G@6G
# Restore is single-use and exclusive. Two device-dax devices of 1 GiB each;
# a Linux guest (ckloop, 2 vCPUs) runs on the first. A second tinyvmm on the
# same device is refused naming the holder's pid, also after a live restart.
# After 'ctl save':
# restoring onto the other device of the same size is refused (both named);
# two concurrent --restore of the state: exactly one runs; a third after
# the resume is refused. The guest must finish ckloop intact.
. /tests/vm/scripts/vmm-lib.inc
bind_devdax_all
devs=""
for d in /sys/bus/dax/devices/dax*; do
	[ "$(cat $d/size)" = 1073741824 ] && [ -c /dev/$(basename $d) ] && devs="$devs /dev/$(basename $d)"
done
set -- $devs
[ $# -eq 2 ] || fail "want two 1 GiB device-dax devices, found:$devs"
dev=$1
other=$2
echo "guest RAM: $dev, the other device: $other"
sock=/tmp/vmm.sock
log=/tmp/console.log
cmdline="console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=ckloop guest.args=75"

tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "$cmdline" </dev/null >$log 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { cat $log; fail "ckloop never started"; }
echo "guest running ckloop under pid $pid"

# A second VMM on the same memory: refused at once, naming the holder.
expect_error "$dev is in use by pid $pid" timeout 20 \
	tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cmdline "$cmdline"

out=$(tinyvmm ctl "$sock" save 2>&1) || { echo "$out"; cat $log; fail "ctl save"; }
echo "$out"
wait $pid
[ -f "$sock.state" ] || fail "no state file after ctl save"

# Same size, other memory: refused, both devices named.
expect_error "$other.*$dev\|$dev.*$other" timeout 20 tinyvmm --restore "$sock.state" --dax "$other"
[ -f "$sock.state" ] || fail "a refused restore consumed the state"

# Two restores at once: exactly one runs the guest.
before=$(grep -c '^CKLOOP pass=' $log)
tinyvmm --restore "$sock.state" </dev/null >>$log 2>/tmp/r1.err &
p1=$!
tinyvmm --restore "$sock.state" </dev/null >>$log 2>/tmp/r2.err &
p2=$!
sleep 8
alive=0
for p in $p1 $p2; do
	kill -0 $p 2>/dev/null && { alive=$((alive + 1)); pid=$p; }
done
echo "--- restore 1 (pid $p1):"; cat /tmp/r1.err
echo "--- restore 2 (pid $p2):"; cat /tmp/r2.err
[ $alive -eq 1 ] || { kill $p1 $p2 2>/dev/null; fail "$alive of two concurrent restores are running, want 1"; }
[ $pid = $p1 ] && loser=$p2 || loser=$p1
wait $loser
[ $? -ne 0 ] || fail "the refused restore exited 0"
cat /tmp/r1.err /tmp/r2.err | grep -q "in use by pid $pid\|resumed already" ||
	fail "the refused restore did not say why"
wait_count "$before" '^CKLOOP pass=' 30 || { cat $log; fail "no progress after the restore"; }
echo "exactly one restore runs (pid $pid)"

# The lock crosses a live restart's exec: still refused, same pid.
out=$(tinyvmm ctl "$sock" restart 2>&1) || { echo "$out"; cat $log; fail "live restart"; }
echo "$out"
expect_error "$dev is in use by pid $pid" timeout 20 \
	tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cmdline "$cmdline"

# A third, after the resume: refused.
expect_error "resumed already" timeout 20 tinyvmm --restore "$sock.state"
[ -f "$sock.state.resumed" ] || fail "no $sock.state.resumed after the resume"

wait $pid
rc=$?
echo "--- console (CKLOOP and tinyvmm lines):"
grep -E '^(CKLOOP|tinyvmm|DAXMEM)' $log | tail -n 30
[ $rc -eq 0 ] || fail "tinyvmm exited $rc at the end"
grep -q '^CKLOOP FAIL' $log && fail "ckloop reported a failure"
grep -q '^CKLOOP DONE ok' $log || fail "ckloop did not finish"
grep -q 'DAXMEM-GUEST-RUN-EXIT=0' $log || fail "ckloop exit status not 0"
echo "vmm-restore-once: ok (second VMM refused, other device refused, one of two restores ran, third refused)"
