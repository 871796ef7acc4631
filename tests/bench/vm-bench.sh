#!/bin/sh
# Benchmarks that need a real kernel, run inside the testbed by tests/bench/run:
#   memmap/lifecycle/faults per mode (bench-dev), tinyvmm live restart,
#   tinyvmm vs QEMU boot to the guest's /init (both stopped once it is reached).
#   vm-bench.sh SIZE DEVDAX_START PDAX_START REPS [PARTS]
# PARTS: comma list of dev,kcheck,restart,boot (default all). Data rows go to the
# console prefixed with "@@bench<TAB>"; a part that cannot run prints
# "@@bench<TAB>note<TAB>PART<TAB>not measured: REASON". Exit 0 unless the
# script itself is misused.
SIZE=${1:-1G}
DEVDAX_START=${2:-0x140000000}
PDAX_START=${3:-0x100000000}
REPS=${4:-3}
PARTS=${5:-dev,kcheck,restart,boot}
TAB=$(printf '\t')
OUT=/tmp/bench.out
ERR=/tmp/bench.err

emit() { sed "s/^/@@bench$TAB/" "$@"; }
note() { printf '@@bench\tnote\t%s\tnot measured: %s\n' "$1" "$2"; }
env_row() { printf '@@bench\tenv\t%s\t%s\n' "$1" "$2"; }
want() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }
lasterr() { tail -1 "$ERR" 2>/dev/null; }

env_row kernel "$(uname -r)"
env_row nproc "$(grep -c ^processor /proc/cpuinfo)"
env_row cpu "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
env_row memtotal_kb "$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
if grep -q '^nr_memmap_pages ' /proc/vmstat; then
	env_row memmap_counter nr_memmap_pages
else
	env_row memmap_counter none
fi

# the dax device dax_hmem made for the Soft Reserved range starting at $1
find_dax() {
	for d in /sys/bus/dax/devices/dax*; do
		[ "$(cat "$d/resource" 2>/dev/null)" = "$1" ] && { basename "$d"; return 0; }
	done
	return 1
}

run_dev() { # name, bench-dev arguments...
	name=$1; shift
	echo "bench: $name: bench-dev $*"
	if bench-dev "$@" >"$OUT" 2>"$ERR"; then
		emit "$OUT"
	else
		cat "$ERR"
		note "$name" "bench-dev $* failed: $(lasterr)"
	fi
}

DAXDEV=$(find_dax "$DEVDAX_START")

dev_part() {
	if [ -z "$DAXDEV" ]; then
		note devdax "no dax_hmem device at $DEVDAX_START"
	else
		for a in 4K 2M 1G; do
			run_dev "devdax-$a" devdax "$DAXDEV" "$SIZE" "$a" "$REPS"
		done
	fi
	pdax_part
}

# give the Soft Reserved range at $PDAX_START from dax_hmem to pdax (loading it
# for that range only, or claiming it if pdax is loaded); prints the region id
pdax_handover() {
	size=""
	for h in /sys/bus/platform/devices/hmem.*; do
		[ -e "$h" ] || continue
		for d in "$h"/dax*.*; do
			[ "$(cat "$d/resource" 2>/dev/null)" = "$PDAX_START" ] || continue
			size=$(cat "$h/dax_region/size")
			if [ -e "$h/driver" ]; then
				echo "$(basename "$h")" > /sys/bus/platform/drivers/hmem/unbind || return 1
			fi
			break 2
		done
	done
	[ -n "$size" ] || { echo "no dax_hmem region starts at $PDAX_START" >&2; return 1; }
	end=$(printf '0x%x' $((PDAX_START + size - 1)))
	if [ -e /sys/bus/pdax/claim ]; then
		echo "$PDAX_START-$end" > /sys/bus/pdax/claim || return 1
	else
		modprobe pdax "ranges=$PDAX_START-$end" || return 1
	fi
	for r in /sys/bus/pdax/devices/region*; do
		[ "$(cat "$r/start" 2>/dev/null)" = "$PDAX_START" ] && { cat "$r/id"; return 0; }
	done
	echo "pdax has no region at $PDAX_START" >&2
	return 1
}

