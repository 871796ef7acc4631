#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 1500
# Host kernel live update: a Linux guest on a preserved pageless device runs
# ckloop for 150 s of guest time (running checksum over 64 MiB, clocks never
# backwards: long enough to outlast a slow kexec load); the host
# follows examples/host-live-update.sh: tinyvmm saves and exits, daxmemctl
# writes the state into the metadata device inside the carve, the testbed
# kexecs into the same kernel with the same carve, and the new kernel
# restores the devices and the guest from that device alone (the state
# file lives in /tmp, which does not survive the kexec). After it: the
# guest resumes where it was (no second boot, no checksum failure) and
# finishes; a pattern in a preserved device of each backend is intact (no
# scrub); a non-preserved device of each backend reads zeros; a second
# restore from the same metadata is refused. Then a kexec without the 2 GiB
# carve: the metadata is refused as belonging to another carve. Bad input
# to daxmemctl liveupdate is checked before the first kexec.
# LU_KEXEC_KERNEL (environment) names the kernel of the first kexec
# (default: the running one); liveupdate-kexec-cross.sh sets it.
. /tests/vm/scripts/vmm-lib.inc
export DAXMEM_STATE=/tmp/daxmem-state.json
META=0x13fe00000+2M
DIR=/run/daxmem/liveupdate
CONSOLE=/tmp/lu-console
SOCK=/run/vm0.sock
phase=$(sed -n 's/.*testbed\.phase=\([0-9]*\).*/\1/p' /proc/cmdline)
KX=${LU_KEXEC_KERNEL:-/guest/bzImage}
[ -f "$KX" ] || vmm_fail "no kernel $KX to kexec into"

# last up_ms ckloop printed in console file $1
last_up() {
	tr -d '\r' < "$1" | sed -n 's/^CKLOOP pass=.* up_ms=\([0-9]*\).*/\1/p' | tail -n 1
}

# /tmp/kload.sh PHASE [SED]: load KERNEL with the root file system
# repacked as its initramfs, the command line edited by SED, testbed.phase=PHASE
write_kload() { # KERNEL
	echo "k=$1" > /tmp/kload.sh
	cat >> /tmp/kload.sh <<'EOF'
cd /
find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./run \) \
	-print -prune -o -print | cpio -o -H newc > /tmp/kexec-root.cpio 2>/dev/null
c=$(sed 's/ testbed\.phase=[0-9]*//' /proc/cmdline)
[ -z "${2:-}" ] || c=$(echo "$c" | sed "$2")
kexec -l "$k" --initrd=/tmp/kexec-root.cpio --command-line="$c testbed.phase=$1"
echo "kexec: loaded $k with the root file system repacked into $(($(wc -c < /tmp/kexec-root.cpio) >> 20)) MiB"
EOF
}

