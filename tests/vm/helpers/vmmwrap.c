// SPDX-License-Identifier: GPL-2.0
/*
 * vmmwrap: a restart target that fails the way a broken new tinyvmm does.
 * What it does depends on the name it is run under (a symlink):
 *   *reject*  exec tinyvmm ARGS --dax /dev/dax1.0: the state is refused
 *             (another device)
 *   *crash*   exec tinyvmm ARGS with the seccomp self-test armed: killed
 *             by SIGSYS after mapping guest RAM and restoring the state
 * Runs under the restarting tinyvmm's seccomp filter: only execve.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *args[64];
	int n = 0;

	if (argc > 60)
		return 2;
	args[n++] = "tinyvmm";
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	if (strstr(argv[0], "reject")) {
		args[n++] = "--dax";
		args[n++] = "/dev/dax1.0";
	} else if (strstr(argv[0], "crash")) {
		setenv("TINYVMM_SECCOMP_SELFTEST", "process", 1);
	} else {
		return 2;
	}
	args[n] = NULL;
	execvp(args[0], args);
	perror("vmmwrap: exec tinyvmm");
	return 127;
}
