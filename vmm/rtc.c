// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC. The time registers are computed from the host clock (plus
 * the offset the guest set) on every read, so an update is never in
 * progress and register A's UIP bit is always clear. Pure: the clock is a
 * callback.
 */
#include <string.h>

#include "rtc.h"

enum {
	REG_SEC = 0x00,
	REG_MIN = 0x02,
	REG_HOUR = 0x04,
	REG_WDAY = 0x06,
	REG_MDAY = 0x07,
	REG_MON = 0x08,
	REG_YEAR = 0x09,
	REG_A = 0x0a,
	REG_B = 0x0b,
	REG_C = 0x0c,
	REG_D = 0x0d,
	REG_CENTURY = 0x32,
};

#define REG_A_DEFAULT 0x26 /* 32.768 kHz divider, 1024 Hz rate, UIP clear */
#define REG_B_SET 0x80
#define REG_B_BINARY 0x04
#define REG_B_24H 0x02
#define REG_D_VRT 0x80 /* valid RAM and time */
#define HOUR_PM 0x80

static const uint8_t time_regs[] = { REG_SEC,  REG_MIN, REG_HOUR, REG_WDAY,
				     REG_MDAY, REG_MON, REG_YEAR, REG_CENTURY };

void rtc_init(struct rtc *rtc, time_t (*now)(void))
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->now = now;
	rtc->r.cmos[REG_A] = REG_A_DEFAULT;
	rtc->r.cmos[REG_B] = REG_B_24H;
	rtc->r.cmos[REG_D] = REG_D_VRT;
}

static bool rtc_is_time_reg(uint8_t reg)
{
	for (unsigned i = 0; i < sizeof(time_regs); i++)
		if (time_regs[i] == reg)
			return true;
	return false;
}

static uint8_t to_bcd(const struct rtc *rtc, int v)
{
	if (rtc->r.cmos[REG_B] & REG_B_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static int from_bcd(const struct rtc *rtc, uint8_t v)
{
	if (rtc->r.cmos[REG_B] & REG_B_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t rtc_hour_out(const struct rtc *rtc, int hour)
{
	int h12;

	if (rtc->r.cmos[REG_B] & REG_B_24H)
		return to_bcd(rtc, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return to_bcd(rtc, h12) | (hour >= 12 ? HOUR_PM : 0);
}

static int rtc_hour_in(const struct rtc *rtc, uint8_t v)
{
	int h;

	if (rtc->r.cmos[REG_B] & REG_B_24H)
		return from_bcd(rtc, v);
	h = from_bcd(rtc, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? h + 12 : h;
}

static uint8_t rtc_time_reg(const struct rtc *rtc, uint8_t reg)
{
	time_t t = rtc->now() + rtc->r.offset;
	struct tm tm;
	int year;

	gmtime_r(&t, &tm);
	/* the guest may have set a year before 1900 (or before year 0) */
	year = tm.tm_year + 1900 > 0 ? tm.tm_year + 1900 : 0;
	switch (reg) {
	case REG_SEC:
		return to_bcd(rtc, tm.tm_sec);
	case REG_MIN:
		return to_bcd(rtc, tm.tm_min);
	case REG_HOUR:
		return rtc_hour_out(rtc, tm.tm_hour);
	case REG_WDAY:
		return to_bcd(rtc, tm.tm_wday + 1);
	case REG_MDAY:
		return to_bcd(rtc, tm.tm_mday);
	case REG_MON:
		return to_bcd(rtc, tm.tm_mon + 1);
	case REG_YEAR:
		return to_bcd(rtc, year % 100);
	default:
		return to_bcd(rtc, year / 100);
	}
}

/* Latch the time registers (SET on) or make what the guest wrote the time. */
static void rtc_set_mode(struct rtc *rtc, uint8_t old_b, uint8_t new_b)
{
	struct tm tm = { 0 };
	time_t t;

	if (!(old_b & REG_B_SET) && (new_b & REG_B_SET)) {
		for (unsigned i = 0; i < sizeof(time_regs); i++)
			rtc->r.cmos[time_regs[i]] = rtc_time_reg(rtc, time_regs[i]);
		return;
	}
	if (!(old_b & REG_B_SET) || (new_b & REG_B_SET))
		return;
	tm.tm_sec = from_bcd(rtc, rtc->r.cmos[REG_SEC]);
	tm.tm_min = from_bcd(rtc, rtc->r.cmos[REG_MIN]);
	tm.tm_hour = rtc_hour_in(rtc, rtc->r.cmos[REG_HOUR]);
	tm.tm_mday = from_bcd(rtc, rtc->r.cmos[REG_MDAY]);
	tm.tm_mon = from_bcd(rtc, rtc->r.cmos[REG_MON]) - 1;
	tm.tm_year = from_bcd(rtc, rtc->r.cmos[REG_CENTURY]) * 100 +
		     from_bcd(rtc, rtc->r.cmos[REG_YEAR]) - 1900;
	t = timegm(&tm);
	if (t != (time_t)-1)
		rtc->r.offset = (int64_t)(t - rtc->now());
}

static uint8_t rtc_read(struct rtc *rtc, uint8_t reg)
{
	uint8_t v;

	if (rtc_is_time_reg(reg) && !(rtc->r.cmos[REG_B] & REG_B_SET))
		return rtc_time_reg(rtc, reg);
	v = rtc->r.cmos[reg];
	if (reg == REG_C)
		rtc->r.cmos[REG_C] = 0; /* reading C acknowledges its flags */
	return v;
}

static void rtc_write(struct rtc *rtc, uint8_t reg, uint8_t v)
{
	switch (reg) {
	case REG_A:
		rtc->r.cmos[REG_A] = v & 0x7f; /* UIP is read-only */
		break;
	case REG_B:
		rtc_set_mode(rtc, rtc->r.cmos[REG_B], v);
		rtc->r.cmos[REG_B] = v;
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		if (!rtc_is_time_reg(reg) || (rtc->r.cmos[REG_B] & REG_B_SET))
			rtc->r.cmos[reg] = v;
		break;
	}
}

void rtc_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write)
{
	struct rtc *rtc = dev;

	if (size != 1) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (offset == 0) {
		/* Bit 7 masks NMIs on a PC; KVM's NMIs are not gated by it. */
		if (is_write)
			rtc->r.index = data[0] & 0x7f;
		else
			data[0] = 0xff; /* the index register is write-only */
		return;
	}
	if (is_write)
		rtc_write(rtc, rtc->r.index, data[0]);
	else
		data[0] = rtc_read(rtc, rtc->r.index);
}
