#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 500
# Live restart (vmm-restart.sh) with guest RAM on a pageless pdax device at
# 1 GiB align: the memory outlives the process the same way.
exec /bin/sh /tests/vm/scripts/vmm-restart.sh pdax
