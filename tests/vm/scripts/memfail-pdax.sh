#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 900
# Memory failure end to end on pageless memory, from both sources:
# daxmemctl creates a 1 GiB pdax device, tinyvmm boots Linux on it with two
# vCPUs; the guest runs a bystander and, one after the other, two victims
# that each read one page in a loop. The host poisons the first victim's
# page through pdax's debugfs inject_poison and the second's with mce-inject
# (a software machine check through the kernel's MCE decode chain, so pdax's
# notifier runs). Each time the guest kernel must log its memory-failure
# handling and kill only that victim; the bystander keeps running, tinyvmm
# stays up (a live restart between the rounds carries the bad page over,
# ctl status counts it) and the guest powers off. Then:
# pdax and the state file record both pages, the region has 8 KiB less to
# give, a create over either page is refused and a new device made of all
# the region has left is placed around them.
. /tests/vm/scripts/vmm-lib.inc
victim_gpa() { # round -> guest physical address of that victim's page
	sed -n "s/.*POISONME VICTIM pid=[0-9]* gpa=\(0x[0-9a-f]*\) round=$1.*/\1/p" "$log" |
		head -n 1
}

modprobe pdax || vmm_fail "modprobe pdax"
modprobe mce-inject || vmm_fail "modprobe mce-inject"
daxmemctl reconfigure-region 0x140000000 --backend pageless || vmm_fail "reconfigure-region to pageless"
avail0=$(daxmemctl list -R -b pageless | jval allocatable_size)
# 6.1 has no special huge PFNMAP entries: pdax maps 4 KiB there
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4K; else al=1G; fi
dev=$(daxmemctl create --backend pageless --region 0 --size 1G --align $al --name memfail |
	jval chardev)
[ -n "$dev" ] || vmm_fail "daxmemctl create"
S=/sys/bus/pdax/devices/$dev
[ -d $S/mapping0 ] && [ ! -d $S/mapping1 ] || vmm_fail "$dev is not one range"
start=$(cat $S/mapping0/start)
echo "$dev: 1 GiB at $start, align $(cat $S/align); region allocatable $avail0"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -w /sys/kernel/debug/pdax/inject_poison ] || vmm_fail "no pdax inject_poison"
I=/sys/kernel/debug/mce-inject
[ -w $I/bank ] || vmm_fail "no mce-inject debugfs"

log=/tmp/memfail.log
sock=/tmp/memfail.sock
t0=$(vmm_ms)
tinyvmm --dax /dev/$dev --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control $sock \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=poisonme guest.args=200,2" \
	</dev/null >"$log" 2>&1 &
pid=$!

wait_log 'POISONME VICTIM .* round=1' 3000
echo "guest up and victim 1 running after $(($(vmm_ms) - t0)) ms"
gpa1=$(victim_gpa 1)
[ $((gpa1)) -lt $((3 << 30)) ] || vmm_fail "victim page above the hole: $gpa1"
hpa1=$(printf '%#x' $((start + gpa1)))
echo "round 1: guest physical $gpa1 = host physical $hpa1: pdax inject_poison"
echo "$hpa1" > /sys/kernel/debug/pdax/inject_poison || vmm_fail "inject_poison $hpa1"
wait_log 'POISONME victim ended: .* round=1' 1200

# a live restart carries the bad page over to the new process
out=$(tinyvmm ctl $sock restart 2>&1) || { echo "$out"; vmm_fail "live restart"; }
echo "live restart: $out"
wait_log "guest page $gpa1 was poisoned before the restart" 300
wait_log 'POISONME VICTIM .* round=2' 1200
status=$(tinyvmm ctl $sock status) || vmm_fail "ctl status"
echo "ctl status: $status"
echo "$status" | grep -q ' restarts=1 .* bad_pages=1 ' ||
	vmm_fail "ctl status after the restart does not count the bad page"
