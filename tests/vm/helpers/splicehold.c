// SPDX-License-Identifier: GPL-2.0
/*
 * splicehold DEV: map DEV, fill its first page with a pattern, vmsplice()
 * that page into a pipe, munmap and close DEV, print "held", wait for a
 * line on stdin, then read the pipe and print "pipe ok" if it still holds
 * the pattern (else "pipe differs"). Shows whether a page referenced from
 * a pipe outlives the device's close and later configuration changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define PG 4096
#define MAPLEN (2UL << 20)

static unsigned char pat(size_t i)
{
	return (unsigned char)(0xa5 ^ (i * 7));
}

int main(int argc, char **argv)
{
	unsigned char buf[PG];
	struct iovec iov;
	char line[16];
	int fd, p[2];
	size_t i, bad = 0;
	ssize_t n;
	void *m;

	if (argc != 2) {
		fprintf(stderr, "usage: splicehold DEV\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "splicehold: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	m = mmap(NULL, MAPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "splicehold: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < PG; i++)
		((unsigned char *)m)[i] = pat(i);
	if (pipe(p)) {
		fprintf(stderr, "splicehold: pipe: %s\n", strerror(errno));
		return 1;
	}
	iov.iov_base = m;
	iov.iov_len = PG;
	n = vmsplice(p[1], &iov, 1, 0);
	if (n != PG) {
		fprintf(stderr, "splicehold: vmsplice: %zd %s\n", n, strerror(errno));
		return 1;
	}
	munmap(m, MAPLEN);
	close(fd);
	printf("held\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		fprintf(stderr, "splicehold: stdin closed, reading the pipe\n");
	n = read(p[0], buf, PG);
	if (n != PG) {
		fprintf(stderr, "splicehold: read pipe: %zd %s\n", n, strerror(errno));
		return 1;
	}
	for (i = 0; i < PG; i++)
		bad += buf[i] != pat(i);
	if (bad)
		printf("pipe differs: %zu of %d bytes (first %02x want %02x)\n",
		       bad, PG, buf[0], pat(0));
	else
		printf("pipe ok\n");
	close(p[0]);
	close(p[1]);
	return bad ? 1 : 0;
}
