#!/bin/sh
# vm-kernels: 6.12 6.1
# save / restore on real dax_hmem regions. A preserved device made of two
# ranges in reverse address order and a plain device are written through
# mmap, saved, destroyed, restored: the preserved one comes back with the
# same ranges in the same order and the same bytes, the plain one comes back
# zeroed. Restore refuses, naming the holder, when a recorded range is taken.
# The kernel hands device-dax memory over as it is (a device created over old
# data reads that data), which is why daxmemctl zeroes every device it
# creates, and every device it restores unless it is preserved.
set -e
. /tests/vm/scripts/lib.inc
check_p_ranges() { # DEV
	s=/sys/bus/dax/devices/$1
	[ "$(cat $s/mapping0/start)" = 0x104000000 ] || fail "$1 mapping0 $(cat $s/mapping0/start)"
	[ "$(cat $s/mapping1/start)" = 0x100000000 ] || fail "$1 mapping1 $(cat $s/mapping1/start)"
	[ $(($(cat $s/mapping1/page_offset))) -eq $((32 << 20 >> 12)) ] || fail "$1 mapping1 page_offset"
	echo "ok: $1 ranges 0x104000000 (page_offset 0), 0x100000000 (page_offset $(cat $s/mapping1/page_offset))"
}
PR=0x104000000+32M,0x100000000+32M
count_devs() {
	ls -d /sys/bus/dax/devices/dax* | while read -r d; do
		[ "$(cat "$d/size")" != 0 ] && echo "$d"
	done | wc -l
}

daxmemctl destroy dax0.0 dax1.0
daxmemctl create --region 0 --ranges $PR --preserve --name p --label "guest memory" >/dev/null
daxmemctl create --region 1 --size 64M --name q >/dev/null
p=$(chardev_of p)
q=$(chardev_of q)
check_p_ranges "$p"
daxpattern write "/dev/$p" 64M 7
daxpattern write "/dev/$q" 64M 9
daxmemctl save -o /tmp/saved.json
daxmemctl save
grep -q '"preserved": true' /tmp/saved.json || fail "saved document lacks the preserved flag"

# q vanishes behind daxmemctl's back (as across a reboot): check reports it
# missing, and restore from the state file rebuilds it, zeroed
D=/sys/bus/dax/devices/$q
echo "$q" >$D/driver/unbind
echo 0 >$D/size
echo "$q" >/sys/bus/dax/devices/$q/../dax_region/delete
if daxmemctl check >/tmp/check.json; then
	fail "check passed with q gone"
fi
grep -B2 '"status": "missing"' /tmp/check.json | grep -q '"name": "q"' || fail "check did not report q missing"
daxmemctl list -d q | grep -q '"present": false' || fail "q not listed as absent"
daxmemctl restore | grep -q '"restored": true' || fail "restore from the state file"
q=$(chardev_of q)
daxpattern zero "/dev/$q" 64M || fail "q not zeroed"
daxmemctl check >/dev/null || fail "check after restore"
echo "ok: check reported q missing, restore rebuilt it from the state file"

daxmemctl destroy p q
[ "$(count_devs)" -eq 0 ] || fail "devices left after destroy"
daxmemctl restore -i /tmp/saved.json >/tmp/restored.json
cat /tmp/restored.json
[ "$(grep -c '"restored": true' /tmp/restored.json)" -eq 2 ] || fail "not both restored"
p=$(chardev_of p)
q=$(chardev_of q)
check_p_ranges "$p"
daxpattern verify "/dev/$p" 64M 7 || fail "preserved contents lost"
daxpattern zero "/dev/$q" 64M || fail "restored plain device not zeroed"
daxmemctl list -d p | grep -q '"label": "guest memory"' || fail "label lost"
daxmemctl check
# restoring again changes nothing
daxmemctl restore -i /tmp/saved.json | grep -q '"restored": false' || fail "second restore"
echo "ok: second restore is a no-op"

# the kernel does not zero: a device made over p's old ranges with plain
# device-dax sysfs (what `daxctl create-device --input` does) reads p's bytes
daxmemctl destroy p
rd=$(readlink -f /sys/bus/dax/devices/dax0.0/..)/dax_region
echo 1 >"$rd/create"
k=$(cat "$rd/seed")
echo 0x104000000-0x105ffffff >/sys/bus/dax/devices/$k/mapping
echo 0x100000000-0x101ffffff >/sys/bus/dax/devices/$k/mapping
echo "$k" >/sys/bus/dax/drivers/device_dax/new_id 2>/dev/null || true
[ -e /sys/bus/dax/drivers/device_dax/$k ] || echo "$k" >/sys/bus/dax/drivers/device_dax/bind
if daxpattern verify "/dev/$k" 64M 7; then
	echo "ok: device-dax handed the old contents to a new device (so daxmemctl must zero)"
