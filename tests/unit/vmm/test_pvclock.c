// SPDX-License-Identifier: GPL-2.0
/* The guest's kvmclock from a pvclock page, and the clock a restore continues from. */
#include <criterion/criterion.h>
#include <errno.h>

#include "pvclock.h"

/* KVM's scale for a 2.5 GHz TSC: ns = ((tsc >> 1) * mul) >> 32, mul = 0.8 * 2^32. */
static struct pvclock_page page_2500mhz(uint64_t ts, uint64_t sys)
{
	return (struct pvclock_page){ .version = 4, .tsc_timestamp = ts, .system_time = sys,
				      .tsc_to_system_mul = 3435973837U, .tsc_shift = -1,
				      .flags = 1 };
}

Test(pvclock, reads_as_the_guest_does)
{
	struct pvclock_page p = page_2500mhz(1000, 5000000000ULL);
	uint64_t ns = 0;

	cr_assert_eq(pvclock_read(&p, 1000, &ns), 0);
	cr_assert_eq(ns, 5000000000ULL, "at the timestamp: system_time");
	cr_assert_eq(pvclock_read(&p, 1000 + 2500000000ULL, &ns), 0);
	cr_assert(ns >= 5999999999ULL && ns <= 6000000001ULL, "one second later: %llu",
		  (unsigned long long)ns);
	p = (struct pvclock_page){ .tsc_timestamp = 0, .system_time = 7,
				   .tsc_to_system_mul = 1U << 31, .tsc_shift = 1 };
	cr_assert_eq(pvclock_read(&p, 123456789, &ns), 0);
	cr_assert_eq(ns, 123456789 + 7, "mul 2^31 << 1 is one cycle per ns");
}

Test(pvclock, refuses_what_kvm_never_writes)
{
	struct pvclock_page p = page_2500mhz(1000, 0);
	uint64_t ns = 42;

	p.version = 5;
	cr_assert_eq(pvclock_read(&p, 2000, &ns), -EAGAIN, "odd version: mid-update");
	p.version = 6;
	cr_assert_eq(pvclock_read(&p, 999, &ns), -ERANGE, "TSC before the page's timestamp");
	p.tsc_shift = 40;
	cr_assert_eq(pvclock_read(&p, 2000, &ns), -EINVAL);
	p.tsc_shift = -64;
	cr_assert_eq(pvclock_read(&p, 2000, &ns), -EINVAL);
	p.tsc_shift = 31;
	cr_assert_eq(pvclock_read(&p, 1000 + (1ULL << 40), &ns), -ERANGE, "shift overflows");
	p = page_2500mhz(0, UINT64_MAX - 10);
	cr_assert_eq(pvclock_read(&p, 1ULL << 40, &ns), -ERANGE, "sum overflows");
	cr_assert_eq(ns, 42, "nothing written on error");
}

Test(pvclock, continues_from_the_latest_page)
{
	struct pvclock_sample s[4] = {
		{ .ok = 0, .ns = 1000 },		/* behind the saved clock */
		{ .ok = 0, .ns = 5300 },		/* ahead */
		{ .ok = -EAGAIN, .ns = 9000 },		/* not valid */
		{ .ok = 0, .ns = 5200 },		/* ahead, less */
	};
	int from = 7;

	cr_assert_eq(pvclock_continue(5000, s, 0, &from), 5000);
	cr_assert_eq(from, -1, "no pages: the saved clock");
	cr_assert_eq(pvclock_continue(5000, s, 1, &from), 5000);
	cr_assert_eq(from, -1, "a page behind it: the saved clock");
	cr_assert_eq(pvclock_continue(5000, s, 4, &from), 5300);
	cr_assert_eq(from, 1, "the latest valid page");
}

Test(pvclock, ignores_a_page_far_ahead)
{
	struct pvclock_sample s[2] = {
		{ .ok = 0, .ns = 1000 + PVCLOCK_MAX_AHEAD_NS + 1 },
		{ .ok = 0, .ns = 1000 + PVCLOCK_MAX_AHEAD_NS },
	};
	int from;

	cr_assert_eq(pvclock_continue(1000, s, 1, &from), 1000);
	cr_assert_eq(from, -1, "more than a minute ahead: not KVM's page");
	cr_assert_eq(pvclock_continue(1000, s, 2, &from), 1000 + PVCLOCK_MAX_AHEAD_NS);
	cr_assert_eq(from, 1);
}
