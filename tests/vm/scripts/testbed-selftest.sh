#!/bin/sh
# The testbed's own contract, checked from inside: a run that logs a kernel
# WARNING is failed by tests/vm/run, a script's exit code is propagated, a
# hung script times out (its heartbeat goes on: not taken for a frozen
# testbed), and a testbed whose heartbeat stops is killed as frozen. tests/run-all runs this script with each of its
# arguments and checks the outer exit codes (see tests/vm/selftest).
case "$1" in
exit3) echo "exiting with 3"; exit 3 ;;
warn) echo "loading a module that WARNs"; modprobe testbed_warn; exit 0 ;;
hang) echo "sleeping forever"; while :; do sleep 60; done ;;
freeze)
	echo "stopping the heartbeat, as a frozen testbed would"
	kill "$(cat /run/testbed-heartbeat.pid)"
	while :; do sleep 60; done
	;;
*) echo "usage: testbed-selftest.sh exit3|warn|hang|freeze"; exit 2 ;;
esac
