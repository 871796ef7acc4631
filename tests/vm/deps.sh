#!/usr/bin/env bash
# Install what daxmem needs to build and test, from Debian only, and unpack
# Debian's 6.12 and 6.1 kernels (image, modules, headers) under build/k/<ver>.
# Never installs a kernel into /boot. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

PKGS=(build-essential gcc make pkg-config libjson-c-dev libdaxctl-dev libndctl-dev
      daxctl ndctl libcriterion-dev qemu-system-x86 busybox-static cpio kmod xz-utils
      zstd dwarves bc flex bison libelf-dev libssl-dev gnuplot-nox clang
      libclang-rt-14-dev python3 kexec-tools)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
apt_updated=0
apt_update() {
	[ $apt_updated = 1 ] && return
	$SUDO apt-get update -qq
	apt_updated=1
}
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	apt_update
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# Kernel packages: the newest 6.12 from bookworm-security and the 6.1 that
# linux-image-amd64 points at. Resolved through apt so the versions follow the
# archive, then pinned in build/k/<ver>/.version.
resolve() { # metapackage -> versioned image package name
	apt-cache depends "$1" 2>/dev/null | awk '/Depends:/ {print $2; exit}'
}
fetch_kernel() { # ver image-metapackage
	local ver=$1 meta=$2 dir=$BUILD/k/$1
	[ -f "$dir/.done" ] && return 0
	apt_update
	local img flavour
	img=$(resolve "$meta")
	[ -n "$img" ] || { echo "deps: cannot resolve $meta" >&2; exit 1; }
	flavour=${img#linux-image-} # e.g. 6.12.117+deb12-amd64
	local common=linux-headers-${flavour%-amd64}-common
	local kbuild
	kbuild=$(apt-cache depends "linux-headers-$flavour" | awk '/Depends: linux-kbuild/ {print $2; exit}')
	echo "deps: fetching kernel $flavour"
	rm -rf "$dir" "$BUILD/debs/$ver"
	mkdir -p "$dir" "$BUILD/debs/$ver"
	(cd "$BUILD/debs/$ver" && apt-get download -qq "$img-unsigned" "linux-headers-$flavour" \
		"$common" "$kbuild" 2>/dev/null ||
		apt-get download -qq "$img" "linux-headers-$flavour" "$common" "$kbuild")
	for f in "$BUILD"/debs/"$ver"/*.deb; do dpkg -x "$f" "$dir"; done
	# The arch headers include the common tree by absolute path; point it here.
	local mk
	mk=$(echo "$dir"/usr/src/linux-headers-"$flavour"/Makefile)
	sed -i "s|^include /usr/src/|include $(realpath "$dir")/usr/src/|" "$mk"
	# Debian generates modules.dep at install time; do it here.
	depmod -b "$dir" "$flavour"
	echo "$flavour" > "$dir/.version"
	rm -rf "$BUILD/debs/$ver"
	touch "$dir/.done"
}
fetch_kernel 6.12 linux-image-6.12-amd64
fetch_kernel 6.1 linux-image-amd64
echo "deps: ok ($(cat "$BUILD"/k/6.12/.version), $(cat "$BUILD"/k/6.1/.version))"
