// SPDX-License-Identifier: GPL-2.0
/*
 * tinyvmm's guest-facing port I/O path: a sequence of KVM_EXIT_IO exits,
 * each checked by io_exit_check() against the kvm_run mapping and then
 * dispatched by io_bus_dispatch() to the UART, the i8042 and the RTC,
 * registered at the ports tinyvmm uses. Interleaved: host input to the
 * UART, a clock that jumps, and device state as a live restart restores it.
 *
 * Input: records of 8 bytes { op, port(2), size, count(2), data_offset(2) },
 * each followed by the bytes an OUT writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "i8042.h"
#include "ioport.h"
#include "rtc.h"
#include "serial.h"

#define RUN_SIZE 0x3000 /* a kvm_run mapping: three pages */
#define HOST_NOW 1700000000

static uint8_t run[RUN_SIZE];
static time_t clock_now;
static int resets;

static time_t fake_now(void)
{
	return clock_now;
}

static void set_irq(void *ctx, int irq, int level)
{
	fuzz_assert(irq == SERIAL_COM1_IRQ);
	fuzz_assert(level == 0 || level == 1);
}

static void reset(void *ctx)
{
	resets++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int null_fd = -1;
	struct fuzz_in in = { data, size };
	struct serial serial;
	struct i8042 kbd;
	struct rtc rtc;
	struct io_bus bus = { 0 };

	if (null_fd < 0)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	serial_init(&serial, null_fd, SERIAL_COM1_IRQ, set_irq, NULL);
	i8042_init(&kbd, reset, NULL);
	clock_now = HOST_NOW;
	rtc_init(&rtc, fake_now);
	fuzz_assert(!io_bus_register(&bus, SERIAL_COM1_BASE, 8, serial_io, &serial, "serial"));
	fuzz_assert(!io_bus_register(&bus, I8042_DATA_PORT, 5, i8042_io, &kbd, "i8042"));
	fuzz_assert(!io_bus_register(&bus, RTC_INDEX_PORT, 2, rtc_io, &rtc, "rtc"));
	/* overlapping and wrapping ranges are refused */
	fuzz_assert(io_bus_register(&bus, SERIAL_COM1_BASE + 7, 2, serial_io, &serial, "x") ==
		    -EEXIST);
	fuzz_assert(io_bus_register(&bus, 0xffff, 2, serial_io, &serial, "x") == -EINVAL);

	while (in.left >= 8) {
		uint8_t op = (uint8_t)fuzz_take(&in, 1);
		uint16_t port = (uint16_t)fuzz_take(&in, 2);
		int sz = (int)fuzz_take(&in, 1);
		uint32_t count = (uint32_t)fuzz_take(&in, 2);
		uint64_t off = fuzz_take(&in, 2);
		bool is_write = op & 1;

		switch (op >> 5) {
		case 0: /* host input for the UART */
			serial_rx(&serial, in.p, in.left < (size_t)sz ? (int)in.left : sz);
			continue;
		case 1: /* the host clock moves, backwards too (within years of now) */
			clock_now = HOST_NOW + (int16_t)port * 3600;
			continue;
		case 2: /* restored register state, within what restore accepts */
			serial.r.rx_head = (uint8_t)(port % SERIAL_FIFO_LEN);
			serial.r.rx_count = (uint8_t)(sz % (SERIAL_FIFO_LEN + 1));
			kbd.r.pending_cmd = (uint8_t)count;
			kbd.r.out_full = (uint8_t)(count >> 8);
			rtc.r.index = (uint8_t)(off & (RTC_NR_REGS - 1));
			serial_update_irq(&serial);
			continue;
		default: /* one port I/O exit */
			break;
		}
		if (io_exit_check(RUN_SIZE, off, sz, count))
			continue;
		if (is_write) {
			size_t n = (size_t)sz * count;

			memset(run + off, 0, n);
			memcpy(run + off, in.p, in.left < n ? in.left : n);
			in.p += in.left < n ? in.left : n;
			in.left -= in.left < n ? in.left : n;
		}
		if (!io_bus_dispatch(&bus, port, run + off, sz, count, is_write) && !is_write)
			for (size_t i = 0; i < (size_t)sz * count; i++)
				fuzz_assert(run[off + i] == 0xff);
		fuzz_assert(serial.r.rx_count <= SERIAL_FIFO_LEN);
		fuzz_assert(serial.r.rx_head < SERIAL_FIFO_LEN);
		fuzz_assert(rtc.r.index < RTC_NR_REGS);
	}
	return 0;
}