pdax_part() {
	if ! modinfo pdax >/dev/null 2>&1; then
		note pdax "pdax.ko is not built for $(uname -r)"
		return
	fi
	if ! region=$(pdax_handover 2>"$ERR"); then
		note pdax "handing $PDAX_START from dax_hmem to pdax failed: $(lasterr)"
		return
	fi
	for a in 4K 2M 1G; do
		run_dev "pdax-pageless-$a" pdax "$region" "$SIZE" "$a" pageless "$REPS"
	done
	for a in 2M 1G; do
		run_dev "pdax-compound-$a" pdax "$region" "$SIZE" "$a" compound "$REPS"
	done
}

# The placement rule the churn model relies on, checked on the real kernel:
# after a 512 MiB device with 2 MiB alignment, a 1 GiB-aligned device of
# 1 GiB is placed right behind it (off its alignment) and still accepted.
# Row: kcheck DEVICE START ALIGNED(0|1) BOUND_TO_DEVICE_DAX(0|1)
kcheck_part() {
	[ -n "$DAXDEV" ] || { note kcheck "no dax_hmem device at $DEVDAX_START"; return; }
	sys=/sys/bus/dax/devices/$DAXDEV
	region=$(dirname "$(readlink -f "$sys")")/dax_region
	[ -e "$sys/driver" ] && echo "$DAXDEV" > "$sys/driver/unbind"
	if ! { echo 0 > "$sys/size" && echo 2097152 > "$sys/align" &&
		echo 536870912 > "$sys/size" && echo 1 > "$region/create"; } 2>"$ERR"; then
		note kcheck "could not set up the first device: $(lasterr)"
		return
	fi
	seed=$(cat "$region/seed")
	s2=/sys/bus/dax/devices/$seed
	if echo 1073741824 > "$s2/align" 2>"$ERR" && echo 1073741824 > "$s2/size" 2>>"$ERR"; then
		start=$(cat "$s2/mapping0/start")
		bound=0
		devdax_bind "$seed" 2>/dev/null && [ -e "$s2/driver" ] && bound=1
		printf '@@bench\tkcheck\t%s\t%s\t%s\t%s\n' "$seed" "$start" \
			"$(( start % 1073741824 == 0 ))" "$bound"
		[ -e "$s2/driver" ] && echo "$seed" > "$s2/driver/unbind"
	else
		printf '@@bench\tkcheck\t%s\trefused\t%s\n' "$seed" "$(lasterr)"
	fi
	echo 0 > "$s2/size" 2>/dev/null
	echo "$seed" > "$region/delete" 2>/dev/null
	# naming the new device to device_dax re-attached every device it knows
	[ -e "$sys/driver" ] && echo "$DAXDEV" > "$sys/driver/unbind"
	echo 0 > "$sys/size"
}

# one devdax device of $SIZE, align 2M, bound: guest RAM for the boot benchmarks
boot_device() {
	[ -n "$DAXDEV" ] || return 1
	sys=/sys/bus/dax/devices/$DAXDEV
	[ -e "$sys/driver" ] && echo "$DAXDEV" > "$sys/driver/unbind"
	echo 0 > "$sys/size" && echo 2097152 > "$sys/align" &&
		bench_bytes=$(bench_size "$SIZE") && echo "$bench_bytes" > "$sys/size" &&
		devdax_bind "$DAXDEV"
}
devdax_bind() { # as daxctl: name the device to device_dax, bind if that did not attach it
	echo "$1" > /sys/bus/dax/drivers/device_dax/new_id 2>/dev/null
	[ -e "/sys/bus/dax/devices/$1/driver" ] || echo "$1" > /sys/bus/dax/drivers/device_dax/bind
}
bench_size() {
	case "$1" in
	*G) echo $(( ${1%G} << 30 )) ;;
	*M) echo $(( ${1%M} << 20 )) ;;
	*) echo "$1" ;;
	esac
}

GUEST_CMDLINE="console=ttyS0 reboot=k panic=-1 quiet"
MARK=DAXMEM-GUEST-INIT-OK

