#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# The CPU model travels with the state. A Linux guest (ckloop, 2 vCPUs)
# boots without VMX/SVM in its CPUID (nested state is not saved) and is
# saved with 'ctl save'. A copy of the state whose saved CPUID claims
# AVX-512F, which this host's KVM lacks, is refused naming that bit and
# leaves the real state alone; the untouched state then resumes, survives
# a live restart (which saves the CPUID it was given again), and ckloop
# finishes intact.
. /tests/vm/scripts/vmm-lib.inc
# TCG (the testbed's CPU) has no AVX-512, so neither has its KVM.
grep -qw avx512f /proc/cpuinfo && fail "this host has avx512f: the test needs a feature it lacks"
dev=$(vmm_dax_dev 1073741824)
sock=/tmp/vmm.sock
log=/tmp/console.log
cmdline="console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=cpuflags guest.args=60"

tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "$cmdline" </dev/null >$log 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { cat $log; fail "ckloop never started"; }
flags=$(grep '^DAXMEM-GUEST-FLAGS' $log) || { cat $log; fail "the guest printed no CPU flags"; }
echo "$flags" | grep -q ' fpu ' || fail "no CPU flags in: $flags"
echo "$flags" | grep -qw 'vmx\|svm' && fail "a cold-booted guest sees VMX or SVM: $flags"
echo "the guest's CPU has no vmx and no svm"

out=$(tinyvmm ctl "$sock" save 2>&1) || { echo "$out"; cat $log; fail "ctl save"; }
echo "$out"
wait $pid
[ -f "$sock.state" ] || fail "no state file after ctl save"

# The saved CPUID now claims AVX-512F (leaf 7.0, ebx bit 16).
statecpuid "$sock.state" /tmp/tampered.state 0x7 0 ebx 16 || fail "statecpuid"
# One error line; the note on this testbed's XSAVE (cpuid_xsave.c) may come first.
timeout 20 tinyvmm --restore /tmp/tampered.state >/tmp/out 2>/tmp/err &&
	fail "the tampered state was restored"
grep -v 'guest XCR0 writes do not reach KVM' /tmp/err >/tmp/err.1
cat /tmp/err
[ "$(wc -l </tmp/err.1)" -eq 1 ] || fail "want one error line, got: $(cat /tmp/err.1)"
grep -q "tampered.state: cpuid 0x7.0 ebx bit 16 (avx512f): the guest has it, this host's KVM does not: refused" \
	/tmp/err.1 || fail "the refusal does not name the bit: $(cat /tmp/err.1)"
[ -f /tmp/tampered.state ] || fail "a refused restore consumed its state"
[ -f "$sock.state" ] || fail "the untouched state is gone"

before=$(grep -c '^CKLOOP pass=' $log)
tinyvmm --restore "$sock.state" </dev/null >>$log 2>&1 &
pid=$!
wait_count "$before" '^CKLOOP pass=' 60 || { cat $log; fail "no progress after the restore"; }
echo "the untouched state resumed"

out=$(tinyvmm ctl "$sock" restart 2>&1) || { echo "$out"; cat $log; fail "live restart"; }
echo "$out"
before=$(grep -c '^CKLOOP pass=' $log)
wait_count "$before" '^CKLOOP pass=' 60 || { cat $log; fail "no progress after the live restart"; }

wait $pid
rc=$?
echo "--- console (tinyvmm lines, then the last CKLOOP lines):"
grep '^tinyvmm' $log
grep -E '^(CKLOOP|DAXMEM)' $log | tail -n 8
[ $rc -eq 0 ] || fail "tinyvmm exited $rc at the end"
grep -q 'MSR.*refused\|refused MSR' $log && fail "an MSR was refused"
grep -q '^CKLOOP FAIL' $log && fail "ckloop reported a failure"
grep -q '^CKLOOP DONE ok' $log || fail "ckloop did not finish"
grep -q 'DAXMEM-GUEST-RUN-EXIT=0' $log || fail "ckloop exit status not 0"
echo "vmm-restore-cpuid: ok (no VMX/SVM at boot, a missing feature refused by name, the saved CPU model resumed and restarted)"
