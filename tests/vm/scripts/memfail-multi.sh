#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 900
# vm-rerun: boot-only
# Memory failure is contained to the guest that owns the page: two tinyvmm
# guests run at once, A on a pageless pdax device, B on a device of its own
# (device-dax, or pdax in the same region with "pdax"). A runs poisonme (a
# victim reading one page, a bystander), B runs ckloop (a verified checksum
# over 32 MiB). The host poisons A's victim page through mce-inject. A's
# guest kills only its victim and powers off; B finishes its workload with
# every check held, its tinyvmm never sees a memory error, and both VMMs
# exit 0.
#   memfail-multi.sh [devdax|pdax]    B's backend (devdax)
. /tests/vm/scripts/vmm-lib.inc
other=${1:-devdax}
modprobe mce-inject || fail "modprobe mce-inject"
I=/sys/kernel/debug/mce-inject
[ -w $I/bank ] || fail "no mce-inject debugfs"
claim_5g
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4K; else al=2M; fi
a=$(daxmemctl create --backend pageless --region 0 --size 512M --align $al --name a | jval chardev)
[ -n "$a" ] || fail "create a"
case "$other" in
devdax)
	daxmemctl destroy dax0.0 >/dev/null || fail "destroy dax0.0"
	b=$(daxmemctl create --backend devdax --region 0 --size 512M --name b | jval chardev)
	bind_devdax "$b" ;;
pdax)
	b=$(daxmemctl create --backend pageless --region 0 --size 512M --align $al --name b |
		jval chardev) ;;
*) fail "unknown backend $other" ;;
esac
[ -c "/dev/$b" ] || fail "create b"
start=$(cat /sys/bus/pdax/devices/$a/mapping0/start)
echo "A: /dev/$a (pdax, at $start), B: /dev/$b ($other)"

tinyvmm --dax /dev/$b --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=ckloop guest.args=150,32" \
	</dev/null >/tmp/b.log 2>&1 &
pid_b=$!
pid=$pid_b log=/tmp/b.log
wait_log '^CKLOOP START' 3000
echo "B running ckloop"
tinyvmm --dax /dev/$a --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=poisonme guest.args=200,1" \
	</dev/null >/tmp/a.log 2>&1 &
pid_a=$!
pid=$pid_a log=/tmp/a.log
wait_log 'POISONME VICTIM .* round=1' 3000
gpa=$(sed -n 's/.*POISONME VICTIM pid=[0-9]* gpa=\(0x[0-9a-f]*\) round=1.*/\1/p' /tmp/a.log | head -n 1)
hpa=$(printf '%#x' $((start + gpa)))
before=$(grep -c '^CKLOOP pass=' /tmp/b.log)
echo "A's victim at guest physical $gpa = host physical $hpa: mce-inject"
echo sw > $I/flags
echo 0 > $I/cpu
# VAL | UC | EN | ADDRV | Poison: uncorrected, address usable on AMD too
echo 0xb400080000000000 > $I/status
echo "$hpa" > $I/addr
echo 0 > $I/misc
echo 1 > $I/bank
wait_log 'POISONME victim ended: .* round=1' 1200

wait $pid_a
rc_a=$?
pid=$pid_b log=/tmp/b.log
wait_count "$before" '^CKLOOP pass=' 60 || { cat /tmp/b.log; fail "B stopped progressing after A's memory error"; }
echo "B kept progressing after A's memory error"
wait $pid_b
rc_b=$?
echo "--- A: POISONME, tinyvmm and memory failure lines"
grep -E 'POISONME (VICTIM|victim|RESULT|FAIL)|tinyvmm|Memory failure|DAXMEM' /tmp/a.log
echo "--- B: tinyvmm and CKLOOP summary"
grep -E '^(tinyvmm|CKLOOP (DONE|FAIL)|DAXMEM)' /tmp/b.log
[ $rc_a -eq 0 ] || fail "A's tinyvmm exited $rc_a"
grep -q "POISONME victim ended: signal 7 round=1" /tmp/a.log || fail "A's victim did not die of SIGBUS"
grep -q 'POISONME RESULT .* bystander=alive' /tmp/a.log || fail "A's bystander did not survive"
[ $rc_b -eq 0 ] || fail "B's tinyvmm exited $rc_b"
grep -q '^CKLOOP FAIL' /tmp/b.log && fail "B's ckloop reported a failure"
grep -q '^CKLOOP DONE ok' /tmp/b.log || fail "B's ckloop did not finish"
grep -qi 'memory error\|poison' /tmp/b.log && fail "B's VMM saw a memory error"
grep -q "^$hpa " /sys/bus/pdax/devices/$a/poison || fail "$a's poison list lacks $hpa"
[ -z "$(cat /sys/bus/pdax/devices/$b/poison 2>/dev/null)" ] || fail "$b has poison"
echo "memfail-multi: ok (A's memory error contained to A; B on $other unaffected)"
