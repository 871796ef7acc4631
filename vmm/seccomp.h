/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Confinement of tinyvmm once its devices are open: inherited descriptors
 * closed, an optional drop to another user and group, resource limits, and
 * seccomp allowlists per thread kind (docs/security.md).
 *
 *   process filter  every thread; what the control thread and a live
 *                   restart need, execve included (a restarted tinyvmm
 *                   starts under it)
 *   vCPU filter     stacked on it in each vCPU thread: KVM ioctls, memory,
 *                   futexes, signals; no opens, no execve, no sockets
 *
 * A syscall outside the list kills the whole process with SIGSYS.
 */
#ifndef TINYVMM_SECCOMP_H
#define TINYVMM_SECCOMP_H

/* Close every descriptor above stderr: nothing tinyvmm opens is inherited. */
void harden_close_inherited_fds(void);
/* --user NAME|UID ('u') and --group NAME|GID ('g'); returns 0 or -EINVAL. */
int harden_set_option(int opt, const char *arg);
/*
 * After the devices are open and before any thread starts: drop to the
 * requested user/group, clear the dumpable flag, set RLIMIT_CORE to 0 and
 * RLIMIT_NOFILE to what is open plus room for the control socket and a
 * restart, and install the process filter (unless one came with a live
 * restart). Returns 0 or -errno.
 */
int harden_apply(void);
/* At the top of a vCPU thread. Returns 0 or -errno. */
int seccomp_install_vcpu(void);

#endif
