#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 900
# tinyvmm confinement in a real KVM guest run:
#  - a guest boots and runs with the seccomp filters on: the main thread
#    carries one filter, each vCPU thread two (process + vCPU);
#  - a live restart still works (execve is allowed on that path) and the
#    restarted tinyvmm keeps the one inherited process filter;
#  - RLIMIT_CORE is 0, RLIMIT_NOFILE is tight, an inherited fd is closed;
#  - a forbidden syscall kills tinyvmm with SIGSYS: socket(AF_INET) in the
#    main thread, execve or a read-only open in a vCPU thread
#    (TINYVMM_SECCOMP_SELFTEST);
#  - under an outer filter that allows everything (a container's or systemd's,
#    tests/vm/helpers/seccomp-outer.c) tinyvmm still installs its own: the
#    self-test call is killed, the main thread carries 2 filters and each vCPU
#    thread 3, and a live restart still adds none;
#  - --user/--group: tinyvmm drops to nobody after opening the devices and
#    the guest still runs; after a live restart as nobody the new process
#    is not dumpable either (PR_SET_DUMPABLE 0 after every exec).
. /tests/vm/scripts/vmm-lib.inc
dev=$(vmm_dax_dev 1073741824)
sock=/tmp/harden.sock
log=/tmp/harden.log
cmd="console=ttyS0 reboot=k panic=-1 loglevel=4 guest.run=ckloop"

status_field() { # pid tid field
	awk -v f="$3:" '$1 == f { print $2 }' "/proc/$1/task/$2/status"
}

