// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp-outer CMD [ARG...]: run CMD under a seccomp filter that allows
 * every call, the way a container runtime or a systemd unit leaves one
 * ("Seccomp: 2" and one entry in Seccomp_filters before CMD starts).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter allow[] = {
		{ .code = BPF_RET | BPF_K, .k = SECCOMP_RET_ALLOW },
	};
	struct sock_fprog prog = { .len = 1, .filter = allow };

	if (argc < 2) {
		fprintf(stderr, "usage: seccomp-outer CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "seccomp-outer: prctl PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
		return 1;
	}
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		fprintf(stderr, "seccomp-outer: seccomp SECCOMP_SET_MODE_FILTER: %s\n",
			strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "seccomp-outer: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}