# tinyvmm live restart: a guest keeps computing (ckloop) while tinyvmm is
# restarted REPS times through its control socket; tinyvmm reports how long
# the vCPUs were paused (save, exec, restore, resume) for each restart.
restart_part() {
	command -v tinyvmm >/dev/null || { note restart "tinyvmm is not built"; return; }
	[ -e /dev/kvm ] || { note restart "no /dev/kvm in the testbed"; return; }
	if ! boot_device 2>"$ERR"; then
		note restart "could not set up $DAXDEV as guest RAM: $(lasterr)"
		return
	fi
	sock=/tmp/bench-vmm.sock log=/tmp/bench-restart.log
	tinyvmm --dax "/dev/$DAXDEV" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 1 \
		--control "$sock" --cmdline "$GUEST_CMDLINE guest.run=ckloop" </dev/null >"$log" 2>&1 &
	pid=$!
	i=0
	until grep -q '^CKLOOP pass=' "$log"; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
			tail -5 "$log"
			note restart "the guest never started ckloop: $(tail -1 "$log")"
			kill $pid 2>/dev/null; wait $pid
			return
		fi
		sleep 0.1
	done
	n=0
	while [ $n -lt "$REPS" ]; do
		n=$((n + 1))
		if ! out=$(tinyvmm ctl "$sock" restart 2>&1); then
			echo "$out"
			note restart "restart $n failed: $(echo "$out" | tail -1)"
			break
		fi
		us=$(echo "$out" | sed -n 's/.*last_pause_us=\([0-9]*\).*/\1/p' | head -1)
		echo "bench: restart $n: $out"
		[ -n "$us" ] && printf '@@bench\trestart\t%s\t%s\n' "$n" "$us"
		sleep 1
	done
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	return 0
}

boot_part() {
	have_t=1 have_q=1
	command -v tinyvmm >/dev/null || { have_t=0; note boot-tinyvmm "tinyvmm is not built"; }
	command -v qemu-system-x86_64 >/dev/null ||
		{ have_q=0; note boot-qemu "no qemu-system-x86_64 in the testbed (tests/vm/run --with-qemu)"; }
	[ -e /dev/kvm ] || { note boot "no /dev/kvm in the testbed"; return; }
	[ $have_t = 1 ] || [ $have_q = 1 ] || return
	if ! boot_device 2>"$ERR"; then
		note boot "could not set up $DAXDEV as guest RAM: $(lasterr)"
		return
	fi
	bytes=$(bench_size "$SIZE")
	i=0
	while [ $i -lt "$REPS" ]; do
		if [ $have_t = 1 ]; then
			bench-boot tinyvmm +300 "$MARK" -- tinyvmm --dax "/dev/$DAXDEV" \
				--kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
				--cmdline "$GUEST_CMDLINE" --cpus 1 >"$OUT" 2>"$ERR"
			emit "$OUT"
			grep -q "$MARK" "$ERR" || { tail -5 "$ERR"; note boot-tinyvmm "the guest did not reach /init: $(lasterr)"; have_t=0; }
		fi
		if [ $have_q = 1 ]; then
			bench-boot qemu +300 "$MARK" -- qemu-system-x86_64 \
				-L /usr/share/qemu -machine microvm,memory-backend=mem -enable-kvm -cpu host -smp 1 \
				-m "$((bytes >> 20))M" \
				-object "memory-backend-file,id=mem,size=$bytes,mem-path=/dev/$DAXDEV,share=on,align=2M" \
				-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$GUEST_CMDLINE" \
				-nodefaults -no-user-config -display none -serial stdio -no-reboot \
				>"$OUT" 2>"$ERR"
			emit "$OUT"
			grep -q "$MARK" "$ERR" || { tail -5 "$ERR"; note boot-qemu "the guest did not reach /init: $(lasterr)"; have_q=0; }
		fi
		i=$((i + 1))
	done
}

want dev && dev_part
want kcheck && kcheck_part
want restart && restart_part
want boot && boot_part
exit 0
