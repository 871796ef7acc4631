// SPDX-License-Identifier: GPL-2.0
/*
 * The watchdog of a live restart. Forked by the control thread just before
 * the exec, it watches its parent (which becomes the new binary) and the
 * state file. The new tinyvmm takes the state by renaming it right before
 * its vCPUs run (snapshot_consume): then the watchdog leaves. If the parent
 * dies while the state is still there (the new binary exited, refused the
 * state, crashed, or is no tinyvmm at all), the guest never ran elsewhere
 * and its memory is as saved: the watchdog execs the old binary with
 * --restore, which takes the device lock the dead process released.
 *
 * Only calls the process filter allows (fork, prctl, nanosleep, stat,
 * execve), and only async-signal-safe ones in the child of a threaded
 * process; everything it needs is prepared before the fork.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rollback.h"
#include "vmm.h"

static volatile sig_atomic_t parent_died;

static void on_parent_death(int sig)
{
	parent_died = 1;
}

static void nap_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static __attribute__((noreturn)) void watchdog(char *const argv[], char *const envp[],
					       const char *state, volatile int *armed)
{
	struct sigaction sa = { .sa_handler = on_parent_death };
	struct stat st;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGUSR2);
	prctl(PR_SET_NAME, "tinyvmm-rollbk");
	*armed = 1;
	for (long ms = 0; ms < ROLLBACK_WAIT_S * 1000L; ms += 50) {
		if (stat(state, &st))
			_exit(0); /* taken: the new tinyvmm runs the guest */
		if (parent_died) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		nap_ms(50);
	}
	_exit(0);
}

pid_t rollback_watchdog_start(const char *self, const char *state)
{
	static char *argv[4], rolled[] = ROLLBACK_ENV "=1";
	extern char **environ;
	volatile int *armed;
	char **envp;
	size_t n = 0;
	pid_t pid;

	while (environ[n])
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	armed = mmap(NULL, sizeof(*armed), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	if (!envp || armed == MAP_FAILED) {
		free(envp);
		return -ENOMEM;
	}
	for (size_t i = 0, k = 0; i < n; i++)
		if (strncmp(environ[i], ROLLBACK_ENV "=", sizeof(ROLLBACK_ENV)))
			envp[k++] = environ[i];
	for (n = 0; envp[n]; n++)
		;
	envp[n] = rolled;
	argv[0] = (char *)self;
	argv[1] = "--restore";
	argv[2] = (char *)state;
	argv[3] = NULL;
	*armed = 0;
	pid = fork();
	if (pid < 0) {
		pid = -errno;
	} else if (pid == 0) {
		watchdog(argv, envp, state, armed);
	} else {
		/* the parent must not exec before the child watches it */
		for (int ms = 0; !*armed && ms < 2000; ms++)
			nap_ms(1);
	}
	munmap((void *)armed, sizeof(*armed));
	free(envp);
	return pid;
}

void rollback_watchdog_cancel(pid_t pid)
{
	if (pid > 0)
		syscall(__NR_tgkill, pid, pid, SIGKILL);
}
