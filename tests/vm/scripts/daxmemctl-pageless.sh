#!/bin/sh
# vm-kernels: 6.12 6.1
# daxmemctl over the pageless backend (pdax), side by side with device-dax:
# region ids clash across backends, placement over fragments matches pdax's
# mappingN, non-preserved devices come zeroed by pdax's scrub, a preserved
# two-range device survives save/destroy/restore with its bytes, and
# compound mode is passed through.
set -e
. /tests/vm/scripts/lib.inc
pl() { # create on the pageless region 0: NAME ARGS...
	n=$1
	shift
	daxmemctl create --backend pageless --region 0 --name "$n" "$@" | jval chardev
}

# device-dax owns both carved ranges once device_dax binds its devices
bind_devdax_all
modprobe pdax
daxmemctl reconfigure-region 0x140000000 --backend pageless
daxmemctl list -R -u
[ "$(daxmemctl list -R -b pageless | jval start)" = $((0x140000000)) ] || fail "pageless region start"
expect_error "exists in both backends" daxmemctl create --region 0 --size 2M

a=$(pl A --size 32M)
b=$(pl B --size 16M)
c=$(pl C --size 32M)
# the bulk of the region, preserved from now on (zeroed once, as every new device)
e=$(pl E --size 1920M --preserve)
[ -c "/dev/$a" ] || fail "/dev/$a missing"
[ "$(cat /sys/bus/pdax/devices/$e/preserved)" = 1 ] || fail "E not preserved in pdax"
daxmemctl destroy B
# holes: 16 MiB at 0x142000000 and 48 MiB at 0x1bd000000; D is larger than either
d=$(pl D --size 64M)
s=/sys/bus/pdax/devices/$d
for m in 0 1; do
	echo "  $d mapping$m: $(cat $s/mapping$m/start)-$(cat $s/mapping$m/end) page_offset $(cat $s/mapping$m/page_offset)"
done
[ ! -e $s/mapping2 ] || fail "D has more than 2 ranges"
[ "$(cat $s/mapping0/start)" = 0x142000000 ] || fail "D mapping0"
[ "$(cat $s/mapping1/start)" = 0x1bd000000 ] || fail "D mapping1"
[ "$(cat $s/mapping1/end)" = 0x1bfffffff ] || fail "D mapping1 end"
[ $(($(cat $s/mapping1/page_offset))) -eq 4096 ] || fail "D mapping1 page_offset"
echo "ok: D = 16 MiB hole + 48 MiB tail, as pdax holds it"
echo "  D scrub: $(cat $s/scrub)"
cat $s/scrub | grep -q '^done' || fail "D not scrubbed"
daxpattern zero "/dev/$d" 64M
daxmemctl destroy A C D E

# preserved, two ranges in reverse order: save, destroy, restore
p=$(pl P --ranges 0x141000000+16M,0x140000000+16M --preserve)
daxpattern write "/dev/$p" 32M 11
q=$(pl Q --size 32M)
daxpattern write "/dev/$q" 32M 12
daxmemctl save -o /tmp/saved.json
daxmemctl destroy P Q
daxmemctl restore -i /tmp/saved.json >/tmp/restored.json
[ "$(grep -c '"restored": true' /tmp/restored.json)" -eq 2 ] || fail "not both restored"
p=$(chardev_of P)
q=$(chardev_of Q)
s=/sys/bus/pdax/devices/$p
[ "$(cat $s/mapping0/start)" = 0x141000000 ] || fail "P mapping0 after restore"
[ "$(cat $s/mapping1/start)" = 0x140000000 ] || fail "P mapping1 after restore"
echo "  P scrub: $(cat $s/scrub)"
daxpattern verify "/dev/$p" 32M 11 || fail "preserved contents lost"
daxpattern zero "/dev/$q" 32M || fail "restored plain device not zeroed"
echo "ok: pageless save/restore kept P's bytes and zeroed Q"
daxmemctl check
daxmemctl destroy P Q

# compound mode
k=$(pl K --size 32M --mode compound)
[ "$(cat /sys/bus/pdax/devices/$k/mode)" = compound ] || fail "mode not compound"
daxmemctl list -d K | grep -q '"mode": "compound"' || fail "list mode"
daxpattern zero "/dev/$k" 32M
expect_error "not available in backend devdax" daxmemctl create --backend devdax --region 0 --size 2M --mode compound
daxmemctl destroy K
[ "$(daxmemctl list -R -b pageless | jval allocatable_size)" = $((2 << 30)) ] || fail "region not empty"

# a page pdax reports poisoned is never handed out, is recorded, and is
# handed back to pdax by restore after the module forgot it
R=/sys/bus/pdax/devices/region0
echo 0x150000000 >$R/poison
[ "$(daxmemctl list -R -b pageless | jval allocatable_size)" = $(((2 << 30) - 4096)) ] ||
	fail "poisoned page still allocatable"
expect_error "poisoned at 0x150000000" daxmemctl create --backend pageless --region 0 --ranges 0x150000000+2M
daxmemctl save
grep -q '"start": 5637144576' "$DAXMEM_STATE" || fail "poisoned page not recorded"
daxmemctl list -R -b pageless -u | sed -n '/"poison"/,/]/p' >/tmp/poison
cat /tmp/poison
grep -q '"start": "0x150000000"' /tmp/poison && grep -q '"end": "0x150000fff"' /tmp/poison ||
	fail "daxmemctl list does not show the poisoned page"
rmmod pdax
modprobe pdax
[ -z "$(cat $R/poison)" ] || fail "pdax kept its poison list across reload"
daxmemctl -v restore >/dev/null 2>/tmp/err
cat /tmp/err
grep -qi "0x150000000" $R/poison || fail "restore did not hand the poisoned page back"
echo "ok: poisoned page 0x150000000 recorded and restored into pdax"
echo "daxmemctl-pageless: ok"
