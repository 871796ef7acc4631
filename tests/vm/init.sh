#!/bin/sh
# /init of the testbed kernel: mount the usual filesystems, load the modules a
# daxmem host uses, run the test script, check the kernel log, report, power off.
export PATH=/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /tmp /run /var/lib/daxmem
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname testbed
ln -sf /proc/self/fd /dev/fd 2>/dev/null
. /etc/testbed.env
# after a host kexec into another kernel, name the running one
TESTBED_KREL=$(uname -r)
case "$TESTBED_KREL" in 6.1.*) TESTBED_KERNEL=6.1 ;; 6.12.*) TESTBED_KERNEL=6.12 ;; esac

arg() { # value of testbed.X= on the kernel command line
	sed -n "s/.*testbed\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}

echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null
echo 30 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null

if [ "$(arg modules)" != "none" ]; then
	for m in kvm kvm_amd device_dax dax_hmem; do
		modprobe "$m" 2>/dev/null || echo "testbed: modprobe $m failed"
	done
fi
# Ask the kernel to find dax_hmem's regions if udev would have loaded it later.
udevadm settle 2>/dev/null
# With tests/vm/run --park: hold KVM's and perf's static keys above 0 for
# the whole run, so guests starting and stopping never patch kernel text
# under each other's vCPUs (docs/testbed.md, "Several guests at once").
if [ -c /dev/kvm ] && [ "$(arg park)" = 1 ] && command -v kvm-park >/dev/null; then
	kvm-park >/run/kvm-park.log 2>&1 &
	echo $! > /run/kvm-park.pid
	i=0
	until grep -q ready /run/kvm-park.log 2>/dev/null || [ $i -ge 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q ready /run/kvm-park.log || echo "testbed: kvm-park: $(cat /run/kvm-park.log)"
fi

# heartbeat on the second serial port: tests/vm/run tells a frozen testbed
# from a script that is merely slow or hung
( while :; do echo . > /dev/ttyS1; sleep 10; done ) 2>/dev/null &
echo $! > /run/testbed-heartbeat.pid

cd /tmp
rc=0
if [ -x /test/script ]; then
	set -- $(cat /test/args 2>/dev/null)
	echo "TESTBED-SCRIPT-START"
	/test/script "$@" </dev/null
	rc=$?
else
	echo "testbed: no script" ; rc=127
fi

problems=$(dmesg | grep -E 'Oops|BUG:|WARNING:|Call Trace:|INFO: task .* blocked|hung_task|general protection|kernel BUG|UBSAN:|KASAN:' | head -20)
if [ -n "$problems" ]; then
	echo "TESTBED-KERNEL-PROBLEM: the kernel logged an error during the run:"
	dmesg | grep -E -B5 -A25 'Oops|BUG:|WARNING:|INFO: task .* blocked|general protection|UBSAN:|KASAN:' | head -80
	echo "TESTBED-KERNEL-PROBLEM-END"
fi
echo "TESTBED-EXIT=$rc"
sync
poweroff -f
