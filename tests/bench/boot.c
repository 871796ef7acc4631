// SPDX-License-Identifier: GPL-2.0
/*
 * bench-boot: run a command (a VMM booting a guest), time when marker lines
 * first appear in its output and when it exits. Runs inside the testbed.
 *
 *   bench-boot LABEL TIMEOUT_S MARKER[,MARKER...] -- CMD [ARGS...]
 *
 * TIMEOUT_S with a leading '+' (e.g. +300) ends the command with SIGTERM as
 * soon as every marker has been seen. The command's output goes to stderr
 * unchanged. Prints on stdout
 *   mark  LABEL MARKER ns        (one per marker seen, in order seen)
 *   boot  LABEL exit_ns status   (status: exit code, or 128+signal)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define MAX_MARKERS 8

int main(int argc, char **argv)
{
	char *markers[MAX_MARKERS], *list, *tok, *save = NULL, line[4096];
	int nr_markers = 0, nr_seen = 0, seen[MAX_MARKERS] = { 0 }, pipefd[2], status, i;
	unsigned int timeout;
	int stop_at_markers;
	uint64_t t0;
	FILE *out;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr,
			"usage: bench-boot LABEL TIMEOUT_S MARKER[,MARKER...] -- CMD [ARGS...]\n");
		return 2;
	}
	stop_at_markers = argv[2][0] == '+';
	timeout = (unsigned int)atoi(argv[2] + stop_at_markers);
	if (!timeout) {
		fprintf(stderr, "bench-boot: bad TIMEOUT_S '%s'\n", argv[2]);
		return 2;
	}
	list = strdup(argv[3]);
	for (tok = strtok_r(list, ",", &save); tok && nr_markers < MAX_MARKERS;
	     tok = strtok_r(NULL, ",", &save))
		markers[nr_markers++] = tok;

	if (pipe(pipefd)) {
		perror("bench-boot: pipe");
		return 1;
	}
	t0 = bench_now_ns();
	pid = fork();
	if (pid < 0) {
		perror("bench-boot: fork");
		return 1;
	}
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		alarm(timeout);
		execvp(argv[5], argv + 5);
		fprintf(stderr, "bench-boot: exec %s: %s\n", argv[5], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	if (!out) {
		perror("bench-boot: fdopen");
		return 1;
	}
	while (fgets(line, sizeof(line), out)) {
		uint64_t now = bench_now_ns();

		fputs(line, stderr);
		for (i = 0; i < nr_markers; i++) {
			if (seen[i] || !strstr(line, markers[i]))
				continue;
			seen[i] = 1;
			printf("mark\t%s\t%s\t%llu\n", argv[1], markers[i],
			       (unsigned long long)(now - t0));
			fflush(stdout);
			if (++nr_seen == nr_markers && stop_at_markers)
				kill(pid, SIGTERM);
		}
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("bench-boot: waitpid");
		return 1;
	}
	printf("boot\t%s\t%llu\t%d\n", argv[1], (unsigned long long)(bench_now_ns() - t0),
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	free(list);
	return 0;
}