else
	echo "note: this kernel zeroed device-dax memory on reassignment"
fi
daxmemctl destroy "$k"
# a new device is zeroed even when it is to be preserved from now on
daxmemctl create --region 0 --ranges $PR --preserve --name r >/dev/null
r=$(chardev_of r)
daxpattern zero "/dev/$r" 64M || fail "new preserved device not zeroed"
echo "ok: a new preserved device starts zeroed"
# a recorded range is taken: restore refuses, names the holder, creates nothing
before=$(count_devs)
if daxmemctl restore -i /tmp/saved.json 2>/tmp/err; then
	fail "restore over a taken range succeeded"
fi
cat /tmp/err
grep -q "held by $r" /tmp/err || fail "conflict not named"
[ "$(wc -l </tmp/err)" -eq 1 ] || fail "more than one error line"
[ "$(count_devs)" -eq "$before" ] || fail "restore created devices before refusing"
echo "ok: restore refused, nothing created"

# a new plain device over memory that held data reads zeros
daxmemctl destroy r
daxmemctl create --region 0 --ranges $PR --name n >/dev/null
n=$(chardev_of n)
daxpattern zero "/dev/$n" 64M || fail "new device not zeroed"
daxmemctl destroy n >/dev/null

# A create killed between writing ranges and enabling leaves a disabled
# seed holding them; `save` records it. A restore (or create) that needs the
# seed then keeps those ranges: it enables the recorded device and takes
# the next seed, where reclaiming would drop a recorded device.
R=$(readlink -f /sys/bus/dax/devices/dax0.0/..)/dax_region
daxmemctl create --region 0 --size 4M --name m >/dev/null
m=$(chardev_of m)
echo 1 > "$R/create" 2>/dev/null || true
seed=$(cat "$R/seed")
echo $((8 << 20)) > "/sys/bus/dax/devices/$seed/size"
seedrange="$(cat /sys/bus/dax/devices/$seed/mapping0/start)-$(cat /sys/bus/dax/devices/$seed/mapping0/end)"
[ -e "/sys/bus/dax/devices/$seed/driver" ] && fail "seed $seed bound"
daxmemctl save >/dev/null
rec=$(daxmemctl list | grep -c "\"chardev\": \"$seed\"")
[ "$rec" = 1 ] || fail "save did not record the seed $seed"
# m goes away behind daxmemctl's back: restore has to build it again
echo "$m" > "/sys/bus/dax/devices/$m/driver/unbind"
echo 0 > "/sys/bus/dax/devices/$m/size"
echo "$m" > "$R/delete"
daxmemctl check >/dev/null 2>&1 && fail "check passed with m missing"
daxmemctl restore >/dev/null || fail "restore with a recorded seed"
daxmemctl check >/dev/null || { daxmemctl check; fail "check after the restore"; }
[ "$(cat /sys/bus/dax/devices/$seed/mapping0/start)-$(cat /sys/bus/dax/devices/$seed/mapping0/end)" = "$seedrange" ] ||
	fail "the recorded seed $seed lost its range $seedrange"
[ -e "/sys/bus/dax/devices/$seed/driver" ] || fail "recorded seed $seed not enabled"
[ -c "/dev/$(chardev_of m)" ] || fail "m not rebuilt"
echo "ok: restore kept the recorded seed $seed ($seedrange), enabled it, rebuilt m as $(chardev_of m)"
# the same for create
echo 1 > "$R/create" 2>/dev/null || true
seed2=$(cat "$R/seed")
echo $((2 << 20)) > "/sys/bus/dax/devices/$seed2/size"
seed2range="$(cat /sys/bus/dax/devices/$seed2/mapping0/start)-$(cat /sys/bus/dax/devices/$seed2/mapping0/end)"
daxmemctl save >/dev/null
daxmemctl create --region 0 --size 2M --name after >/dev/null || fail "create with a recorded seed"
[ "$(cat /sys/bus/dax/devices/$seed2/mapping0/start)-$(cat /sys/bus/dax/devices/$seed2/mapping0/end)" = "$seed2range" ] ||
	fail "create took the recorded seed's range"
daxmemctl check >/dev/null || { daxmemctl check; fail "check after create"; }
echo "ok: create kept the recorded seed $seed2 ($seed2range)"
echo "daxmemctl-restore: ok"
