// SPDX-License-Identifier: GPL-2.0
/*
 * clockwatch: a Linux guest program for live-restart tests. It reads
 * CLOCK_MONOTONIC and CLOCK_REALTIME back to back in a tight loop (through
 * the vDSO, as most programs do) and reports every read that is earlier
 * than the one before it, with the size of the step, so a clock that
 * steps back by microseconds is seen, not only one that steps back by more
 * than a workload's pass. Prints progress twice a second; exits 0 after
 * SECONDS (default 60) if neither clock ever went back, 1 otherwise.
 *
 *   clockwatch [SECONDS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t secs = argc > 1 ? strtoull(argv[1], NULL, 10) : 60;
	uint64_t start = ns(CLOCK_MONOTONIC), mono = start, real = ns(CLOCK_REALTIME);
	uint64_t next_print = start, reads = 0, backs = 0, worst = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		uint64_t m = ns(CLOCK_MONOTONIC), r = ns(CLOCK_REALTIME);

		reads++;
		if (m < mono || r < real) {
			uint64_t by_m = m < mono ? mono - m : 0, by_r = r < real ? real - r : 0;

			backs++;
			if (by_m > worst)
				worst = by_m;
			printf("CLOCKWATCH BACK after %llu reads: monotonic by %llu ns, realtime by %llu ns\n",
			       (unsigned long long)reads, (unsigned long long)by_m,
			       (unsigned long long)by_r);
		}
		mono = m;
		real = r;
		if (m >= next_print) {
			printf("CLOCKWATCH up_ms=%llu reads=%llu backs=%llu worst_ns=%llu\n",
			       (unsigned long long)((m - start) / 1000000),
			       (unsigned long long)reads, (unsigned long long)backs,
			       (unsigned long long)worst);
			next_print = m + 500000000ULL;
			if (m - start >= secs * 1000000000ULL)
				break;
		}
	}
	return backs ? 1 : 0;
}