if [ -z "$phase" ]; then
	echo "== before the kexec ($(uname -r))"
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d/driver" ] || vmm_bind_devdax "$(basename "$d")"
	done
	modprobe pdax || vmm_fail "modprobe pdax"
	daxmemctl reconfigure-region 0x140000000 --backend pageless >/dev/null || vmm_fail "reconfigure-region to pageless"
	daxmemctl destroy dax0.0 2>/dev/null || vmm_fail "destroy dax0.0"
	mk() { # NAME BACKEND ARGS...
		n=$1 b=$2
		shift 2
		daxmemctl create --backend "$b" --region 0 --name "$n" "$@" | jval chardev
	}
	# pageless huge entries need 6.12 (docs/kmod.md); 6.1 maps 4 KiB, on
	# both sides of the kexec
	kx_rel=$(cat "${KX%/*}/release" 2>/dev/null || uname -r)
	case "$(uname -r) $kx_rel" in *6.1.*) al=4K ;; *) al=2M ;; esac
	vm=$(mk vm0 pageless --size 1G --align $al --preserve)
	kdd=$(mk keep-dd devdax --size 32M --preserve)
	sdd=$(mk scratch-dd devdax --size 32M)
	kpl=$(mk keep-pl pageless --size 32M --preserve)
	spl=$(mk scratch-pl pageless --size 32M)
	for d in "$vm" "$kdd" "$sdd" "$kpl" "$spl"; do
		[ -c "/dev/$d" ] || vmm_fail "device /dev/$d missing"
	done
	daxpattern write "/dev/$kdd" 32M 21 >/dev/null || vmm_fail "pattern keep-dd"
	daxpattern write "/dev/$sdd" 32M 23 >/dev/null || vmm_fail "pattern scratch-dd"
	daxpattern write "/dev/$kpl" 32M 22 >/dev/null || vmm_fail "pattern keep-pl"
	daxpattern write "/dev/$spl" 32M 24 >/dev/null || vmm_fail "pattern scratch-pl"
	echo "devices: vm0=$vm keep-dd=$kdd scratch-dd=$sdd keep-pl=$kpl scratch-pl=$spl, patterns written"

	# Bad input: one line naming the problem.
	expect_error "not an address" daxmemctl liveupdate save --meta nonsense
	expect_error "is required" daxmemctl liveupdate restore
	expect_error "unknown action" daxmemctl liveupdate frob --meta "$META"
	expect_error "no daxmem device named nosuch" \
		daxmemctl liveupdate save --meta "$META" --vmm nosuch=/test/script
	expect_error "is not preserved" \
		daxmemctl liveupdate save --meta "$META" --vmm scratch-dd=/test/script
	expect_error "open /nonexistent" daxmemctl liveupdate save --meta "$META" --vmm vm0=/nonexistent
	expect_error "belongs to save" daxmemctl liveupdate restore --meta "$META" --file a=/test/script
	expect_error "name state.json is reserved" \
		daxmemctl liveupdate save --meta "$META" --file state.json=/test/script
	expect_error "name vm0.vmstate is reserved" \
		daxmemctl liveupdate save --meta "$META" --file vm0.vmstate=/test/script
	daxmemctl list -d daxmem-meta >/dev/null 2>&1 && vmm_fail "a refused save made a metadata device"
	# No metadata in an unused range: refused, and the probe device is gone again.
	expect_error "no metadata" daxmemctl liveupdate restore --meta 0x13fc00000+2M --dir /tmp/x
	daxmemctl list -d daxmem-meta >/dev/null 2>&1 && vmm_fail "probe left a metadata device"

	mkdir -p "$CONSOLE"
	tinyvmm --dax "/dev/$vm" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
		--control "$SOCK" --cmdline "console=ttyS0 reboot=k panic=-1 loglevel=4 guest.run=ckloop guest.args=150" \
		</dev/null >"$CONSOLE/vm0.console" 2>&1 &
	deadline=$(($(vmm_ms) + 480000))
	while :; do
		up=$(last_up "$CONSOLE/vm0.console")
		[ -n "$up" ] && [ "$up" -ge 5000 ] && break
		[ "$(vmm_ms)" -lt $deadline ] ||
			{ cat "$CONSOLE/vm0.console"; vmm_fail "ckloop did not run 5 s in 480 s"; }
		sleep 0.5
	done
	grep -m1 '^CKLOOP START' "$CONSOLE/vm0.console"
	echo "guest ckloop running, up_ms=$(last_up "$CONSOLE/vm0.console")"

	echo "the first kexec goes from $(uname -r) to $kx_rel"
	write_kload "$KX"
	# What the checks after the kexec need travels in the metadata as well.
	echo "PRE_UP=$(last_up "$CONSOLE/vm0.console")" > /tmp/lu-test.env
	/examples/host-live-update.sh before --meta "$META" --vm "vm0=$SOCK" \
		--kexec-load "sh /tmp/kload.sh 1" --keep-file "lu-test.env=/tmp/lu-test.env"
	vmm_fail "host-live-update.sh before returned"
fi

if [ "$phase" = 2 ]; then
	echo "== phase 2: $(grep -c 'Soft Reserved' /proc/iomem) Soft Reserved range(s)"
	expect_error "the carve differs" daxmemctl liveupdate restore --meta "$META"
	daxmemctl list -d daxmem-meta >/dev/null 2>&1 && vmm_fail "a refused restore left its metadata device"
	echo "PASS liveupdate-kexec"
	exit 0
