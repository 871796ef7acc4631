#!/bin/sh
# vm-kernels: 6.12 6.1
# GUP and VMA paths on pdax mappings, each with its documented result
# (docs/kmod.md): vmsplice, process_vm_readv, O_DIRECT read, ptrace
# PEEKDATA, fork, mremap, partial munmap, mprotect. Pageless mappings refuse
# pinning with EFAULT; compound mappings allow it. No Oops or WARNING.
set -eu
. /tests/vm/scripts/lib.inc
# O_DIRECT reads from a RAM disk when the testbed has brd
if modprobe brd rd_nr=1 rd_size=8192 2>/dev/null; then blk=/dev/ram0; else blk=-; echo "brd not available: O_DIRECT row skipped"; fi
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices
if [ "$TESTBED_KERNEL" = 6.1 ]; then pageless="4096"; else pageless="1073741824 2097152 4096"; fi
for al in $pageless; do
	echo 1 > $R/create
	dev=$(cat $R/seed)
	echo $al > $D/$dev/align
	echo $((2 * al)) > $D/$dev/size
	echo "== $dev pageless align $al"
	kmod-pdax gup /dev/$dev $al pageless $blk || fail "$dev pageless"
	echo $dev > $R/delete
done
echo 1 > $R/create
dev=$(cat $R/seed)
echo compound > $D/$dev/mode
echo 2M > $D/$dev/align
echo 8M > $D/$dev/size
echo "== $dev compound align 2M"
kmod-pdax gup /dev/$dev 2097152 compound $blk || fail "$dev compound"
rmmod pdax
echo "kmod-gup: ok"
