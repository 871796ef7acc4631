// SPDX-License-Identifier: GPL-2.0
/*
 * lockhold FILE SECONDS: take an exclusive flock on FILE (created if needed),
 * print "locked", hold it for SECONDS, release. Stands in for a second
 * daxmemctl busy changing the state, in the testbed (busybox has no flock).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: lockhold FILE SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		fprintf(stderr, "lockhold: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("locked\n");
	fflush(stdout);
	sleep(atoi(argv[2]));
	return 0;
}
