// SPDX-License-Identifier: LGPL-2.1
/* Zeroing at memory bandwidth; see zero.h. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/zero.h"

#define SLICE_ALIGN (2ULL << 20)

struct slice {
	char *p;
	uint64_t len;
	int cpu;
	pthread_t thread;
	int started;
};

static void *zero_slice(void *arg)
{
	struct slice *s = arg;

	if (s->cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(s->cpu, &one);
		/* Only placement: zeroing on another CPU is slower, not wrong. */
		(void)pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	}
	for (uint64_t off = 0; off < s->len; off += 1ULL << 30) {
		uint64_t n = s->len - off < (1ULL << 30) ? s->len - off : 1ULL << 30;

		memset(s->p + off, 0, (size_t)n);
	}
	return NULL;
}

/* The i-th CPU of set, or -1. */
static int nth_cpu(const cpu_set_t *set, unsigned int i)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && i-- == 0)
			return c;
	return -1;
}

void util_zero_parallel(void *p, uint64_t len, unsigned int nthreads, const cpu_set_t *cpus,
			unsigned int *used)
{
	struct slice s[UTIL_ZERO_MAX_THREADS];
	unsigned int ncpus = cpus ? (unsigned int)CPU_COUNT(cpus) : 1;
	uint64_t per, off = 0;
	unsigned int n, i;

	n = nthreads ? nthreads : ncpus;
	if (n > UTIL_ZERO_MAX_THREADS)
		n = UTIL_ZERO_MAX_THREADS;
	/* Slices of at least 64 MiB: below that a thread costs more than it gives. */
	if (n > len / (64ULL << 20))
		n = (unsigned int)(len / (64ULL << 20));
	if (n == 0)
		n = 1;
	per = (len / n + SLICE_ALIGN - 1) & ~(SLICE_ALIGN - 1);
	for (i = 0; i < n; i++) {
		uint64_t l = len - off < per ? len - off : per;

		s[i] = (struct slice){ .p = (char *)p + off, .len = l, .cpu = -1 };
		if (cpus && ncpus)
			s[i].cpu = nth_cpu(cpus, i % ncpus);
		off += l;
	}
	*used = 1;
	/* Slice 0 is the caller's; the others get threads where they can. */
	for (i = 1; i < n; i++)
		if (s[i].len && !pthread_create(&s[i].thread, NULL, zero_slice, &s[i])) {
			s[i].started = 1;
			(*used)++;
		}
	zero_slice(&s[0]);
	for (i = 1; i < n; i++) {
		if (s[i].started)
			pthread_join(s[i].thread, NULL);
		else if (s[i].len)
			zero_slice(&s[i]);
	}
}

int util_parse_cpulist(const char *s, cpu_set_t *set)
{
	int count = 0;

	CPU_ZERO(set);
	while (*s && *s != '\n') {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long c = a; c <= b; c++)
			if (!CPU_ISSET(c, set)) {
				CPU_SET(c, set);
				count++;
			}
		s = end;
		if (*s == ',') {
			s++;
			if (!*s || *s == '\n')
				return -EINVAL;
		} else if (*s && *s != '\n') {
			return -EINVAL;
		}
	}
	return count;
}
