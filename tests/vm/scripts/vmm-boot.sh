#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# tinyvmm boots the L2 Debian kernel with the busybox initramfs with its
# default command line: on a device-dax device with 1 vCPU, then 2 vCPUs
# (the guest must see both), then on a pageless pdax device (1 GiB align).
# The guest's /init prints a marker and reboots; tinyvmm must exit 0, and
# the guest kernel must log no WARNING (a CPUID the guest finds
# inconsistent, e.g. the XSAVE layout of leaf 0xD, shows up as one).
# Prints boot time and unhandled port exits.
. /tests/vm/scripts/vmm-lib.inc
devdax=$(vmm_dax_dev 1073741824)
echo "device: $devdax ($(vmm_dev_size "$devdax") bytes, align $(vmm_dev_align "$devdax"))"

for run in devdax:1 devdax:2 pdax:1; do
	cpus=${run#*:}
	if [ "${run%:*}" = devdax ]; then
		dev=$devdax
	else
		dev=$(vmm_pdax_dev 1G)
	fi
	log=/tmp/boot-${run%:*}-$cpus.log
	t0=$(vmm_ms)
	tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus $cpus \
		</dev/null >"$log" 2>&1
	rc=$?
	t1=$(vmm_ms)
	echo "--- $dev cpus=$cpus: exit $rc after $((t1 - t0)) ms; console tail:"
	tail -n 15 "$log"
	grep -q 'tinyvmm: unhandled exits' "$log" || echo "unhandled exits: none"
	[ $rc -eq 0 ] || vmm_fail "tinyvmm exited $rc with --cpus $cpus"
	grep -q "DAXMEM-GUEST-INIT-OK cpus=$cpus " "$log" || vmm_fail "no init marker with cpus=$cpus"
	grep -q "DAXMEM-GUEST-POWEROFF" "$log" || vmm_fail "guest did not reach its poweroff"
	if grep -qE 'WARNING:|-----\[ cut here' "$log"; then
		grep -E -A 12 'WARNING:|-----\[ cut here' "$log" | head -n 40
		vmm_fail "the guest kernel logged a WARNING with --cpus $cpus on $dev"
	fi
	echo "boot-to-exit on $dev with $cpus vCPU(s): $((t1 - t0)) ms"
done
echo "vmm-boot: ok"
