#!/bin/sh
# Host kernel live update: replace the host kernel with kexec while guests
# keep their memory in place, unscrubbed, and resume where they stopped.
# docs/host-live-update.md explains each step.
#
#   host-live-update.sh before [--meta RANGE] [--vm DEVICE=SOCK]... [--keep-file NAME=FILE]...
#                              [--kexec-load CMD] [--no-exec]
#   host-live-update.sh after  [--meta RANGE] [--dir DIR] [--console-dir DIR]
#
# before: load the new kernel (guests still running), save and stop every
#   tinyvmm (tinyvmm ctl SOCK save), record the daxmem state, the VMM states
#   and this script's own notes in the metadata device at RANGE, kexec.
# after (in the new kernel, from its init or a boot service): load pdax and
#   take back the ranges it held, restore the devices from the metadata
#   device, start tinyvmm --restore for each saved guest.
#
# RANGE defaults to daxmem.meta= on the kernel command line (kexec keeps the
# command line, so the new kernel finds it there too). DEVICE is the daxmem
# device name the guest runs on; SOCK its control socket. --kexec-load runs
# CMD instead of loading /boot/vmlinuz-$(uname -r) with the same command
# line (the testbed repacks its root file system there). --keep-file carries
# FILE across the kexec in the metadata too; 'after' writes it to DIR/NAME.
set -eu

DIR=/run/daxmem/liveupdate
CONSOLE_DIR=/var/log/tinyvmm
NOTES=host-live-update.env

say() { echo "host-live-update: $*"; }
die() {
	echo "host-live-update: $*" >&2
	exit 1
}
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
jval() { # first value of a JSON key in daxmemctl's output on stdin
	sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1
}

action=${1:-}
[ $# -gt 0 ] && shift
meta=$(sed -n 's/.*daxmem\.meta=\([^ ]*\).*/\1/p' /proc/cmdline)
vms="" kload="" noexec=0 keep="" saved=""
while [ $# -gt 0 ]; do
	case "$1" in
	--meta) meta=$2; shift 2 ;;
	--vm) vms="$vms $2"; shift 2 ;;
	--keep-file) keep="$keep --file $2"; shift 2 ;;
	--kexec-load) kload=$2; shift 2 ;;
	--no-exec) noexec=1; shift ;;
	--dir) DIR=$2; shift 2 ;;
	--console-dir) CONSOLE_DIR=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done
[ -n "$meta" ] || die "no --meta RANGE and no daxmem.meta= on the kernel command line"

# a failure after some guests were saved: they wait in their memory; say how to resume them
abort() {
	echo "host-live-update: before: $*; no kexec" >&2
	for sock in $saved; do
		echo "host-live-update: resume: tinyvmm --restore $sock.state" >&2
	done
	exit 1
}

