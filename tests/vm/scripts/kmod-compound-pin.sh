#!/bin/sh
# vm-kernels: 6.12 6.1
# A compound page referenced from a pipe (vmsplice) outlives the device's
# close: while it is referenced, resize, align and mode change, delete and
# region release are refused with EBUSY (and a log line); the pipe still reads the bytes written
# through the mapping; once the pipe is closed the device reconfigures.
set -u
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices
echo 1 > $R/create
dev=$(cat $R/seed)
echo compound > $D/$dev/mode
echo 2M > $D/$dev/align
echo 8M > $D/$dev/size
rm -f /tmp/ctl /tmp/hold.out
mkfifo /tmp/ctl
splicehold /dev/$dev </tmp/ctl >/tmp/hold.out 2>&1 &
hold=$!
exec 3>/tmp/ctl
i=0
while ! grep -q held /tmp/hold.out && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
grep -q held /tmp/hold.out || fail "splicehold: $(cat /tmp/hold.out)"
echo "page of $dev held by a pipe, device closed"
# 6.1 maps pageless memory with 4K entries only: no mode change at align 2M
ops="4M:size 4096:align $dev:delete 0:release"
[ "$TESTBED_KERNEL" = 6.1 ] || ops="$ops pageless:mode"
want=$(echo $ops | wc -w)
refused=0
for op in $ops; do
	set -- $(echo $op | tr : ' ')
	case $2 in
	delete) f=$R/delete ;;
	release) f=/sys/bus/pdax/release ;;
	*) f=$D/$dev/$2 ;;
	esac
	if echo "$1" > $f 2>/tmp/err; then
		echo "NOT refused: echo $1 > $f"
	else
		grep -q "busy" /tmp/err || fail "echo $1 > $f: $(cat /tmp/err)"
		echo "ok, refused: echo $1 > $f: $(cat /tmp/err)"
		refused=$((refused + 1))
	fi
done
# what another owner of the same memory would see
if [ -e $D/$dev ]; then :; else
	echo 1 > $R/create
	dev=$(cat $R/seed)
	echo 8M > $D/$dev/size
	daxpattern write /dev/$dev 4096 77 2>/dev/null || :
fi
echo go >&3
exec 3>&-
wait $hold
rc=$?
cat /tmp/hold.out
[ $refused = $want ] || fail "$((want - refused)) change(s) allowed while a page was referenced"
[ $rc = 0 ] || fail "the pipe lost the bytes written through the mapping"
dmesg | grep -q "pdax.*still referenced" || fail "no log line for the refusal"
dmesg | grep "pdax.*still referenced" | head -n 3
echo 4M > $D/$dev/size || fail "resize after the pipe closed"
echo 4096 > $D/$dev/align || fail "align change after the pipe closed"
echo pageless > $D/$dev/mode || fail "mode change after the pipe closed"
echo $dev > $R/delete || fail "delete after the pipe closed"
rmmod pdax || fail "rmmod"
echo "kmod-compound-pin: ok"
