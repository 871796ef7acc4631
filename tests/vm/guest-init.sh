#!/bin/sh
# /init of the L2 guest that tinyvmm boots inside the testbed.
# Kernel parameters understood:
#   guest.run=NAME   run /bin/NAME (or /guest.d/NAME.sh) before powering off
#   guest.args=A,B   arguments for it, comma separated
#   guest.shell=1    start a shell on the console instead of powering off
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
echo "DAXMEM-GUEST-INIT-OK cpus=$(grep -c ^processor /proc/cpuinfo) mem_kb=$(sed -n 's/MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
run=$(sed -n 's/.*guest\.run=\([^ ]*\).*/\1/p' /proc/cmdline)
args=$(sed -n 's/.*guest\.args=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
if [ -n "$run" ]; then
	if [ -x "/guest.d/$run.sh" ]; then
		"/guest.d/$run.sh" $args
	else
		"$run" $args
	fi
	echo "DAXMEM-GUEST-RUN-EXIT=$?"
fi
if grep -q 'guest\.shell=1' /proc/cmdline; then
	setsid cttyhack sh
fi
echo "DAXMEM-GUEST-POWEROFF"
sync
reboot -f