fi

echo "== after the kexec ($(uname -r)), up $(awk '{print $1}' /proc/uptime) s"
[ -e "$DAXMEM_STATE" ] && vmm_fail "the state file survived the kexec: the test would not prove anything"
/examples/host-live-update.sh after --meta "$META" --console-dir "$CONSOLE" || {
	grep '^tinyvmm' "$CONSOLE/vm0.console" | tail -n 20
	vmm_fail "host-live-update.sh after"
}
. "$DIR/lu-test.env"
echo "restored: $(grep -c '"restored": true' "$DIR/restore.json") devices rebuilt, $(grep -c '"restored": false' "$DIR/restore.json") already present"

log=$CONSOLE/vm0.console
i=0
until grep -q '^CKLOOP pass=' "$log"; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$log"; vmm_fail "no ckloop progress after the restore"; }
	sleep 0.1
done
first=$(tr -d '\r' < "$log" | sed -n 's/^CKLOOP pass=.* up_ms=\([0-9]*\).*/\1/p' | head -n 1)
echo "first ckloop progress after the restore: up_ms=$first"
[ "$first" -ge "$PRE_UP" ] ||
	vmm_fail "ckloop went back from up_ms=$PRE_UP to $first: the guest did not resume"
grep -q '^CKLOOP START' "$log" && vmm_fail "ckloop started again: the guest rebooted"

for n in keep-dd keep-pl scratch-dd scratch-pl; do
	eval "c_$(echo $n | tr - _)=$(chardev_of $n)"
done
daxpattern verify "/dev/$c_keep_dd" 32M 21 || vmm_fail "preserved devdax pattern changed"
daxpattern verify "/dev/$c_keep_pl" 32M 22 || vmm_fail "preserved pageless pattern changed"
daxpattern zero "/dev/$c_scratch_dd" 32M || vmm_fail "non-preserved devdax device not zeroed"
daxpattern zero "/dev/$c_scratch_pl" 32M || vmm_fail "non-preserved pageless device not zeroed"
[ "$(cat /sys/bus/pdax/devices/$c_keep_pl/preserved)" = 1 ] || vmm_fail "keep-pl not preserved in pdax"
c_vm0=$(chardev_of vm0)
for d in $c_keep_pl $c_vm0; do
	echo "$d scrub: $(cat /sys/bus/pdax/devices/$d/scrub)"
	grep -q '^skipped' /sys/bus/pdax/devices/$d/scrub || vmm_fail "pdax scrubbed preserved $d"
done
echo "$c_scratch_pl scrub: $(cat /sys/bus/pdax/devices/$c_scratch_pl/scrub)"

expect_error "restored already" daxmemctl liveupdate restore --meta "$META" --dir /tmp/again

i=0
until grep -q 'DAXMEM-GUEST-POWEROFF' "$log"; do
	i=$((i + 1))
	[ $i -lt 3000 ] || { tail -n 30 "$log"; vmm_fail "guest did not finish"; }
	grep -q '^CKLOOP FAIL' "$log" && { tail -n 30 "$log"; vmm_fail "ckloop failed"; }
	sleep 0.2
done
grep -E '^(CKLOOP (DONE|FAIL)|tinyvmm|DAXMEM-GUEST-RUN)' "$log" | tail -n 8
grep -q '^CKLOOP FAIL' "$log" && vmm_fail "ckloop reported a failure"
grep -q '^CKLOOP DONE ok' "$log" || vmm_fail "ckloop did not finish"
grep -q 'DAXMEM-GUEST-RUN-EXIT=0' "$log" || vmm_fail "ckloop exit status not 0"
echo "guest resumed and finished after the kexec: ok"

# A kexec with another carve: the saved metadata must be refused.
daxmemctl liveupdate save --meta "$META" >/dev/null || vmm_fail "liveupdate save without guests"
echo "== kexec without the 2 GiB carve"
write_kload /guest/bzImage
sh /tmp/kload.sh 2 's/ memmap=0x80000000%0x140000000[^ ]*//' || vmm_fail "kexec load"
sync
kexec -e
vmm_fail "kexec -e returned"
