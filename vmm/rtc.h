/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MC146818 CMOS real-time clock at ports 0x70/0x71: the time of day from the
 * host's clock, 114 bytes of CMOS RAM, no interrupts. Without it Linux
 * spins on the update-in-progress bit of an all-ones register A.
 */
#ifndef TINYVMM_RTC_H
#define TINYVMM_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_INDEX_PORT 0x70
#define RTC_NR_REGS 128

/**
 * struct rtc_regs - the state a live restart carries over.
 * @index: selected register (port 0x70 bits 0-6)
 * @cmos: registers; the time bytes hold the guest's time only while
 *        register B's SET bit is on
 * @offset: guest time minus host time, in seconds (set by the guest)
 */
struct rtc_regs {
	uint8_t index;
	uint8_t cmos[RTC_NR_REGS];
	int64_t offset;
};

struct rtc {
	struct rtc_regs r;
	time_t (*now)(void);
};

void rtc_init(struct rtc *rtc, time_t (*now)(void));
/* io_handler for ports 0x70 (offset 0) and 0x71 (offset 1). */
void rtc_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write);

#endif
