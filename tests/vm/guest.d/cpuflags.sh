#!/bin/sh
# cpuflags ARGS: print the CPU's feature flags as the guest's kernel sees
# them (one DAXMEM-GUEST-FLAGS line), then run ckloop ARGS.
echo "DAXMEM-GUEST-FLAGS $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1) "
exec ckloop "$@"