gpa2=$(victim_gpa 2)
hpa2=$(printf '%#x' $((start + gpa2)))
[ "$hpa2" != "$hpa1" ] || vmm_fail "victim 2 got the poisoned page"
echo "round 2: guest physical $gpa2 = host physical $hpa2: mce-inject"
echo sw > $I/flags
echo 0 > $I/cpu
# VAL | UC | EN | ADDRV | Poison: uncorrected, address usable on AMD too
echo 0xb400080000000000 > $I/status
echo "$hpa2" > $I/addr
echo 0 > $I/misc
echo 1 > $I/bank

wait $pid
rc=$?
echo "tinyvmm exit $rc after $(($(vmm_ms) - t0)) ms"
echo "--- console: POISONME, tinyvmm, machine check and memory failure lines"
grep -E 'POISONME (VICTIM|victim|RESULT|FAIL)|tinyvmm|Memory failure|mce:|DAXMEM' "$log"
echo "--- host kernel"
dmesg | grep -E 'pdax|Memory failure|mce' | tail -n 6
[ $rc -eq 0 ] || vmm_fail "tinyvmm exited $rc"
for r in 1 2; do
	eval gpa=\$gpa$r
	grep -q "memory error (action required) at guest physical $gpa (4 KiB): injecting" "$log" ||
		vmm_fail "tinyvmm did not inject an MCE for $gpa"
	grep -q "Memory failure: $(printf '%#x' $((gpa >> 12))): recovery action for .*: Recovered" \
		"$log" || vmm_fail "the guest did not recover page $gpa"
	grep -q "POISONME victim ended: signal 7 round=$r" "$log" ||
		vmm_fail "victim $r did not die of SIGBUS"
done
grep -q 'POISONME RESULT .* bystander=alive rounds=2 all_sigbus=1' "$log" ||
	vmm_fail "the bystander did not outlive both victims"
grep -q 'DAXMEM-GUEST-POWEROFF' "$log" || vmm_fail "guest did not power off"

echo "--- after the VM"
cat $S/poison
grep -q "^$hpa1 $gpa1\$" $S/poison && grep -q "^$hpa2 $gpa2\$" $S/poison ||
	vmm_fail "$dev poison list lacks $hpa1/$hpa2"
daxmemctl save >/dev/null || vmm_fail "daxmemctl save"
for h in $hpa1 $hpa2; do
	grep -Eq "\"start\": $((h))([^0-9]|\$)" "$DAXMEM_STATE" ||
		vmm_fail "state file does not record $h"
done
echo "state file records $hpa1 and $hpa2"
daxmemctl destroy memfail >/dev/null || vmm_fail "daxmemctl destroy"
avail=$(daxmemctl list -R -b pageless | jval allocatable_size)
echo "region allocatable: $avail0 before, $avail after"
[ $((avail0 - avail)) -eq 8192 ] || vmm_fail "the region still hands out the poisoned pages"
for h in $hpa1 $hpa2; do
	r=$(printf '%#x' $((h & ~0x1fffff)))
	if daxmemctl create --backend pageless --region 0 --ranges $r+2M --name bad \
		>/dev/null 2>/tmp/err; then
		vmm_fail "create over poisoned $h succeeded"
	fi
	grep -q poisoned /tmp/err || vmm_fail "create over $h: $(cat /tmp/err)"
	echo "refused: create over $h: $(cat /tmp/err)"
done
# all the region has left: the allocator must place it around both pages
new=$(daxmemctl create --backend pageless --region 0 --size $avail --align 4K --name again |
	jval chardev)
[ -n "$new" ] || vmm_fail "daxmemctl create of the whole remaining $avail bytes"
N=/sys/bus/pdax/devices/$new
for m in $N/mapping[0-9]*; do
	s=$(($(cat $m/start)))
	e=$(($(cat $m/end)))
	echo "$new: $(basename $m) $(cat $m/start)-$(cat $m/end)"
	for h in $hpa1 $hpa2; do
		[ $((h)) -lt $s ] || [ $((h)) -gt $e ] || vmm_fail "$new holds poisoned $h"
	done
done
[ -z "$(cat $N/poison)" ] || vmm_fail "$new lists poison: $(cat $N/poison)"
echo "memfail-pdax: ok"
