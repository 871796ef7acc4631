#!/bin/sh
# vm-args: --timeout 900
# The daxmem story, end to end, run inside the testbed by `make demo`:
#   1. carve    - plan the kernel arguments that take RAM away from the kernel
#   2. regions  - the carved RAM, Soft Reserved, as dax regions
#   3. create   - a dax device cut out of a region, zeroed for its new owner
#   4. boot     - tinyvmm boots Linux on that device with raw KVM ioctls
#   5. restart  - tinyvmm replaces itself while the guest keeps running
#   6. savings  - the struct page memory this layout does not spend
# The demo stops at the first step that fails.
set -e
step() { printf '\n=== %s ===\n' "$*"; }
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

step "1. carve: plan 16 GiB per NUMA node for a two-node server (its saved memory map)"
daxmemctl carve 16G --from /examples/memory-maps/two-node-server.iomem \
	--nodes /examples/memory-maps/two-node-server.nodes -u
echo
echo "this testbed was booted with:"
tr ' ' '\n' < /proc/cmdline | grep '^memmap='
grep 'Soft Reserved' /proc/iomem

step "2. regions: dax_hmem turned the Soft Reserved ranges into dax regions"
daxmemctl list --regions -u

step "3. create: a 1 GiB device with 2 MiB alignment for a guest"
echo "dax_hmem's seed device spans region 1; give its memory to daxmemctl:"
daxmemctl destroy dax1.0
out=$(daxmemctl create --region 1 --size 1G --align 2M --name demo-vm)
echo "$out"
dev=/dev/$(echo "$out" | sed -n 's/.*"chardev" *: *"\([^"]*\)".*/\1/p' | head -1)
[ -c "$dev" ] || { echo "demo: no chardev in daxmemctl's answer"; exit 1; }
echo "guest memory: $dev"

step "4. boot: tinyvmm boots Debian's kernel on $dev (nested KVM in this testbed)"
log=/tmp/demo-guest.log sock=/tmp/demo.sock
t0=$(ms)
tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "console=ttyS0 reboot=k panic=-1 loglevel=4 guest.run=ckloop" \
	</dev/null >"$log" 2>&1 &
pid=$!
i=0
until grep -q '^CKLOOP pass=' "$log"; do
	i=$((i + 1)); [ $i -lt 1800 ] || { cat "$log"; echo "demo: guest did not start"; exit 1; }
	kill -0 $pid 2>/dev/null || { cat "$log"; echo "demo: tinyvmm exited"; exit 1; }
	sleep 0.1
done
grep -m1 DAXMEM-GUEST-INIT-OK "$log"
echo "guest is running a checksum loop $(( $(ms) - t0 )) ms after tinyvmm started"

step "5. restart: replace tinyvmm in place; guest memory is neither copied nor scrubbed"
before=$(grep -c '^CKLOOP pass=' "$log")
tinyvmm ctl "$sock" restart
i=0
while [ "$(grep -c '^CKLOOP pass=' "$log")" -le "$before" ]; do
	i=$((i + 1)); [ $i -lt 600 ] || { cat "$log"; echo "demo: no progress after restart"; exit 1; }
	sleep 0.1
done
echo "the guest kept running after the restart:"
grep '^CKLOOP pass=' "$log" | tail -2
wait $pid
grep -E '^CKLOOP DONE|DAXMEM-GUEST-POWEROFF' "$log"
echo "tinyvmm exited 0 when the guest powered off"

step "6. savings: struct page memory per mode, per host size"
daxmemctl savings 1T -u

daxmemctl destroy demo-vm >/dev/null
printf '\ndemo: ok\n'
