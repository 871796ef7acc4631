#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 2700
# Crash consistency of daxmemctl: CYCLES (default 600, or
# $HARDEN_CRASH_CYCLES; harden-crash-long.sh runs 2000) creates and destroys
# on region 0, each daxmemctl killed with SIGKILL after a random delay
# within the time a whole command takes. After every kill:
#  - the state file parses (daxmemctl check prints its JSON report);
#  - check finds it consistent, or `save` (records what the kernel holds)
#    and `restore` (rebuilds what is recorded) repair it, after which
#    check passes;
#  - a device created first ("keeper") is still held with the same range.
# At the end every device but the keeper is destroyed and the region's free
# space is exactly what it was: nothing leaked.
#   harden-crash.sh [CYCLES]
. /tests/vm/scripts/vmm-lib.inc
CYCLES=${1:-${HARDEN_CRASH_CYCLES:-600}}
S=$DAXMEM_STATE
rnd() { echo $((RANDOM % $1)); }

daxmemctl destroy dax0.0 dax1.0 >/dev/null 2>&1
free0=$(daxmemctl list -R -r 0 | jval allocatable_size)
echo "region 0 allocatable at start: $free0"
keeper=$(daxmemctl create --region 0 --size 64M --name keeper --preserve) || vmm_fail "create keeper"
kdev=$(echo "$keeper" | jval chardev)
krange="$(cat /sys/bus/dax/devices/$kdev/mapping0/start)-$(cat /sys/bus/dax/devices/$kdev/mapping0/end)"
echo "keeper: $kdev $krange"

# how long one create and one destroy take, uninterrupted
t0=$(vmm_ms)
daxmemctl create --region 0 --size 32M --name probe >/dev/null || vmm_fail "probe create"
t1=$(vmm_ms)
daxmemctl destroy probe >/dev/null || vmm_fail "probe destroy"
t2=$(vmm_ms)
tc=$((t1 - t0)) td=$((t2 - t1))
echo "uninterrupted: create 32M $tc ms, destroy $td ms"

rm -f /tmp/refusals
ok=0 repaired=0 finished=0 killed=0 failed=0 saves=0 restores=0 n=0
names=""
t_start=$(vmm_ms)
while [ $n -lt "$CYCLES" ]; do
	n=$((n + 1))
	set -- $names
	if [ $# -lt 3 ] || { [ $# -lt 12 ] && [ $(rnd 2) = 0 ]; }; then
		size=$(((1 + $(rnd 16)) * 2))M
		daxmemctl create --region 0 --size "$size" --name "c$n" >/dev/null 2>/tmp/op.err &
		limit=$tc
	else
		shift $(rnd $#)
		daxmemctl destroy "$1" >/dev/null 2>/tmp/op.err &
		limit=$td
	fi
	pid=$!
	usleep $(( ($(rnd 1000) * limit) ))
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	case $? in
	0) finished=$((finished + 1)) ;;
	137) killed=$((killed + 1)) ;;
	*) failed=$((failed + 1)); head -n 1 /tmp/op.err >>/tmp/refusals ;;
	esac

	out=$(daxmemctl check 2>/tmp/check.err)
	rc=$?
	case "$out" in
	\[*) ;;
	*) cat /tmp/check.err; ls -la "$(dirname "$S")"; vmm_fail "cycle $n: state does not parse" ;;
	esac
	if [ $rc = 0 ]; then
		ok=$((ok + 1))
	else
		if echo "$out" | grep -q '"unrecorded"'; then
			daxmemctl save >/dev/null || vmm_fail "cycle $n: save failed"
			saves=$((saves + 1))
		fi
		if echo "$out" | grep -q '"missing"'; then
			daxmemctl restore >/dev/null || vmm_fail "cycle $n: restore failed"
			restores=$((restores + 1))
		fi
		out2=$(daxmemctl check 2>&1) || { echo "$out"; echo "$out2"; vmm_fail "cycle $n: not repaired"; }
		repaired=$((repaired + 1))
	fi
	[ -e /sys/bus/dax/devices/$kdev/mapping0 ] &&
		[ "$(cat /sys/bus/dax/devices/$kdev/mapping0/start)-$(cat /sys/bus/dax/devices/$kdev/mapping0/end)" = "$krange" ] ||
		vmm_fail "cycle $n: the keeper lost its range"
	names=$(daxmemctl list -r 0 | sed -n 's/^ *"name": "\([^"]*\)",\{0,1\}$/\1/p' | grep -v '^keeper$' | tr '\n' ' ')
	[ $((n % 100)) = 0 ] && [ -s /tmp/refusals ] && sort /tmp/refusals | uniq -c | sort -rn | head -n 3
	[ $((n % 100)) = 0 ] && echo "cycle $n: $ok consistent, $repaired repaired ($saves save, $restores restore), $killed killed mid-command, $finished finished, $failed refused"
done
t_end=$(vmm_ms)
echo "$CYCLES cycles in $(((t_end - t_start) / 1000)) s: $ok consistent right away, $repaired repaired ($saves save, $restores restore); $killed commands killed mid-way, $finished finished first, $failed refused"

for d in $names; do daxmemctl destroy "$d" >/dev/null || vmm_fail "destroy $d"; done
daxmemctl destroy keeper >/dev/null || vmm_fail "destroy keeper"
leftover=$(ls -d /sys/bus/dax/devices/dax0.* | while read -r d; do
	[ "$(cat "$d/size")" != 0 ] && basename "$d"; done)
[ -z "$leftover" ] || vmm_fail "devices left in region 0: $leftover"
free1=$(daxmemctl list -R -r 0 | jval allocatable_size)
echo "region 0 allocatable at the end: $free1"
[ "$free1" = "$free0" ] || vmm_fail "space leaked: $free0 at start, $free1 at the end"
daxmemctl check >/dev/null || vmm_fail "final check"
echo "harden-crash: ok"
