#!/bin/sh
# The daxmem story, run inside the testbed by `make demo`:
#   1. carve   - what a host would put on its kernel command line
#   2. regions - the carved RAM, Soft Reserved, as dax regions
#   3. device  - a dax device cut out of a region
# Each step prints what it shows; the demo stops at the first failure.
set -e
step() { printf '\n=== %s ===\n' "$*"; }

step "1. carve: reserve RAM at boot (this testbed booted with these arguments)"
tr ' ' '\n' < /proc/cmdline | grep '^memmap='
grep 'Soft Reserved' /proc/iomem
if daxmemctl carve --help >/dev/null 2>&1; then
	echo "daxmemctl carve plans the same for a host from its memory map:"
	daxmemctl carve --size 1G -u
fi

step "2. regions: dax_hmem turns Soft Reserved ranges into dax regions"
if command -v daxmemctl >/dev/null; then
	daxmemctl list --regions -u
else
	ls /sys/bus/dax/devices/
fi

step "3. device: a dax device, mapped by a VMM as guest RAM"
if command -v daxmemctl >/dev/null; then
	daxmemctl create --region 1 --size 512M --align 2M --name demo -u
	daxmemctl list -u
else
	for d in /sys/bus/dax/devices/dax*; do
		echo "$(basename "$d"): size $(cat "$d/size") align $(cat "$d/align")"
	done
fi
echo
echo "demo: ok"
