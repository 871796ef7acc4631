/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Zeroing memory at memory bandwidth: split over threads pinned to the
 * CPUs nearest the memory, since one core cannot drive a socket's memory
 * controllers. Each thread uses memset, which glibc turns into
 * non-temporal stores (no cache filled with lines nobody will read) above
 * its non-temporal threshold, with the widest stores the CPU has: measured
 * here, a hand-written 16-byte streaming loop was 30 % slower. Used to
 * scrub a device before its new owner can read it.
 */
#ifndef _UTIL_ZERO_H_
#define _UTIL_ZERO_H_

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* More threads than this add nothing a memory controller can give. */
#define UTIL_ZERO_MAX_THREADS 64

/*
 * Zero [p, p + len) with up to nthreads threads (0: one per CPU of cpus,
 * at most UTIL_ZERO_MAX_THREADS), thread i pinned to the i-th CPU of cpus
 * when cpus is not NULL, each taking a slice that starts on a 2 MiB
 * boundary. A thread that cannot be started leaves its slice to the
 * caller, so the memory is always zeroed. *used is the number of threads
 * that ran (the caller counts as one).
 */
void util_zero_parallel(void *p, uint64_t len, unsigned int nthreads, const cpu_set_t *cpus,
			unsigned int *used);

/*
 * Parse a sysfs CPU list ("0-3,8,10-11\n") into set. Returns the number of
 * CPUs, or -EINVAL for anything else (an empty list is 0 CPUs).
 */
int util_parse_cpulist(const char *s, cpu_set_t *set);

#endif /* _UTIL_ZERO_H_ */
