#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 600
# No struct page, no kernel mapping: for every page of both carved ranges,
# pfn_valid() is false and the direct map has no entry, and no present entry
# anywhere in the kernel half of the page tables (direct map, vmalloc and
# ioremap space, fixmap, modules) maps region memory: before and while
# devices are mapped, and before, during and after a KVM guest runs on one
# (the open's scrub included). A compound device gets struct pages while
# open (it is reported and skipped) and loses them again at close. User
# mappings are write-back with wb_memtype=Y (the default), uncached-minus
# with N, read from the mapping's own page-table entries.
set -eu
. /tests/vm/scripts/lib.inc
hmem_unbind
modprobe pdax
S=/sys/kernel/debug/pdax/selfcheck
# selfcheck_ok WHEN: the selfcheck passes, else show it and fail
selfcheck_ok() {
	out=$(cat $S)
	echo "$out" | grep -q '^selfcheck: ok' || { echo "$out"; fail "selfcheck $1"; }
}
cat $S
# PAT: each region is recorded write-back, so user mappings are not UC-
P=/sys/kernel/debug/x86/pat_memtype_list
if [ -r $P ]; then
	grep -E '0x0*1(0|4)0000000-' $P
	grep -E '0x0*140000000-0x0*1c0000000\] write-back' $P >/dev/null || fail "region1 not write-back in PAT"
fi
grep -q '^selfcheck: ok' $S || fail "selfcheck before mapping"
D=/sys/bus/pdax/devices
echo 512M > $D/pdax0.0/size
echo 1G > $D/pdax1.0/size
kmod-pdax map /dev/pdax0.0 512M 4096
kmod-pdax map /dev/pdax1.0 1G 4096
cat $S
grep -q '^selfcheck: ok' $S || fail "selfcheck after mapping"
[ "$(grep -c '^region.* ok$' $S)" = 2 ] || fail "want 2 regions checked"

echo 1 > /sys/bus/pdax/devices/region1/create
c=$(cat /sys/bus/pdax/devices/region1/seed)
echo compound > $D/$c/mode
echo 2M > $D/$c/align
echo 256M > $D/$c/size
sleep 60 < /dev/$c &
pid=$!
i=0 # the open scrubs, then builds the memmap: wait for it
while [ "$(cat $D/$c/vmemmap_bytes)" = 0 ] && [ $i -lt 50 ]; do sleep 1; i=$((i + 1)); done
echo "$c: mode $(cat $D/$c/mode) vmemmap_bytes $(cat $D/$c/vmemmap_bytes) (pageless would be 0; plain struct pages $(( (256 << 20) / 4096 * 64 )))"
cat $S
grep -q 'compound 65536' $S || fail "compound range not reported"
kill $pid; wait $pid 2>/dev/null || true
sleep 1
cat $S
grep -q '^selfcheck: ok' $S || fail "selfcheck after compound close"
grep -q 'compound 0 ' $S || fail "compound range still has struct pages"

# A guest on pdax0.0 (all of region0): before its open, while the open
# scrubs and while the guest runs ckloop, and after it powered off. KVM
# itself keeps one page of guest memory mapped while a vCPU has kvmclock
# enabled (its pfn cache of the guest's pvclock page, memremap()ed): the
# first guest may show that one 4K mapping, the second runs with
# no-kvmclock and must show none.
modprobe kvm_amd 2>/dev/null || true
if [ "$TESTBED_KERNEL" = 6.1 ]; then al=4096; else al=1G; fi
echo 0 > $D/pdax0.0/size
echo $al > $D/pdax0.0/align
echo 1G > $D/pdax0.0/size
selfcheck_ok "before the guest"
log=/tmp/selfcheck-guest.log
for clock in kvmclock no-kvmclock; do
	extra=
	[ $clock = no-kvmclock ] && extra=" no-kvmclock"
	tinyvmm --dax /dev/pdax0.0 --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
		--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4$extra guest.run=ckloop guest.args=10,64" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	checks=0 running=0 kvm_pages=0
	while kill -0 $pid 2>/dev/null; do
		out=$(cat $S)
		if ! echo "$out" | grep -q '^selfcheck: ok'; then
			# only the pvclock page, one 4K entry, and only with kvmclock
			n=$(echo "$out" | sed -n 's/^region0 .* kernel_map \([0-9]*\) .*/\1/p')
			if [ $clock = no-kvmclock ] || [ "$n" != 1 ] ||
			   ! echo "$out" | grep -q '^region0 kernel mapping: 4K entry' ||
			   echo "$out" | grep '^region1 ' | grep -qv ' ok$'; then
				echo "$out"
				fail "selfcheck while a $clock guest runs (check $checks)"
			fi
			[ $kvm_pages = 0 ] && echo "$out" | grep 'kernel mapping'
			kvm_pages=1
		fi
		checks=$((checks + 1))
		if grep -q '^CKLOOP pass=' "$log"; then
			running=$((running + 1))
			[ $running -ge 3 ] && break
		fi
		sleep 1
	done
	rc=0
	wait $pid || rc=$?
	echo "$clock guest: $checks selfchecks while tinyvmm ran, $running with ckloop running, KVM's pvclock page seen: $kvm_pages; tinyvmm exit $rc"
	[ $rc = 0 ] || { tail -n 20 "$log"; fail "tinyvmm exited $rc"; }
	grep -q '^CKLOOP DONE ok' "$log" || { tail -n 20 "$log"; fail "ckloop did not finish"; }
	[ $running -ge 1 ] || fail "no selfcheck while ckloop ran"
	selfcheck_ok "after the $clock guest"
done
cat $S

# PAT: user mappings of a region recorded write-back are write-back
kmod-pdax memtype /dev/pdax1.0 64M | tee /tmp/memtype-wb
grep -q '^memtype: region1 wb 67108864 uc- 0 other 0 poisoned 0$' /tmp/memtype-wb ||
	fail "wb_memtype=Y: a user mapping is not write-back"
rmmod pdax

# wb_memtype=N: nothing recorded, user mappings are uncached-minus
modprobe pdax wb_memtype=N
if [ -r $P ] && grep -E '0x0*1(0|4)0000000-' $P; then
	fail "wb_memtype=N: a region is recorded in PAT"
fi
echo 64M > $D/pdax1.0/size
kmod-pdax memtype /dev/pdax1.0 64M | tee /tmp/memtype-uc
grep -q '^memtype: region1 wb 0 uc- 67108864 other 0 poisoned 0$' /tmp/memtype-uc ||
	fail "wb_memtype=N: a user mapping is not uncached-minus"
selfcheck_ok "with wb_memtype=N"
rmmod pdax
echo "kmod-selfcheck: ok"
