// SPDX-License-Identifier: GPL-2.0
/*
 * bench-zero: how fast a device's memory is zeroed before its new owner
 * sees it, against the limit, memset's bandwidth on the same memory in the
 * same run. Measures, on SIZE of pre-faulted anonymous memory (best of
 * REPS): memset on one thread, and util_zero_parallel (what daxmem scrubs
 * device-dax devices with) on one thread per CPU this process may run on.
 * Prints one TSV row per method:
 *   zero  METHOD  THREADS  BYTES  NS  MIB_PER_S  RATIO_TO_MEMSET
 *
 *   bench-zero [--size MIB] [--reps N]
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "util/zero.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

enum method { M_MEMSET, M_PARALLEL, NR_METHODS };

static uint64_t run(enum method m, char *p, uint64_t len, const cpu_set_t *cpus, unsigned int *used)
{
	uint64_t t0;

	memset(p, 0x5a, len); /* dirty again, so every method writes the same */
	*used = 1;
	t0 = now_ns();
	if (m == M_MEMSET)
		memset(p, 0, len);
	else
		util_zero_parallel(p, len, 0, cpus, used);
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "memset", "parallel" };
	uint64_t mib = 1024, len, best[NR_METHODS];
	unsigned int reps = 3, threads[NR_METHODS];
	cpu_set_t cpus;
	char *p;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			mib = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: bench-zero [--size MIB] [--reps N]\n");
			return 2;
		}
	}
	if (!mib || !reps) {
		fprintf(stderr, "bench-zero: --size and --reps must be positive\n");
		return 2;
	}
	len = mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		perror("bench-zero: mmap");
		return 1;
	}
	if (sched_getaffinity(0, sizeof(cpus), &cpus)) {
		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
	}
	for (int m = 0; m < NR_METHODS; m++)
		best[m] = UINT64_MAX;
	/* Interleaved, so drift on a noisy machine hits every method alike. */
	for (unsigned int r = 0; r < reps; r++)
		for (int m = 0; m < NR_METHODS; m++) {
			unsigned int used;
			uint64_t ns = run((enum method)m, p, len, &cpus, &used);

			if (ns < best[m]) {
				best[m] = ns;
				threads[m] = used;
			}
		}
	printf("#zero\tmethod\tthreads\tbytes\tns\tmib_per_s\tratio_to_memset\n");
	for (int m = 0; m < NR_METHODS; m++)
		printf("zero\t%s\t%u\t%llu\t%llu\t%.0f\t%.2f\n", names[m], threads[m],
		       (unsigned long long)len, (unsigned long long)best[m],
		       (double)mib * 1e9 / (double)best[m], (double)best[0] / (double)best[m]);
	munmap(p, len);
	return 0;
}
