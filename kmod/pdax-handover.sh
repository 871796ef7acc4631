#!/bin/sh
# Hand a Soft Reserved range between dax_hmem (device-dax) and pdax.
#
#   pdax-handover.sh to-pdax START   dax_hmem -> pdax
#   pdax-handover.sh to-hmem START   pdax -> dax_hmem
#   pdax-handover.sh status          owner of each Soft Reserved range
#
# START is the range's physical start in hex (as in /proc/iomem or a dax
# device's mapping0/start). See docs/kmod.md.
set -eu

STATE=/run/pdax/handover
HMEM=/sys/bus/platform/drivers/hmem
PDAX=/sys/bus/pdax

die() {
	echo "pdax-handover: $*" >&2
	exit 1
}

norm() { # hex address -> 0x-prefixed lowercase without leading zeros
	printf '%#x' "$(( $1 ))" 2>/dev/null || die "bad address '$1'"
}

# The hmem platform device whose dax device starts at $1.
hmem_of() {
	for d in /sys/bus/platform/devices/hmem.*; do
		[ -d "$d" ] || continue
		for x in "$d"/dax*.*; do
			[ -f "$x/resource" ] || continue
			if [ "$(norm "$(cat "$x/resource")")" = "$1" ]; then
				basename "$d"
				return 0
			fi
		done
	done
	return 1
}

region_of() { # pdax region id starting at $1
	for r in "$PDAX"/devices/region*; do
		[ -f "$r/start" ] || continue
		if [ "$(norm "$(cat "$r/start")")" = "$1" ]; then
			cat "$r/id"
			return 0
		fi
	done
	return 1
}

range_end() { # inclusive end of the Soft Reserved range starting at $1
	grep ': Soft Reserved' /proc/iomem | while read -r r _; do
		s=${r%-*}
		e=${r#*-}
		if [ "$(norm "0x$s")" = "$1" ]; then
			norm "0x$e"
			return 0
		fi
	done
}

to_pdax() {
	start=$(norm "$1")
	[ -d "$PDAX" ] || modprobe pdax || die "cannot load pdax"
	if region_of "$start" >/dev/null; then
		echo "range $start already belongs to pdax region$(region_of "$start")"
		return 0
	fi
	end=$(range_end "$start")
	[ -n "$end" ] || die "no Soft Reserved range starts at $start"
	if h=$(hmem_of "$start"); then
		for x in /sys/bus/platform/devices/"$h"/dax*.*; do
			[ -d "$x" ] || continue
			drv=$(basename "$(readlink "$x/driver" 2>/dev/null)" 2>/dev/null || true)
			[ "$drv" = kmem ] && die "$(basename "$x") is onlined as System RAM (kmem); offline it first"
			if [ -c "/dev/$(basename "$x")" ] && fuser "/dev/$(basename "$x")" >/dev/null 2>&1; then
				die "/dev/$(basename "$x") is in use"
			fi
		done
		echo "$h" > "$HMEM/unbind" || die "unbind $h from hmem failed"
		mkdir -p "$STATE"
		echo "$h" > "$STATE/$start"
		echo "unbound $h from dax_hmem"
	fi
	echo "$start-$end" > "$PDAX/claim" || die "pdax claim $start-$end failed"
	echo "range $start-$end now pdax region$(region_of "$start")"
}

to_hmem() {
	start=$(norm "$1")
	if id=$(region_of "$start"); then
		echo "$id" > "$PDAX/release" || die "release of pdax region$id failed (device open?)"
		echo "released pdax region$id"
	fi
	h=""
	[ -f "$STATE/$start" ] && h=$(cat "$STATE/$start")
	if [ -z "$h" ]; then
		for d in /sys/bus/platform/devices/hmem.*; do
			[ -d "$d" ] && [ ! -e "$d/driver" ] && { h=$(basename "$d"); break; }
		done
	fi
	[ -n "$h" ] || die "no unbound hmem device for $start"
	echo "$h" > "$HMEM/bind" || die "bind $h to hmem failed"
	rm -f "$STATE/$start"
	echo "bound $h to dax_hmem"
}

status() {
	grep ': Soft Reserved' /proc/iomem | while read -r r _; do
		s=$(norm "0x${r%-*}")
		if id=$(region_of "$s"); then
			echo "$r pdax region$id"
		elif h=$(hmem_of "$s"); then
			echo "$r dax_hmem $h"
		else
			echo "$r unowned"
		fi
	done
}

case "${1:-}" in
to-pdax) [ $# -eq 2 ] || die "usage: $0 to-pdax START"; to_pdax "$2" ;;
to-hmem) [ $# -eq 2 ] || die "usage: $0 to-hmem START"; to_hmem "$2" ;;
status) status ;;
*) die "usage: $0 to-pdax START | to-hmem START | status" ;;
esac
