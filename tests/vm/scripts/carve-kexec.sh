#!/bin/sh
# vm-kernels: 6.12 6.1
# vm-args: --no-carve --timeout 300
# The carve planner end to end: plan 2 GiB on the live memory map, kexec into
# the same kernel with the planned memmap= argument, and check that the
# kernel made exactly the planned range Soft Reserved, that dax_hmem turned
# it into a dax device of that size, that the planner now plans around it,
# and that the boot-time memmap shrank by what the savings model says.
#   carve-kexec.sh [DAXMEMCTL]
set -e
dm=${1:-daxmemctl}
state=/carve-test
phase=$(sed -n 's/.*testbed\.phase=\([0-9]*\).*/\1/p' /proc/cmdline)
. /tests/vm/scripts/lib.inc
json_str() { sed -n "s/^ *\"$1\":\"\(.*\)\",*$/\1/p"; }
json_num() { sed -n "s/^ *\"$1\":\([0-9]*\),*$/\1/p"; }
boot_pages() { awk '$1 == "nr_memmap_boot_pages" {print $2}' /proc/vmstat; }

if [ -z "$phase" ]; then
	grep -q "Soft Reserved" /proc/iomem && fail "testbed already has Soft Reserved memory"
	$dm carve 2G > /tmp/plan.json || fail "daxmemctl carve 2G"
	cat /tmp/plan.json
	cmdline=$(json_str cmdline < /tmp/plan.json)
	start=$(json_str start < /tmp/plan.json)
	end=$(json_str end < /tmp/plan.json)
	[ -n "$cmdline" ] && [ -n "$start" ] || fail "no plan in the output"
	case "$cmdline" in memmap=2G%*-1+0xefffffff) ;; *) fail "unexpected cmdline $cmdline" ;; esac
	# Offline planning on saved copies gives the same plan.
	cat /proc/iomem > /tmp/host.iomem
	$dm carve --dump-nodes > /tmp/host.nodes || fail "daxmemctl carve --dump-nodes"
	grep -q "^node 0 " /tmp/host.nodes || fail "no node 0 in $(cat /tmp/host.nodes)"
	$dm carve 2G --from /tmp/host.iomem --nodes /tmp/host.nodes > /tmp/offline.json
	cmp -s /tmp/plan.json /tmp/offline.json || fail "offline plan differs from the live one"
	echo "offline plan on saved /proc/iomem and $(wc -l < /tmp/host.nodes) node line(s): same"
	# Impossible requests fail with one line naming the largest fit.
	if $dm carve 64G 2>/tmp/err; then fail "64G fitted in a 6G testbed"; fi
	[ "$(wc -l < /tmp/err)" = 1 ] || fail "error is not one line"
	grep -q "at most" /tmp/err || fail "error does not say what fits: $(cat /tmp/err)"
	echo "impossible plan: $(cat /tmp/err)"
	mkdir -p $state
	echo "$dm" > $state/daxmemctl
	echo "$start $end" > $state/expected
	boot_pages > $state/boot_pages
	$dm savings 2G --backend devdax --align 4K | json_num nr_memmap_pages > $state/model_pages
	echo "planned $start-$end, boot memmap pages $(cat $state/boot_pages), kexec with: $cmdline"
	cd /
	find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp -o -path ./run \) \
		-print -prune -o -print | cpio -o -H newc > /tmp/root.cpio 2>/dev/null
	kexec -l /guest/bzImage --initrd=/tmp/root.cpio \
		--command-line="$(cat /proc/cmdline) $cmdline testbed.phase=1"
	sync
	kexec -e
	fail "kexec -e returned"
fi

read -r start end < $state/expected
dm=$(cat $state/daxmemctl)
grep -q "memmap=2G%$start-1+0xefffffff" /proc/cmdline || fail "memmap= missing from $(cat /proc/cmdline)"
s=${start#0x} e=${end#0x}
awk '/^ *[0-9a-f]{9,}-/' /proc/iomem
grep -q "^ *$s-$e : Soft Reserved" /proc/iomem || fail "no Soft Reserved at $s-$e"
[ "$(grep -c 'Soft Reserved' /proc/iomem)" = 1 ] || fail "more Soft Reserved ranges than planned"

modprobe dax_hmem 2>/dev/null || true
modprobe device_dax 2>/dev/null || true
found=
for r in /sys/bus/dax/devices/dax*; do
	[ -e "$r/size" ] || continue
	echo "$(basename "$r"): size $(cat "$r/size")"
	[ "$(cat "$r/size")" = 2147483648 ] && found=$r
done
[ -n "$found" ] || fail "no 2 GiB dax device"

# The planner sees the carve: the next plan goes elsewhere, never over it.
$dm carve 1G --keep 1G > /tmp/plan2.json || fail "daxmemctl carve 1G after the carve"
n2=$(json_str start < /tmp/plan2.json)
echo "next plan starts at $n2"
[ $((n2)) -gt $((end)) ] || [ $((n2 + (1 << 30) - 1)) -lt $((start)) ] ||
	fail "second plan $n2 overlaps the carve $start-$end"
# The firmware map predates memmap= (and lists no kernel image): planning on
# it finds all of 4..8 GiB again, which the live map no longer has.
fw=$($dm carve 4G --keep 0 --from /sys/firmware/memmap | json_str start)
[ "$fw" = 0x100000000 ] || fail "planning 4G on /sys/firmware/memmap gave '$fw'"
if $dm carve 4G --keep 0 > /dev/null 2>&1; then fail "4G fitted around the carve"; fi

before=$(cat $state/boot_pages) after=$(boot_pages) model=$(cat $state/model_pages)
if [ -n "$before" ]; then
	echo "nr_memmap_boot_pages: $before without the carve, $after with it:" \
		"$((before - after)) fewer; model $model"
	[ $((before - after)) = "$model" ] ||
		fail "memmap shrank by $((before - after)) pages, model says $model"
else
	echo "nr_memmap_boot_pages: not reported by $(uname -r) (added in 6.11)"
fi
echo "PASS carve-kexec"
