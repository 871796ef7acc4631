#!/bin/sh
# vm-kernels: 6.12 6.1
# daxmemctl on real dax_hmem regions: create, list, destroy, --help, and the
# one-line errors for bad input (unknown region, size not a multiple of
# align, too little space, misaligned/overlapping/taken ranges, corrupt state
# file, a second writer holding the lock).
set -e
S=$DAXMEM_STATE
. /tests/vm/scripts/lib.inc

for c in list create destroy save restore check carve savings; do
	daxmemctl "$c" --help | grep -q "usage: daxmemctl $c" || fail "$c --help"
done
echo "ok: --help on every command"

daxmemctl list -R -u
# memmap= edits only the kernel's table: the firmware map still says RAM, so
# KVM (Intel or AMD) maps the carve write-back
[ "$(daxmemctl list -R -r 0 | jval kvm_memtype)" = wb ] || fail "kvm_memtype of the memmap= carve"
# a host whose firmware reports the range Soft Reserved (EFI_MEMORY_SP):
# on Intel that memory would run uncached, and list says so
fw=/tmp/fwmap-sp
rm -rf $fw && mkdir -p $fw/0
printf '0x100000000\n' >$fw/0/start
printf '0x1bfffffff\n' >$fw/0/end
echo "Soft Reserved" >$fw/0/type
out=$(DAXMEM_FIRMWARE_MEMMAP=$fw DAXMEM_CPU_VENDOR=GenuineIntel daxmemctl list -R -r 0)
[ "$(echo "$out" | jval kvm_memtype)" = uc ] || fail "kvm_memtype on a Soft Reserved firmware map: $out"
echo "$out" | jval kvm_memtype_warning | grep -q "uncached" || fail "no kvm_memtype_warning"
out=$(DAXMEM_FIRMWARE_MEMMAP=$fw DAXMEM_CPU_VENDOR=AuthenticAMD daxmemctl list -R -r 0)
[ "$(echo "$out" | jval kvm_memtype)" = wb ] || fail "kvm_memtype on AMD"
echo "ok: kvm_memtype wb for the memmap= carve, uc (with a warning) where Intel firmware says Soft Reserved"
# dax_hmem gave each region one device spanning it: hand the memory to daxmemctl
daxmemctl destroy dax0.0 dax1.0
avail=$(daxmemctl list -R -r 0 | jval allocatable_size)
echo "region0 allocatable after destroying dax0.0: $avail"
[ "$avail" = $((1 << 30)) ] || fail "region0 allocatable $avail"

out=$(daxmemctl create --region 0 --size 64M --name a --label "first device")
echo "$out"
dev=$(echo "$out" | jval chardev)
start=$(echo "$out" | jval start)
end=$(echo "$out" | jval end)
sys=/sys/bus/dax/devices/$dev
[ -c "/dev/$dev" ] || fail "/dev/$dev missing"
[ "$(cat "$sys/size")" = $((64 << 20)) ] || fail "kernel size $(cat "$sys/size")"
[ $(($(cat "$sys/mapping0/start"))) = "$start" ] || fail "mapping0/start differs"
[ $(($(cat "$sys/mapping0/end"))) = "$end" ] || fail "mapping0/end differs"
[ ! -e "$sys/mapping1" ] || fail "one range expected"
echo "ok: $dev = $(cat "$sys/mapping0/start")-$(cat "$sys/mapping0/end") as the kernel holds it"
daxpattern zero "/dev/$dev" 64M
daxmemctl list -d a -u | grep -q '"size": "64.00 MiB"' || fail "list -u"
daxmemctl list -d a | grep -q '"label": "first device"' || fail "label"
daxmemctl check

expect_error "not a multiple of align" daxmemctl create --region 0 --size 3M
expect_error "unknown region 7" daxmemctl create --region 7 --size 2M
expect_error "largest that fits is 960.00 MiB" daxmemctl create --region 0 --size 1G
expect_error "not aligned" daxmemctl create --region 0 --ranges 0x130001000+2M
expect_error "not overlapping" daxmemctl create --region 0 --ranges 0x130000000+4M,0x130200000+2M
expect_error "held by $dev" daxmemctl create --region 0 --ranges "$start+2M"
expect_error "already exists" daxmemctl create --region 0 --size 2M --name a
expect_error "want 4K, 2M or 1G" daxmemctl create --region 0 --size 2M --align 64K
expect_error "unknown device nosuch" daxmemctl destroy nosuch

# a torn state file is reported and never overwritten
cp "$S" /tmp/good.json
head -c 200 /tmp/good.json >"$S"
cp "$S" /tmp/torn.json
expect_error "is corrupt" daxmemctl create --region 0 --size 2M
expect_error "is corrupt" daxmemctl list
cmp "$S" /tmp/torn.json || fail "corrupt state file was modified"
grep -q "mv $S" /tmp/err || fail "no recovery hint"
cp /tmp/good.json "$S"
echo "ok: corrupt state left untouched, with a recovery hint"

# a second writer waits for the lock, bounded
# (the holder keeps it far longer than the bounded wait, and is stopped
# afterwards, so a slow machine cannot let the lock go too early)
lockhold "$S.lock" 60 >/tmp/lockhold &
holder=$!
while ! grep -q locked /tmp/lockhold; do sleep 0.1; done
expect_error "timed out after 700 ms" daxmemctl --lock-timeout 700 create --region 0 --size 2M
# and so does a reader: it never reads the kernel's devices during a change
expect_error "timed out after 700 ms" daxmemctl --lock-timeout 700 list
expect_error "timed out after 700 ms" daxmemctl --lock-timeout 700 check
kill $holder
wait $holder 2>/dev/null || true
out=$(daxmemctl --lock-timeout 5000 create --region 0 --size 2M --name waited)
echo "ok: lock wait bounded for writers and readers; after the holder left, create went through"
daxmemctl destroy waited

# 1 GiB pages: region1 starts at 5 GiB, so a 1 GiB-aligned device fits
t0=$(date +%s)
g=$(daxmemctl create --region 1 --size 1G --align 1G --name huge | jval chardev)
[ "$(cat /sys/bus/dax/devices/$g/align)" = $((1 << 30)) ] || fail "$g align"
[ $(($(cat /sys/bus/dax/devices/$g/mapping0/start) % (1 << 30))) -eq 0 ] || fail "$g start not 1G aligned"
echo "ok: $g 1 GiB at $(cat /sys/bus/dax/devices/$g/mapping0/start), align 1G, zeroed in $(($(date +%s) - t0)) s"
daxmemctl destroy huge

daxmemctl destroy a
[ ! -e "$sys" ] || fail "$sys still there"
expect_error "unknown device a" daxmemctl list -d a
avail=$(daxmemctl list -R -r 0 | jval allocatable_size)
[ "$avail" = $((1 << 30)) ] || fail "region0 allocatable $avail after destroy"
echo "daxmemctl-basic: ok"
