#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 300
# The freestanding test guest writes and verifies two patterns over every
# 8-byte word of a 1 GiB guest RAM (all e820 RAM and reserved ranges; only
# its own image is skipped), booted by tinyvmm through the bzImage path, on
# kernel device-dax and on a pageless pdax device at 1 GiB align. It leaves
# through the debug exit port, which tinyvmm only honours with --debug-exit;
# without it the guest cannot choose tinyvmm's exit status.
. /tests/vm/scripts/vmm-lib.inc
for backend in devdax pdax; do
	if [ $backend = devdax ]; then
		dev=$(vmm_dax_dev 1073741824)
	else
		dev=$(vmm_pdax_dev 1G)
	fi
	log=/tmp/memtest-$backend.log
	t0=$(vmm_ms)
	tinyvmm --debug-exit --dax "$dev" --kernel /guest/memtest --cmdline "" </dev/null >"$log" 2>&1
	rc=$?
	t1=$(vmm_ms)
	cat "$log"
	echo "memtest on $dev: exit $rc after $((t1 - t0)) ms"
	[ $rc -eq 0 ] || vmm_fail "memtest guest exited $rc on $dev"
	line=$(grep '^MEMTEST PASS' "$log") || vmm_fail "no MEMTEST PASS line on $dev"
	tested=$(echo "$line" | sed 's/.*tested_bytes=\([0-9]*\).*/\1/')
	skipped=$(echo "$line" | sed 's/.*skipped_bytes=\([0-9]*\).*/\1/')
	echo "$dev: tested $tested + skipped $skipped bytes of 1073741824"
	[ $((tested + skipped)) -eq 1073741824 ] ||
		vmm_fail "tested and skipped bytes do not add up to 1 GiB on $dev"
	[ "$skipped" -le 1048576 ] || vmm_fail "skipped more than 1 MiB on $dev"
done
echo "faults on pdax0.0: 4k=$(cat /sys/bus/pdax/devices/pdax0.0/faults_4k)" \
	"2m=$(cat /sys/bus/pdax/devices/pdax0.0/faults_2m)" \
	"1g=$(cat /sys/bus/pdax/devices/pdax0.0/faults_1g)"

# Without --debug-exit the port is an unclaimed one: tinyvmm keeps running.
# Last, as the test guest counts in its .bss and expects RAM that is zero.
dev=$(vmm_dax_dev 1073741824)
log=/tmp/memtest-noexit.log
# stderr apart: the console reaches stdout through tinyvmm's ring, later
tinyvmm --dax "$dev" --mem 64M --kernel /guest/memtest --cmdline "" </dev/null >"$log" 2>"$log.err" &
pid=$!
wait_log '^MEMTEST PASS' 600
sleep 3
kill -0 $pid 2>/dev/null || { cat "$log" "$log.err"; vmm_fail "the guest ended tinyvmm through the debug exit port without --debug-exit"; }
kill $pid
wait $pid
grep 'debug exit\|0x501' "$log.err"
grep -q 'unhandled I/O: out port 0x501' "$log.err" || vmm_fail "the write to port 0x501 was not counted as unhandled"
echo "without --debug-exit: the guest's write to 0x501 is ignored and counted"

echo "vmm-memtest: ok"
