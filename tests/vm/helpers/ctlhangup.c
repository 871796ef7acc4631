// SPDX-License-Identifier: GPL-2.0
/*
 * ctlhangup SOCK N: N control clients that send "status" and hang up before
 * the reply (what `echo status | nc -U -q0 SOCK` does; busybox has no nc -U).
 * Prints how many connected; exits 1 if any connect failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int n, ok = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: ctlhangup SOCK N\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	n = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			fprintf(stderr, "ctlhangup: client %d: connect %s: %s\n", i, argv[1],
				strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (write(fd, "status\n", 7) == 7)
			ok++;
		/* gone before tinyvmm writes its reply */
		close(fd);
	}
	printf("ctlhangup: %d of %d clients sent status and hung up\n", ok, n);
	return ok == n ? 0 : 1;
}
