#!/bin/sh
# vm-kernels: 6.12 6.1
# daxmemctl reconfigure-region: the 2 GiB range at 5G goes from dax_hmem to
# pdax (loading the module) and back; refused while a device of it is open
# or recorded; restore after rmmod pdax, and after dax_hmem took the range
# back as at boot, hands it to pdax again and reassembles a preserved
# device with its bytes; bad input gives one error line.
set -e
. /tests/vm/scripts/lib.inc
S=0x140000000
ST=${DAXMEM_STATE:-/var/lib/daxmem/state.json}
rc() { daxmemctl reconfigure-region "$@"; }
backend_rec() { # the backend recorded for S in the state file
	tr -d ' \n' <"$ST" | sed -n "s/.*\"backends\":\[[^]]*{\"start\":$((S)),\"end\":[0-9]*,\"backend\":\"\([a-z]*\)\".*/\1/p"
}
hmem_at() { # the hmem device whose dax device starts at S
	for hd in /sys/bus/platform/drivers/hmem/hmem.*; do
		grep -qx "$S" "$hd"/dax*/resource 2>/dev/null && basename "$hd" && return 0
	done
	return 1
}

bind_devdax_all
rmmod pdax 2>/dev/null || :
h=$(hmem_at) || fail "no hmem device holds $S"
d=$(basename "$(dirname "$(grep -lx "$S" /sys/bus/platform/drivers/hmem/$h/dax*/resource)")")
echo "  $S: $h, /dev/$d"

# bad input: one error line each
expect_error "no Soft Reserved range starts at 0x150000000" rc 0x150000000 --backend pageless
expect_error "unknown backend 'kmem'" rc $S --backend kmem
expect_error "bad start address 'zz'" rc zz --backend pageless
expect_error "backend pageless|devdax is required" rc $S

# a device-dax device of the range open by a process
sleep 1000 <"/dev/$d" &
pid=$!
sleep 1
expect_error "/dev/$d is in use (open by pid $pid)" rc $S --backend pageless
kill $pid
wait $pid 2>/dev/null || :
[ -c "/dev/$d" ] || fail "/dev/$d gone after a refusal"

# dax_hmem -> pdax, loading the module
rc $S --backend pageless >/tmp/r
cat /tmp/r
[ "$(jval backend </tmp/r)" = pageless ] || fail "not pageless after reconfigure"
[ "$(jval start </tmp/r)" = $((S)) ] || fail "region start"
[ -d /sys/bus/pdax ] || fail "pdax not loaded"
[ ! -e "/sys/bus/platform/drivers/hmem/$h" ] || fail "$h still bound to dax_hmem"
[ "$(backend_rec)" = pageless ] || fail "choice not recorded: $(cat $ST)"
rc $S --backend pageless | jval backend | grep -qx pageless || fail "second reconfigure"
id=$(jval id </tmp/r)

# a preserved device on it: refused while open, then while recorded
p=$(daxmemctl create --backend pageless --region "$id" --name P --size 64M --preserve | jval chardev)
daxpattern write "/dev/$p" 64M 17
sleep 1000 <"/dev/$p" &
pid=$!
sleep 1
expect_error "/dev/$p is in use (open by pid $pid)" rc $S --backend devdax
kill $pid
wait $pid 2>/dev/null || :
expect_error "device P ($p) is recorded in $ST" rc $S --backend devdax
[ "$(daxmemctl list -d P | jval backend)" = pageless ] || fail "P moved by a refusal"

# rmmod pdax: restore loads it, the range is pdax's again, P comes back whole
rmmod pdax
[ ! -d /sys/bus/pdax ] || fail "pdax still loaded"
daxmemctl restore >/dev/null
[ -d /sys/bus/pdax ] || fail "restore did not load pdax"
p=$(chardev_of P)
[ -c "/dev/$p" ] || fail "P not reassembled after rmmod"
daxpattern verify "/dev/$p" 64M 17 || fail "P lost its bytes across rmmod + restore"
echo "  after rmmod pdax + restore: P is /dev/$p, bytes kept"

# as after a reboot: dax_hmem holds the range; restore hands it to pdax first
rmmod pdax
echo "$h" >/sys/bus/platform/drivers/hmem/bind
hmem_at >/dev/null || fail "dax_hmem did not take $S back"
modprobe pdax
daxmemctl restore >/dev/null
[ ! -e "/sys/bus/platform/drivers/hmem/$h" ] || fail "restore left $S with dax_hmem"
p=$(chardev_of P)
[ -c "/dev/$p" ] || fail "P not reassembled after dax_hmem held the range"
daxpattern verify "/dev/$p" 64M 17 || fail "P lost its bytes when dax_hmem held the range"
echo "  after dax_hmem held the range + restore: P is /dev/$p, bytes kept"

# pdax -> dax_hmem
daxmemctl destroy P
rc $S --backend devdax -u >/tmp/r
cat /tmp/r
[ "$(jval backend </tmp/r)" = devdax ] || fail "not devdax after reconfigure"
[ "$(hmem_at)" = "$h" ] || fail "$h not bound back to dax_hmem"
[ "$(backend_rec)" = devdax ] || fail "devdax not recorded: $(cat $ST)"
daxmemctl restore >/dev/null
[ "$(hmem_at)" = "$h" ] || fail "restore moved a devdax range"
rmmod pdax
echo "daxmemctl-reconfigure: ok"