before() {
	t0=$(ms)
	[ -n "$vms" ] || die "before: no --vm DEVICE=SOCK given"
	for v in $vms; do
		dev=${v%%=*} sock=${v#*=}
		daxmemctl list -d "$dev" >/dev/null || die "before: no daxmem device $dev"
		tinyvmm ctl "$sock" status >/dev/null || die "before: $sock does not answer"
	done
	# 1. load the new kernel while the guests still run: not part of the pause
	if [ -n "$kload" ]; then
		sh -c "$kload" || die "before: $kload failed"
	else
		kexec -l "/boot/vmlinuz-$(uname -r)" --initrd="/boot/initrd.img-$(uname -r)" \
			--reuse-cmdline || die "before: kexec -l failed"
	fi
	t1=$(ms)
	say "kexec loaded in $((t1 - t0)) ms"
	# 2. pause and save every guest; each tinyvmm exits with its guest paused
	pause_start=$(ms)
	args="" saved=""
	for v in $vms; do
		dev=${v%%=*} sock=${v#*=}
		tinyvmm ctl "$sock" save || abort "tinyvmm ctl $sock save failed"
		args="$args --vmm $dev=$sock.state"
		saved="$saved $sock"
	done
	t2=$(ms)
	say "saved $(echo $vms | wc -w) guest(s) in $((t2 - pause_start)) ms"
	# 3. what the new kernel needs: pageless ranges to take back, guests, timings
	pageless=""
	for r in /sys/bus/pdax/devices/region*; do
		[ -f "$r/start" ] && pageless="$pageless $(cat "$r/start")"
	done
	notes=$(mktemp)
	{
		echo "VMS='$vms'"
		echo "PAGELESS='$pageless'"
		echo "T_LOAD_MS=$((t1 - t0))"
		echo "T_SAVE_VMS_MS=$((t2 - pause_start))"
	} > "$notes"
	# the time from here to the meta save is added below, in a second record
	daxmemctl liveupdate save --meta "$meta" $args $keep --file "$NOTES=$notes" >/dev/null ||
		abort "daxmemctl liveupdate save failed"
	t3=$(ms)
	rm -f "$notes"
	say "metadata saved in $((t3 - t2)) ms; guests paused $((t3 - pause_start)) ms so far"
	sync
	if [ $noexec = 1 ]; then
		say "--no-exec: not running kexec -e"
		return 0
	fi
	kexec -e
	abort "kexec -e returned"
}

# dax_hmem's devices come up unbound (marked for kmem): give them to
# device_dax, as daxctl reconfigure-device --mode=devdax does, so that pdax
# claims only what is handed over to it explicitly.
bind_devdax() {
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d" ] && [ ! -e "$d/driver" ] || continue
		echo "$(basename "$d")" > /sys/bus/dax/drivers/device_dax/new_id 2>/dev/null || true
	done
}

after() {
	t0=$(ms)
	mkdir -p "$DIR" "$CONSOLE_DIR"
	bind_devdax
	# the notes say which ranges were pageless; the metadata device itself
	# lies in a device-dax range (docs/host-live-update.md)
	daxmemctl liveupdate extract --meta "$meta" --dir "$DIR" >/dev/null ||
		die "after: daxmemctl liveupdate extract failed"
	. "$DIR/$NOTES"
	if [ -n "$PAGELESS" ]; then
		for start in $PAGELESS; do
			daxmemctl reconfigure-region "$start" --backend pageless >/dev/null ||
				die "after: daxmemctl reconfigure-region $start --backend pageless failed"
		done
	fi
	out=$(daxmemctl liveupdate restore --meta "$meta" --dir "$DIR") ||
		die "after: daxmemctl liveupdate restore failed"
	echo "$out" > "$DIR/restore.json"
	t1=$(ms)
	say "devices restored in $((t1 - t0)) ms ($(echo "$out" | grep -c '"restored": true') rebuilt)"
	age=$(echo "$out" | jval saved_age_ms)
	for v in $VMS; do
		dev=${v%%=*} sock=${v#*=}
		chardev=$(daxmemctl list -d "$dev" | jval chardev)
		[ -c "/dev/$chardev" ] || die "after: device $dev was not restored"
		setsid tinyvmm --restore "$DIR/$dev.vmstate" --dax "/dev/$chardev" \
			</dev/null >>"$CONSOLE_DIR/$dev.console" 2>&1 &
	done
	for v in $VMS; do
		dev=${v%%=*} sock=${v#*=}
		i=0
		until tinyvmm ctl "$sock" status >/dev/null 2>&1; do
			i=$((i + 1))
			[ $i -lt 3000 ] || die "after: $dev did not resume (see $CONSOLE_DIR/$dev.console)"
			sleep 0.01
		done
		say "$dev resumed on /dev/$chardev"
	done
	t2=$(ms)
	# Across the kexec only CLOCK_REALTIME continues (read from the RTC at
	# boot, to the second); the monotonic parts on both sides are exact.
	pause=$((T_SAVE_VMS_MS + age + t2 - t1))
	say "new kernel: booted in $t0 ms, restore $((t1 - t0)) ms, guests resumed $((t2 - t1)) ms later"
	say "guest pause ${pause} ms (metadata save to restore ${age} ms by the RTC-set clock)"
	say "kexec -e to the new kernel's clock start: $((age - t1)) ms (RTC-set clock, +-1 s)"
	say "host update $((T_LOAD_MS + pause)) ms (kexec load ${T_LOAD_MS} ms while guests ran)"
}

case "$action" in
before) before ;;
after) after ;;
*) die "usage: $0 before|after [options] (see the header)" ;;
esac
