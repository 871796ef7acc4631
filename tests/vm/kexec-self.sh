#!/bin/sh
# kexec the testbed into a kernel (default: the same one) with its own root
# file system repacked as the initramfs, so the same /test/script runs again
# after the kexec with testbed.phase=N on the kernel command line.
#   /tests/vm/kexec-self.sh PHASE [KERNEL]
# Prints the time to prepare the kexec; does not return on success.
set -e
phase=$1
kernel=${2:-/guest/bzImage}
[ -n "$phase" ] || { echo "usage: kexec-self.sh PHASE [KERNEL]" >&2; exit 2; }
t0=$(cut -d' ' -f1 /proc/uptime)
cd /
find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./run \) \
	-print -prune -o -print | cpio -o -H newc > /tmp/kexec-self.cpio 2>/dev/null
cmdline=$(sed 's/ testbed\.phase=[0-9]*//' /proc/cmdline)
kexec -l "$kernel" --initrd=/tmp/kexec-self.cpio --command-line="$cmdline testbed.phase=$phase"
t1=$(cut -d' ' -f1 /proc/uptime)
echo "kexec-self: loaded $(basename "$kernel") for phase $phase in $(awk "BEGIN{print ($t1 - $t0) * 1000}") ms"
sync
kexec -e
echo "kexec-self: kexec -e returned" >&2
exit 1
