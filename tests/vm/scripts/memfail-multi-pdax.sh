#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 900
# vm-rerun: boot-only
# memfail-multi.sh with both guests on pageless devices of one pdax region.
exec /bin/sh /tests/vm/scripts/memfail-multi.sh pdax
