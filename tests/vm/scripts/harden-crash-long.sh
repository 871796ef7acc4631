#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 5400
# vm-suite: extended
# harden-crash.sh with 2000 cycles (about 35 `restore` repairs): the long
# run, outside `make test`; tests/run-all --extended harden-crash-long.
HARDEN_CRASH_CYCLES=2000
export HARDEN_CRASH_CYCLES
. /tests/vm/scripts/harden-crash.sh