check_filters() { # pid what [outer filters, default 0]
	outer=${3:-0}
	main=$(status_field "$1" "$1" Seccomp_filters)
	[ "$(status_field "$1" "$1" Seccomp)" = 2 ] || vmm_fail "$2: main thread not in seccomp filter mode"
	[ "$main" = $((outer + 1)) ] || vmm_fail "$2: main thread has $main filters, want $((outer + 1))"
	nv=0
	for t in /proc/$1/task/*; do
		case "$(cat "$t/comm")" in
		vcpu*)
			n=$(status_field "$1" "$(basename "$t")" Seccomp_filters)
			[ "$n" = $((outer + 2)) ] || vmm_fail "$2: $(cat "$t/comm") has $n filters, want $((outer + 2))"
			nv=$((nv + 1)) ;;
		esac
	done
	[ $nv -ge 1 ] || vmm_fail "$2: no vCPU threads found"
	echo "$2: main thread $main filter(s), $nv vCPU thread(s) $((outer + 2)) filters each"
}

wait_progress() { # what: the guest passes ckloop again after a restart
	before=$(grep -c '^CKLOOP pass=' "$log")
	out=$(tinyvmm ctl "$sock" restart 2>&1) || { echo "$out"; tail -30 "$log"; dmesg | grep -i 'audit\|seccomp' | tail -5; vmm_fail "live restart failed $1"; }
	echo "$out"
	i=0
	while [ "$(grep -c '^CKLOOP pass=' "$log")" -le "$before" ]; do
		i=$((i + 1)); [ $i -gt 300 ] && { tail -20 "$log"; vmm_fail "no progress after restart $1"; }
		sleep 0.1
	done
}

# 1. boot with filters, an extra inherited fd (7) that must be closed
rm -f "$log"
exec 7</proc/version
tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "$cmd" </dev/null >"$log" 2>&1 &
pid=$!
exec 7<&-
wait_count 0 '^CKLOOP pass=' 150 || { tail -30 "$log"; vmm_fail "guest never ran ckloop under seccomp"; }
echo "guest running under seccomp"
check_filters $pid "first process"
core=$(awk '/^Max core file size/ { print $5 }' /proc/$pid/limits)
nofile=$(awk '/^Max open files/ { print $4 }' /proc/$pid/limits)
nfd=$(ls /proc/$pid/fd | wc -l)
echo "limits: core $core, open files $nofile (open now: $nfd)"
[ "$core" = 0 ] || vmm_fail "RLIMIT_CORE is $core"
[ "$nofile" -le 256 ] || vmm_fail "RLIMIT_NOFILE is $nofile"
for f in /proc/$pid/fd/*; do
	case "$(readlink "$f")" in
	/proc/version) vmm_fail "inherited fd $(basename "$f") still open" ;;
	esac
done
echo "inherited fd 7 closed"

# 2. live restart with the filters on
wait_progress "under seccomp"
check_filters $pid "restarted process"
grep -q 'process filter inherited' "$log" || vmm_fail "restarted tinyvmm did not report the inherited filter"
kill $pid; wait $pid 2>/dev/null
echo "live restart under seccomp: ok"

# 3. forbidden syscalls
for kind in process vcpu vcpu-open; do
	TINYVMM_SECCOMP_SELFTEST=$kind tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" \
		--initrd "$GUEST_INITRD" --cmdline "$cmd" </dev/null >"$log" 2>&1
	rc=$?
	echo "self-test in a $kind thread: exit status $rc ($(grep 'self-test' "$log" | head -1))"
	[ $rc = 159 ] || { tail -5 "$log"; vmm_fail "forbidden call in a $kind thread: status $rc, want 159 (SIGSYS)"; }
done
dmesg | grep -E 'audit.*(type=1326|seccomp)' | tail -2

# 3b. under an outer allow-everything filter: tinyvmm's own is still installed
TINYVMM_SECCOMP_SELFTEST=process seccomp-outer tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" \
	--initrd "$GUEST_INITRD" --cmdline "$cmd" </dev/null >"$log" 2>&1
rc=$?
echo "self-test under an outer filter: exit status $rc ($(grep 'self-test\|seccomp' "$log" | head -2 | tr '\n' ' '))"
[ $rc = 159 ] || { tail -5 "$log"; vmm_fail "under an outer filter the forbidden call got status $rc, want 159 (SIGSYS)"; }
rm -f "$log" "$sock"
seccomp-outer tinyvmm --dax "$dev" --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--control "$sock" --cmdline "$cmd" </dev/null >"$log" 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { tail -30 "$log"; vmm_fail "guest never ran under an outer filter"; }
check_filters $pid "under an outer filter" 1
wait_progress "under an outer filter"
check_filters $pid "restarted under an outer filter" 1
kill $pid; wait $pid 2>/dev/null
echo "outer filter: tinyvmm's own installed beneath it, none stacked by the restart"

# 4. --user/--group: devices opened as root, guest runs as nobody; a live
# restart then cannot open the device as nobody (0600 root), and root
# recovers the guest from the state file left behind
for n in /dev/dax* /dev/pdax*; do
	[ -c "$n" ] || continue
	m=$(stat -c '%a %u' "$n")
	[ "$m" = "600 0" ] || vmm_fail "$n is mode/uid $m, want 600 0"
done
ww=$(find /sys/bus/dax/devices/ /sys/bus/pdax/devices/ -follow -maxdepth 2 -perm -o+w -type f 2>/dev/null | head -3)
[ -z "$ww" ] || vmm_fail "world-writable control files: $ww"
echo "device nodes 0600 root, no world-writable dax/pdax sysfs files"
rm -f "$log" "$sock.state" "$sock"
chmod 1777 /tmp # nobody creates the control socket and the state file there
chmod o+x / # and reaches /tmp and the binary to exec
tinyvmm --user 65534 --group 65534 --dax "$dev" --kernel "$GUEST_KERNEL" --control "$sock" \
	--initrd "$GUEST_INITRD" --cmdline "$cmd" </dev/null >"$log" 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { tail -20 "$log"; vmm_fail "guest did not run after the drop"; }
uid=$(awk '/^Uid:/ { print $2 "," $3 "," $4 }' /proc/$pid/status)
gid=$(awk '/^Gid:/ { print $2 "," $3 "," $4 }' /proc/$pid/status)
echo "after the drop: uid $uid gid $gid"
[ "$uid" = 65534,65534,65534 ] && [ "$gid" = 65534,65534,65534 ] || vmm_fail "privileges not dropped"
tinyvmm ctl "$sock" restart --timeout 10 >/dev/null 2>&1 && vmm_fail "restart as nobody reopened the device"
wait $pid
# It inherits the locked device but cannot open /dev/kvm (nor can its rollback).
grep -q "Permission denied" "$log" || { tail -5 "$log"; vmm_fail "no EACCES from the restarted tinyvmm"; }
echo "restart as nobody: $(grep -m1 'Permission denied' "$log")"
before=$(grep -c '^CKLOOP pass=' "$log")
tinyvmm --restore "$sock.state" </dev/null >>"$log" 2>&1 &
pid=$!
i=0
while [ "$(grep -c '^CKLOOP pass=' "$log")" -le "$before" ]; do
	i=$((i + 1)); [ $i -gt 300 ] && { tail -20 "$log"; vmm_fail "no progress after recovery as root"; }
	sleep 0.1
done
kill $pid; wait $pid 2>/dev/null
echo "recovered as root from the state file"

# 4b. PR_SET_DUMPABLE 0 after every exec: a live restart as nobody (the
# device and /dev/kvm chowned to it) execs a new tinyvmm that the kernel
# makes dumpable again; tinyvmm must clear it, which leaves its /proc files
# root's instead of nobody's (a ptrace-free view of the flag)
chown 65534 "$dev" /dev/kvm
rm -f "$log" "$sock.state" "$sock"
tinyvmm --user 65534 --group 65534 --dax "$dev" --kernel "$GUEST_KERNEL" --control "$sock" \
	--initrd "$GUEST_INITRD" --cmdline "$cmd" </dev/null >"$log" 2>&1 &
pid=$!
wait_count 0 '^CKLOOP pass=' 150 || { tail -20 "$log"; vmm_fail "guest did not run as nobody"; }
[ "$(stat -c %u /proc/$pid/status)" = 0 ] || vmm_fail "tinyvmm as nobody is dumpable before any restart"
wait_progress "as nobody"
owner=$(stat -c %u /proc/$pid/status)
echo "restarted as nobody: /proc/$pid/status owned by uid $owner"
[ "$owner" = 0 ] || vmm_fail "the restarted tinyvmm is dumpable (/proc/$pid owned by $owner, want 0)"
kill $pid; wait $pid 2>/dev/null
chown 0 "$dev" /dev/kvm
echo "harden-seccomp: ok"
