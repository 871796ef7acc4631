#!/bin/sh
# vm-kernels: 6.12 6.1
# Input and permissions: sizes, aligns and ranges that do not fit in 64 bits
# are refused and change nothing (a wrapping parse turned "16E" into 0 and
# released every range); attributes that reveal physical addresses are
# readable by root only, as device-dax's are.
set -eu
. /tests/vm/scripts/lib.inc
claim_5g
R=/sys/bus/pdax/devices/region0
D=/sys/bus/pdax/devices/pdax0.0
G1=$((1 << 30))
echo 1G > $D/size

# refused(ATTR VALUE...): every VALUE written to ATTR fails, ATTR unchanged
refused() {
	attr=$1
	shift
	before=$(cat $D/$attr 2>/dev/null || :)
	for v in "$@"; do
		if echo "$v" > $D/$attr 2>/tmp/err; then
			fail "$attr '$v' accepted ($attr now $(cat $D/$attr 2>/dev/null))"
		fi
		[ "$(cat $D/$attr 2>/dev/null || :)" = "$before" ] ||
			fail "$attr '$v' changed $attr to $(cat $D/$attr)"
		echo "ok, refused: $attr $v: $(cat /tmp/err)"
	done
}
# 2^64, 2^64 + 2G and 2^64 + 4K wrap to 0, 2G and 4K in a 64-bit parse
refused size 16E 17179869184G 16384P 18446744073709551616 \
	18446744075857035264 99999999999999999999 0x10000000000000000 \
	0x10000000080000000 8E
[ "$(cat $D/size)" = $G1 ] || fail "size is $(cat $D/size), want $G1"
[ -e $D/mapping0/start ] || fail "mapping0 gone after refused sizes"
refused align 18446744073709555712 16E 0x10000000000001000 4294967296K
echo "0-ffffffffffffffff" > $D/mapping 2>/dev/null && fail "mapping 0-ffffffffffffffff accepted"
echo "10000000000000000-10000000000000fff" > $D/mapping 2>/dev/null &&
	fail "mapping beyond 64 bits accepted"
echo "fffffffffffff000-fffffffffffffffe" > $D/mapping 2>/dev/null &&
	fail "mapping at the top of the address space accepted"
[ "$(cat $D/size)" = $G1 ] || fail "size is $(cat $D/size) after mapping writes"

# permissions: physical addresses are root's only
chmod 755 /  # the testbed root is 0700
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> /etc/passwd
echo "nogroup:x:65534:" >> /etc/group
as_nobody() {
	su -s /bin/sh nobody -c "$*"
}
as_nobody "cat $D/size" >/dev/null || fail "su nobody cannot read $D/size"
echo 0x$(printf '%x' $(( $(cat $R/start) + 4096 ))) > $R/poison
for f in $R/start $R/poison $D/resource $D/poison $D/mapping0/start \
	$D/mapping0/end; do
	mode=$(stat -c %a $f)
	if as_nobody "cat $f" >/tmp/out 2>/dev/null; then
		fail "nobody read $f (mode $mode): $(cat /tmp/out)"
	fi
	echo "ok, $f mode $mode: not readable by nobody"
	cat $f >/dev/null || fail "root cannot read $f"
done
for f in $R/size $R/available_size $D/size $D/align $D/mapping0/page_offset; do
	as_nobody "cat $f" >/dev/null || fail "nobody cannot read $f"
done
rmmod pdax
echo "kmod-input: ok"
