// SPDX-License-Identifier: GPL-2.0
/*
 * pipesz FIFO BYTES: set the capacity of the pipe behind FIFO (which a
 * reader and a writer already hold open) and print it. Lets a test fill a
 * stalled stdout in a few kilobytes instead of the default 64 KiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, got;

	if (argc != 3) {
		fprintf(stderr, "usage: pipesz FIFO BYTES\n");
		return 2;
	}
	/* O_RDWR: does not wait for the other end, and keeps neither end alone */
	fd = open(argv[1], O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "pipesz: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	got = fcntl(fd, F_SETPIPE_SZ, atoi(argv[2]));
	if (got < 0) {
		fprintf(stderr, "pipesz: F_SETPIPE_SZ %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("pipesz: %s holds %d bytes\n", argv[1], got);
	close(fd);
	return 0;
}
