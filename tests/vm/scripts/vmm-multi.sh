#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 600 --append nohz=off --append highres=off --append lapic=notscdeadline
# vm-rerun: boot-only
# Several guests at once: N tinyvmm guests (default 3), each on a device of
# its own cut by daxmemctl (devdax, pageless or mixed), each with 2 vCPUs
# running ckloop over 32 MiB. Each starts once the one before it runs its
# workload, and all must finish their verified workload with no kernel
# report in the testbed. A kprobe on arch_jump_label_transform_queue counts
# the kernel text the guests' comings and goings patch (static keys: VM
# creation, vCPU creation, APIC enable); under tests/vm/run --park, with
# kvm-park holding those keys, there must be none.
#   vmm-multi.sh [N] [devdax|pdax|mixed] [SIZE] [ALIGN]   (320M, 2M)
. /tests/vm/scripts/vmm-lib.inc
n=${1:-3}
backend=${2:-mixed}
size=${3:-320M}
align=${4:-2M}
secs=90
daxmemctl destroy dax0.0 >/dev/null 2>&1 || :
[ "$backend" = devdax ] || claim_5g
T=/sys/kernel/tracing
echo 'p:jlq arch_jump_label_transform_queue' >$T/kprobe_events || fail "kprobe on arch_jump_label_transform_queue"
echo 1 >$T/options/stacktrace
echo 1 >$T/events/kprobes/jlq/enable
sleep 1
echo >$T/trace
g=0
while [ $g -lt "$n" ]; do
	case "$backend" in
	devdax) b=devdax ;;
	pdax) b=pageless ;;
	mixed) [ $((g % 2)) = 0 ] && b=pageless || b=devdax ;;
	*) fail "unknown backend $backend" ;;
	esac
	if [ $b = pageless ]; then
		dev=$(daxmemctl create --backend pageless --region 0 --size "$size" --align "$align" \
			--name "g$g" | jval chardev) || fail "create g$g"
	else
		r=$(daxmemctl list -R -b devdax | jval id)
		dev=$(daxmemctl create --backend devdax --region "$r" --size "$size" --name "g$g" |
			jval chardev) || fail "create g$g"
		bind_devdax "$dev"
	fi
	[ -c "/dev/$dev" ] || fail "no /dev/$dev"
	echo "guest $g: /dev/$dev ($b)"
	tinyvmm --dax "/dev/$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
		--cmdline "console=ttyS0 reboot=k panic=-1 pci=off loglevel=4 guest.run=ckloop guest.args=$secs,32" \
		</dev/null >"/tmp/g$g.log" 2>&1 &
	eval "pid$g=$!"
	pid=$! log=/tmp/g$g.log
	wait_log '^CKLOOP START' 1800
	echo "guest $g: running ckloop"
	g=$((g + 1))
done

t0=$(vmm_ms)
bad=0
g=0
while [ $g -lt "$n" ]; do
	eval "p=\$pid$g"
	log=/tmp/g$g.log
	# ckloop ends by itself after $secs of guest time: a guest still
	# running long after that has a vCPU that stopped
	k=0
	while kill -0 "$p" 2>/dev/null && [ $k -lt $((secs * 3)) ]; do
		sleep 1; k=$((k + 1))
	done
	if kill -0 "$p" 2>/dev/null; then
		echo "--- guest $g still running ${k}s after its turn to end; its last lines:"
		grep -E '^CKLOOP' "$log" | tail -n 3
		kill -9 "$p"
	fi
	wait "$p"
	rc=$?
	if [ $rc != 0 ] || ! grep -q '^CKLOOP DONE ok' "$log" || grep -q '^CKLOOP FAIL' "$log"; then
		echo "--- guest $g (exit $rc):"
		tail -n 30 "$log"
		bad=$((bad + 1))
	else
		echo "guest $g: ckloop done ok, $(grep -c '^CKLOOP pass=' "$log") progress lines"
	fi
	g=$((g + 1))
done
echo "all $n guests ended after $(($(vmm_ms) - t0)) ms"
# stop recording first: disabling the event patches text itself
echo 0 >$T/tracing_on
echo 0 >$T/events/kprobes/jlq/enable
patches=$(grep -c ' jlq: ' $T/trace)
echo "kernel text patched while the guests started, ran and stopped: $patches sites"
if [ "$patches" != 0 ]; then
	echo "--- who patched (the first caller outside the static key code, per site):"
	awk '/ jlq: / { task = $1 }
	     /<stack trace>/ { want = 1; next }
	     want && /=>/ && !/jump_label|static_key|static_branch/ { print task, $2; want = 0 }' $T/trace |
		sort | uniq -c | sort -rn | head -20
fi
[ $bad = 0 ] || fail "$bad of $n guests did not finish their workload"
if [ -s /run/kvm-park.pid ]; then
	[ "$patches" = 0 ] || fail "kernel text patched $patches times under running guests"
fi
echo "vmm-multi: ok ($n guests at once, $backend)"
