// SPDX-License-Identifier: GPL-2.0
/*
 * daxpattern: write or check a pattern through mmap of a dax character
 * device, for the testbed.
 *
 *   daxpattern write  DEV SIZE SEED   fill every 8-byte word with f(SEED, offset)
 *   daxpattern verify DEV SIZE SEED   count words that differ from f(SEED, offset)
 *   daxpattern zero   DEV SIZE        count words that are not zero
 *
 * Prints what it did and the count; exits 0 only when the count is 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t word(uint64_t seed, uint64_t off)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ off;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	switch (*end) {
	case 'K':
		*v <<= 10, end++;
		break;
	case 'M':
		*v <<= 20, end++;
		break;
	case 'G':
		*v <<= 30, end++;
		break;
	}
	return errno || *end || end == s ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t size, seed = 0, i, bad = 0, first = UINT64_MAX;
	struct timespec t0, t1;
	volatile uint64_t *p;
	const char *op;
	int fd;

	if (argc < 4 || parse_u64(argv[3], &size) || !size || size % 8 ||
	    (strcmp(argv[1], "zero") && (argc < 5 || parse_u64(argv[4], &seed)))) {
		fprintf(stderr, "usage: daxpattern write|verify DEV SIZE SEED | zero DEV SIZE\n");
		return 2;
	}
	op = argv[1];
	fd = open(argv[2], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "daxpattern: open %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "daxpattern: mmap %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < size / 8; i++) {
		uint64_t want = strcmp(op, "zero") ? word(seed, i * 8) : 0;

		if (!strcmp(op, "write")) {
			p[i] = want;
		} else if (p[i] != want) {
			if (first == UINT64_MAX)
				first = i * 8;
			bad++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("daxpattern: %s %s %llu bytes in %ld ms: %llu bad words", op, argv[2],
	       (unsigned long long)size,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000),
	       (unsigned long long)bad);
	if (bad)
		printf(", first at offset %#llx", (unsigned long long)first);
	printf("\n");
	munmap((void *)p, size);
	close(fd);
	return bad ? 1 : 0;
}
