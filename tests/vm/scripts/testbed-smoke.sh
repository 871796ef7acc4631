#!/bin/sh
# vm-kernels: 6.12 6.1
# The testbed itself: KVM works, the carve made Soft Reserved ranges, and
# dax_hmem turned them into dax regions with one device each.
set -e
echo "kernel $(uname -r)"
kvm-hlt
n=$(grep -c ': Soft Reserved' /proc/iomem)
echo "soft reserved ranges: $n"
grep ': Soft Reserved' /proc/iomem
[ "$n" -eq 2 ] || { echo "expected 2 Soft Reserved ranges"; exit 1; }
grep -q '^ *100000000-13fffffff : Soft Reserved' /proc/iomem
grep -q '^ *140000000-1bfffffff : Soft Reserved' /proc/iomem
regions=$(ls -d /sys/bus/dax/devices/dax*.0 | wc -l)
echo "dax regions with a device: $regions"
[ "$regions" -eq 2 ]
total=0
for d in /sys/bus/dax/devices/dax*.0; do
	sz=$(cat "$d/size")
	echo "$(basename "$d"): size $sz align $(cat "$d/align" 2>/dev/null || echo n/a) start $(cat "$d/mapping0/start" 2>/dev/null || echo n/a)"
	total=$((total + sz))
	[ -c "/dev/$(basename "$d")" ]
done
[ "$total" -eq $((3 << 30)) ] || { echo "dax devices total $total, want 3 GiB"; exit 1; }
echo "testbed smoke: ok"
