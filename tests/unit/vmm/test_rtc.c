// SPDX-License-Identifier: GPL-2.0
/* The CMOS RTC: time of day in BCD and binary, 12/24 h, SET, CMOS RAM. */
#include <criterion/criterion.h>

#include "rtc.h"

static time_t fixed_now;

static time_t fake_clock(void)
{
	return fixed_now;
}

static uint8_t rd(struct rtc *r, uint8_t reg)
{
	uint8_t v = reg;

	rtc_io(r, 0, &v, 1, true);
	rtc_io(r, 1, &v, 1, false);
	return v;
}

static void wr(struct rtc *r, uint8_t reg, uint8_t val)
{
	rtc_io(r, 0, &reg, 1, true);
	rtc_io(r, 1, &val, 1, true);
}

Test(rtc, bcd_time_and_clear_uip)
{
	struct rtc r;

	fixed_now = 1795418726; /* 2026-11-23 07:25:26 UTC, a Monday */
	rtc_init(&r, fake_clock);
	cr_assert_eq(rd(&r, 0x0a) & 0x80, 0, "update never in progress");
	cr_assert_eq(rd(&r, 0x0d), 0x80, "valid RAM and time");
	cr_assert_eq(rd(&r, 0x00), 0x26);
	cr_assert_eq(rd(&r, 0x02), 0x25);
	cr_assert_eq(rd(&r, 0x04), 0x07);
	cr_assert_eq(rd(&r, 0x06), 0x02, "Monday is day 2");
	cr_assert_eq(rd(&r, 0x07), 0x23);
	cr_assert_eq(rd(&r, 0x08), 0x11);
	cr_assert_eq(rd(&r, 0x09), 0x26);
	cr_assert_eq(rd(&r, 0x32), 0x20);
	fixed_now += 60;
	cr_assert_eq(rd(&r, 0x02), 0x26, "follows the host clock");
}

Test(rtc, binary_and_12_hour)
{
	struct rtc r;

	fixed_now = 1795418726 + 8 * 3600; /* 15:25:26 */
	rtc_init(&r, fake_clock);
	wr(&r, 0x0b, 0x04); /* binary, 12 hour */
	cr_assert_eq(rd(&r, 0x04), 0x80 | 3, "3 PM");
	cr_assert_eq(rd(&r, 0x00), 26);
	wr(&r, 0x0b, 0x06);
	cr_assert_eq(rd(&r, 0x04), 15);
}

Test(rtc, guest_sets_the_time)
{
	struct rtc r;

	fixed_now = 1795418726;
	rtc_init(&r, fake_clock);
	wr(&r, 0x0b, 0x82); /* SET, 24 h, BCD */
	cr_assert_eq(rd(&r, 0x02), 0x25, "latched while SET");
	wr(&r, 0x09, 0x30); /* 2030 */
	wr(&r, 0x0b, 0x02);
	cr_assert_eq(rd(&r, 0x09), 0x30);
	cr_assert_eq(rd(&r, 0x02), 0x25);
	fixed_now += 3600;
	cr_assert_eq(rd(&r, 0x04), 0x08, "offset kept, clock runs");
	cr_assert_eq(rd(&r, 0x09), 0x30);
}

Test(rtc, cmos_ram_index_and_read_only_regs)
{
	struct rtc r;
	uint8_t v[2] = { 0, 0 };

	fixed_now = 0;
	rtc_init(&r, fake_clock);
	wr(&r, 0x8f, 0x5a); /* bit 7 of the index is the NMI mask */
	cr_assert_eq(rd(&r, 0x0f), 0x5a);
	wr(&r, 0x7f, 0xa5);
	cr_assert_eq(rd(&r, 0x7f), 0xa5);
	wr(&r, 0x0d, 0x00);
	cr_assert_eq(rd(&r, 0x0d), 0x80, "D is read-only");
	wr(&r, 0x0a, 0xa6);
	cr_assert_eq(rd(&r, 0x0a), 0x26, "UIP is read-only");
	rtc_io(&r, 1, v, 2, false);
	cr_assert(v[0] == 0xff && v[1] == 0xff, "only byte access");
}
