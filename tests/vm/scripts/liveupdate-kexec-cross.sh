#!/bin/sh
# vm-kernels: 6.12
# vm-args: --timeout 1500 --kexec-kernel 6.1
# vm-suite: extended
#   Not in `make test`: in one of three runs the guest restored under 6.1
#   triple-faulted after its first checksum pass (open, see
#   docs/host-live-update.md); tests/run-all --extended liveupdate-kexec-cross.
# Host kernel live update across kernel versions: liveupdate-kexec.sh with
# the first kexec going from Debian's 6.12 to Debian's 6.1 (carried by
# tests/vm/run --kexec-kernel 6.1 with its modules and the 6.1 build of
# pdax). The guest saved under 6.12 resumes under 6.1, the preserved
# devices of both backends keep their contents, the others read zeros.
# The second kexec (metadata refused for another carve) goes back to 6.12.
LU_KEXEC_KERNEL=/guest/kexec/bzImage
export LU_KEXEC_KERNEL
. /tests/vm/scripts/liveupdate-kexec.sh
