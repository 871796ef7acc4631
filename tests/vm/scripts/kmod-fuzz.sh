#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --timeout 600
# sysfs/debugfs fuzz: thousands of random writes to every writable pdax
# attribute (numbers, sizes with suffixes past 64 bits, ranges, names,
# junk, several poison addresses in one write, oversized writes), reads of
# every attribute and of the binary poison lists in odd block sizes; no
# Oops or WARNING, and the module still unloads cleanly.
set -u
. /tests/vm/scripts/lib.inc
hmem_unbind
modprobe pdax ranges=0x100000000-0x13fffffff
words="0 1 2 -1 4096 4K 2M 1G 2G 3G 1x 0x0 0x100000000 pageless compound junk pdax0.0 pdax0.1 pdax0.2 pdax0.9 all 100000000-1001fffff 0x100200000-0x1003fffff 100000000-13fffffff 0-0 ffffffffffffffff 18446744073709551615 4097 2097151 1073741825 99999999999999999999 -5-6 - , 0x10000f000 0x13ffff000 16E 8E 1E 0x1e 0x1E 2e 16384P 4294967296K 18446744075857035264 18446744073709555712 0x10000000000000000 10000000000000000-10000000000000fff fffffffffffff000-fffffffffffffffe 0x100001000_0x100002000 0x1000030000x100004000"
nw=$(echo $words | wc -w)
pick() { # a random word
	set -- $words
	i=$(( (RANDOM % nw) + 1 ))
	eval echo "\${$i}"
}
n=0 ok=0
while [ $n -lt ${FUZZ_WRITES:-3000} ]; do
	files=$(ls -d /sys/bus/pdax/devices/*/* /sys/bus/pdax/claim /sys/bus/pdax/release /sys/kernel/debug/pdax/inject_poison /sys/kernel/debug/pdax/fault_delay_ms 2>/dev/null)
	for f in $files; do
		case ${f##*/} in
		claim|release|inject_poison|fail_range_alloc|fault_delay_ms|create|delete|poison|size|align|mapping|mode|scrub|preserved|faults_*) ;;
		*)
			# read-only attributes and directories: read in odd sizes
			[ $((RANDOM % 8)) = 0 ] && [ -f "$f" ] &&
				dd if="$f" of=/dev/null bs=$((RANDOM % 97 + 1)) 2>/dev/null
			continue ;;
		esac
		case $((RANDOM % 6)) in
		0) v=$(pick) ;;
		1) v=$RANDOM$(pick) ;;
		2) v="$(pick)$(pick)" ;;
		# several lines in one write (a poison list pasted whole)
		3) v="$(pick)
$(pick)
$(pick)" ;;
		# longer than any field
		4) v="$(pick)$(pick)$(pick)$(pick)$(pick)$(pick)$(pick)$(pick)" ;;
		*) v=$(pick) ;;
		esac
		if { echo "$v" > "$f"; } 2>/dev/null; then ok=$((ok + 1)); fi
		n=$((n + 1))
		[ $((n % 500)) = 0 ] && echo "  $n writes, $ok accepted"
		if [ $((RANDOM % 50)) = 0 ]; then
			# the fuzzed fault_delay_ms would hold each of these faults up to 1 s
			echo 0 > /sys/kernel/debug/pdax/fault_delay_ms
			for d in /dev/pdax*; do [ -c "$d" ] && kmod-pdax map $d 2M 4096 >/dev/null 2>&1; done
		fi
		if [ $((RANDOM % 100)) = 0 ]; then
			for p in /sys/bus/pdax/devices/*/poison; do
				[ -e "$p" ] || continue
				dd if="$p" bs=$((RANDOM % 13 + 1)) 2>/dev/null | cmp -s - "$p" ||
					echo "  $p: small reads differ (list changed meanwhile?)"
			done
		fi
	done
done
echo "fuzz: $n writes, $ok accepted"
echo 0 > /sys/kernel/debug/pdax/fail_range_alloc
echo 0 > /sys/kernel/debug/pdax/fault_delay_ms
for p in /sys/bus/pdax/devices/*/poison; do
	[ -e "$p" ] && echo "  $p: $(wc -l < "$p") entries"
done
cat /sys/kernel/debug/pdax/selfcheck | tail -1
for d in /sys/bus/pdax/devices/pdax*; do
	[ -e $d/scrub ] || continue
	while grep -q running $d/scrub; do sleep 1; done
done
rmmod pdax || { echo "FAIL: rmmod after fuzz"; exit 1; }
echo "kmod-fuzz: ok"
