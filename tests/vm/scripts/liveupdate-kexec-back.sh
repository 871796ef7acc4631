#!/bin/sh
# vm-kernels: 6.1
# vm-args: --timeout 1500 --kexec-kernel 6.12
# Host kernel live update from Debian's 6.1 to Debian's 6.12: the other
# direction of liveupdate-kexec-cross.sh. The guest saved under 6.1
# resumes under 6.12 (whose KVM offers more MSRs than were saved); the
# preserved devices keep their contents, the others read zeros.
LU_KEXEC_KERNEL=/guest/kexec/bzImage
export LU_KEXEC_KERNEL
. /tests/vm/scripts/liveupdate-kexec.sh
