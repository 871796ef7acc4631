#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 400
# vm-suite: extended
# vmm-restart-smp.sh on a pdax device, with 4 guest vCPUs.
exec /bin/sh /tests/vm/scripts/vmm-restart-smp.sh pdax 4 10
