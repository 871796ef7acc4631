// SPDX-License-Identifier: GPL-2.0
/*
 * ckloop: a Linux guest program for live-restart tests. It keeps a running
 * checksum over a large buffer while changing one word per step, checks
 * the running sum against a full recomputation every pass, and checks that
 * CLOCK_MONOTONIC and CLOCK_REALTIME never go backwards. Prints progress
 * twice a second; exits 0 after SECONDS (default 60) if all checks held.
 *
 *   ckloop [SECONDS] [MIB]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

int main(int argc, char **argv)
{
	uint64_t secs = argc > 1 ? strtoull(argv[1], NULL, 10) : 60;
	uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 64;
	uint64_t words = mib << 17, sum = 0, iter = 0, passes = 0;
	uint64_t start = ns(CLOCK_MONOTONIC), last_mono = start;
	uint64_t last_real = ns(CLOCK_REALTIME), next_print = start;
	uint64_t *buf = malloc(words * sizeof(*buf));

	if (!buf || !words) {
		printf("CKLOOP FAIL cannot allocate %llu MiB\n", (unsigned long long)mib);
		return 1;
	}
	for (uint64_t i = 0; i < words; i++) {
		buf[i] = mix(i);
		sum += buf[i];
	}
	printf("CKLOOP START words=%llu sum=%016llx\n", (unsigned long long)words,
	       (unsigned long long)sum);
	fflush(stdout);
	for (;;) {
		uint64_t mono, real, full = 0;

		/* One pass: change every 4096th word, keeping the sum current. */
		for (uint64_t i = passes % 4096; i < words; i += 4096) {
			uint64_t v = mix(i ^ (++iter << 20));

			sum += v - buf[i];
			buf[i] = v;
		}
		for (uint64_t i = 0; i < words; i++)
			full += buf[i];
		passes++;
		if (full != sum) {
			printf("CKLOOP FAIL checksum mismatch at pass %llu: %016llx != %016llx\n",
			       (unsigned long long)passes, (unsigned long long)full,
			       (unsigned long long)sum);
			return 1;
		}
		mono = ns(CLOCK_MONOTONIC);
		real = ns(CLOCK_REALTIME);
		if (mono < last_mono || real < last_real) {
			printf("CKLOOP FAIL time went backwards: mono %llu < %llu or real %llu < %llu\n",
			       (unsigned long long)mono, (unsigned long long)last_mono,
			       (unsigned long long)real, (unsigned long long)last_real);
			return 1;
		}
		last_mono = mono;
		last_real = real;
		if (mono >= next_print) {
			printf("CKLOOP pass=%llu iter=%llu sum=%016llx up_ms=%llu\n",
			       (unsigned long long)passes, (unsigned long long)iter,
			       (unsigned long long)sum, (unsigned long long)((mono - start) / 1000000));
			fflush(stdout);
			next_print = mono + 500000000ULL;
		}
		if (mono - start >= secs * 1000000000ULL)
			break;
	}
	printf("CKLOOP DONE ok passes=%llu\n", (unsigned long long)passes);
	return 0;
}
