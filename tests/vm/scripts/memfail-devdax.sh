#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 900
# Memory failure on kernel device-dax (struct pages): the kernel's own
# memory_failure() handles the page. daxmemctl creates a 1 GiB device-dax
# device, tinyvmm boots Linux on it; the guest's victim reads one page in a
# loop. hwpoison-inject poisons that page's pfn: memory_failure() marks the
# ZONE_DEVICE page, unmaps it from tinyvmm and, as tinyvmm asked for early
# kill, sends it BUS_MCEERR_AO for the page. tinyvmm must translate it to the
# victim's guest physical address and pass it on as an action-optional
# machine check (Intel), or record it without a machine check (AMD has none
# for action-optional errors). tinyvmm stays up, the bystander keeps running
# and the guest powers off. Software injection marks the page but leaves its
# data readable, so nothing is consumed afterwards.
. /tests/vm/scripts/vmm-lib.inc

modprobe hwpoison-inject || vmm_fail "modprobe hwpoison-inject"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
H=/sys/kernel/debug/hwpoison/corrupt-pfn
[ -w $H ] || vmm_fail "no $H"
daxmemctl destroy dax0.0 >/dev/null || vmm_fail "daxmemctl destroy dax0.0"
dev=$(daxmemctl create --backend devdax --region 0 --size 1G --name memfail | jval chardev)
[ -n "$dev" ] || vmm_fail "daxmemctl create"
S=/sys/bus/dax/devices/$dev
[ -d $S/mapping0 ] && [ ! -d $S/mapping1 ] || vmm_fail "$dev is not one range"
start=$(cat $S/mapping0/start)
echo "$dev: 1 GiB at $start, align $(cat $S/align)"

log=/tmp/memfail.log
t0=$(vmm_ms)
tinyvmm --dax /dev/$dev --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=poisonme guest.args=30,1" \
	</dev/null >"$log" 2>&1 &
pid=$!
wait_log 'POISONME VICTIM .* round=1' 3000
echo "guest up and victim running after $(($(vmm_ms) - t0)) ms"
gpa=$(sed -n 's/.*POISONME VICTIM pid=[0-9]* gpa=\(0x[0-9a-f]*\) round=1.*/\1/p' "$log")
[ $((gpa)) -lt $((3 << 30)) ] || vmm_fail "victim page above the hole: $gpa"
hpa=$(printf '%#x' $((start + gpa)))
pfn=$(printf '%#x' $((hpa >> 12)))
echo "guest physical $gpa = host physical $hpa: hwpoison-inject pfn $pfn"
echo $pfn > $H || vmm_fail "corrupt-pfn $pfn"
dmesg | grep -E 'Memory failure|Injecting' | tail -n 4
dmesg | grep -q "Memory failure: $pfn: recovery action for dax page: Recovered" ||
	vmm_fail "memory_failure() did not recover the dax page"
wait_log "memory error (action optional) at guest physical" 600
# device-dax reports the folio it mapped (si_addr_lsb): a 4 KiB page, or
# the 2 MiB / 1 GiB unit around it; tinyvmm passes the same granule on
line=$(grep -m1 "memory error (action optional) at guest physical" "$log")
echo "$line"
at=$(echo "$line" | sed -n 's/.*guest physical \(0x[0-9a-f]*\) (\([0-9]*\) KiB).*/\1/p')
kib=$(echo "$line" | sed -n 's/.*guest physical \(0x[0-9a-f]*\) (\([0-9]*\) KiB).*/\2/p')
[ -n "$at" ] && [ $((gpa)) -ge $((at)) ] && [ $((gpa)) -lt $((at + kib * 1024)) ] ||
	vmm_fail "the reported granule does not hold $gpa"

wait $pid
rc=$?
echo "tinyvmm exit $rc after $(($(vmm_ms) - t0)) ms"
grep -E 'POISONME (victim|RESULT|FAIL)|tinyvmm: memory|Memory failure|mce:|DAXMEM' "$log"
[ $rc -eq 0 ] || vmm_fail "tinyvmm exited $rc"
grep -q 'POISONME RESULT .* bystander=alive' "$log" || vmm_fail "the bystander died"
if echo "$line" | grep -q "not passed to an AMD guest"; then
	echo "AMD guest: the action-optional error was logged, not injected"
else
	grep -q 'mce: \[Hardware Error\]' "$log" || vmm_fail "the guest logged no machine check"
	if [ "$kib" = 4 ]; then
		grep -q "Memory failure: $(printf '%#x' $((gpa >> 12))):" "$log" ||
			vmm_fail "the guest did not handle the action-optional MCE"
		grep -q 'POISONME RESULT victim_signal=7' "$log" || vmm_fail "the victim lived"
	fi
fi
grep -q 'DAXMEM-GUEST-POWEROFF' "$log" || vmm_fail "guest did not power off"
daxmemctl destroy memfail >/dev/null || vmm_fail "daxmemctl destroy"
echo "memfail-devdax: ok"
