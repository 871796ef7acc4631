#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# Memory failure end to end on a pageless /dev/pdax device: the guest runs a
# victim that reads one page in a loop and a bystander. The host poisons the
# victim page's physical address through pdax's debugfs inject_poison. KVM
# cannot map the page any more and fails KVM_RUN with EFAULT; tinyvmm finds
# the page on the device's poison list and injects a machine check for that
# guest physical page. The guest kernel must recover the page and kill only
# the victim; the bystander keeps running, tinyvmm stays up and the guest
# powers off normally (exit 0). tinyvmm runs as nobody once its devices are
# open (--user/--group): the poison list is root's only (0400), so it must
# have opened it before the drop. memfail-pdax.sh covers more.
. /tests/vm/scripts/vmm-lib.inc
modprobe pdax ranges=0x140000000-0x1bfffffff || vmm_fail "modprobe pdax"
D=/sys/bus/pdax/devices/pdax0.0
echo 2M > $D/align
echo 1G > $D/size
start=$(cat $D/mapping0/start)
echo "pdax0.0: size $(cat $D/size) align $(cat $D/align) mapping0 start $start"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -w /sys/kernel/debug/pdax/inject_poison ] || vmm_fail "no pdax inject_poison"

log=/tmp/mce.log
chmod 1777 /tmp # nobody creates files there
chmod o+x / # and reaches /tmp and the binaries
tinyvmm --user 65534 --group 65534 --dax /dev/pdax0.0 --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=poisonme" \
	</dev/null >"$log" 2>&1 &
pid=$!
wait_log 'POISONME VICTIM pid=' 1200
gpa=$(sed -n 's/.*POISONME VICTIM pid=[0-9]* gpa=\(0x[0-9a-f]*\).*/\1/p' "$log" | head -1)
[ $((gpa)) -lt $((3 << 30)) ] || vmm_fail "victim page above the hole: $gpa"
hpa=$(printf '0x%x' $((start + gpa)))
echo "victim guest physical $gpa -> host physical $hpa: poisoning"
sleep 1
echo "$hpa" > /sys/kernel/debug/pdax/inject_poison || vmm_fail "inject_poison $hpa"

wait $pid
rc=$?
echo "--- console (POISONME, tinyvmm, memory failure lines):"
grep -E 'POISONME|tinyvmm|[Mm]emory failure|mce:|Hardware Error|DAXMEM' "$log" | tail -n 40
echo "tinyvmm exit $rc"
[ $rc -eq 0 ] || vmm_fail "tinyvmm exited $rc"
grep -q "memory error (action required) at guest physical $gpa" "$log" ||
	vmm_fail "tinyvmm did not report an MCE for $gpa"
grep -q "Memory failure: $(printf '%#x' $((gpa >> 12))): recovery action for .*: Recovered" \
	"$log" || vmm_fail "the guest did not recover $gpa"
grep -q 'POISONME RESULT victim_signal=7 bystander=alive' "$log" ||
	vmm_fail "guest did not kill only the victim"
grep -q 'DAXMEM-GUEST-POWEROFF' "$log" || vmm_fail "guest did not power off"
cat /sys/bus/pdax/devices/region0/poison 2>/dev/null | grep -q "$hpa" &&
	echo "pdax region0 lists $hpa as poisoned"
echo "vmm-mce: ok"
