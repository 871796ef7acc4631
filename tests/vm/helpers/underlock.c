// SPDX-License-Identifier: GPL-2.0
/*
 * underlock FILE CMD [ARGS...]: run CMD holding an exclusive flock on FILE
 * (the daxmem state lock), the way daxmemctl holds it while it changes
 * devices. Lets a test look at the kernel's devices between two daxmemctl
 * changes, never during one (busybox has no flock).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: underlock FILE CMD [ARGS...]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		fprintf(stderr, "underlock: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "underlock: exec %s: %s\n", argv[2], strerror(errno));
	return 127;
}
