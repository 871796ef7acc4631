// SPDX-License-Identifier: GPL-2.0
/* Port dispatch bounds, the UART, the i8042, the MP table, size parsing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "i8042.h"
#include "ioport.h"
#include "mptable.h"
#include "serial.h"
#include "util.h"

static int hits;
static uint16_t last_off;

static void count_io(void *dev, uint16_t off, uint8_t *data, int size, bool w)
{
	hits++;
	last_off = off;
	if (!w)
		memset(data, 0x5a, size);
}

Test(ioport, register_refuses_overlap_and_wrap)
{
	struct io_bus b = { 0 };

	cr_assert_eq(io_bus_register(&b, 0x3f8, 8, count_io, NULL, "a"), 0);
	cr_assert_eq(io_bus_register(&b, 0x3ff, 1, count_io, NULL, "b"), -EEXIST);
	cr_assert_eq(io_bus_register(&b, 0x3f0, 9, count_io, NULL, "c"), -EEXIST);
	cr_assert_eq(io_bus_register(&b, 0x400, 1, count_io, NULL, "d"), 0);
	cr_assert_eq(io_bus_register(&b, 0xffff, 2, count_io, NULL, "e"), -EINVAL);
	cr_assert_eq(io_bus_register(&b, 0x10, 0, count_io, NULL, "f"), -EINVAL);
	for (int i = 0; b.n < IO_BUS_MAX; i++)
		io_bus_register(&b, 0x1000 + i, 1, count_io, NULL, "g");
	cr_assert_eq(io_bus_register(&b, 0x2000, 1, count_io, NULL, "h"), -ENOSPC);
}

Test(ioport, dispatch_requires_whole_access_inside_range)
{
	struct io_bus b = { 0 };
	uint8_t data[8];

	io_bus_register(&b, 0x60, 5, count_io, NULL, "kbd");
	hits = 0;
	cr_assert(io_bus_dispatch(&b, 0x64, data, 1, 1, false));
	cr_assert_eq(last_off, 4);
	cr_assert_eq(data[0], 0x5a);
	cr_assert_not(io_bus_dispatch(&b, 0x64, data, 2, 1, false), "crosses the end");
	cr_assert_eq(data[0], 0xff, "unclaimed reads are all-ones");
	cr_assert_eq(data[1], 0xff);
	cr_assert_not(io_bus_dispatch(&b, 0x5f, data, 1, 1, true));
	cr_assert(io_bus_dispatch(&b, 0x60, data, 1, 3, true), "rep outsb");
	cr_assert_eq(hits, 4);
}

Test(ioport, exit_check_bounds)
{
	uint64_t run = 4096;
	uint64_t off = sizeof(struct kvm_run);

	cr_assert_eq(io_exit_check(run, off, 1, 1), 0);
	cr_assert_eq(io_exit_check(run, off, 4, (run - off) / 4), 0);
	cr_assert_eq(io_exit_check(run, off, 4, (run - off) / 4 + 1), -EINVAL);
	cr_assert_eq(io_exit_check(run, off, 3, 1), -EINVAL, "size 3");
	cr_assert_eq(io_exit_check(run, off, 8, 1), -EINVAL, "size 8");
	cr_assert_eq(io_exit_check(run, off, 1, 0), -EINVAL, "count 0");
	cr_assert_eq(io_exit_check(run, run + 1, 1, 1), -EINVAL, "offset past the page");
	cr_assert_eq(io_exit_check(run, off, 4, 0xffffffffU), -EINVAL, "huge count");
}

static int irq_level = -1;

static void set_irq(void *ctx, int irq, int level)
{
	cr_assert_eq(irq, 4);
	irq_level = level;
}

static uint8_t rd(struct serial *s, int reg)
{
	uint8_t v;

	serial_io(s, reg, &v, 1, false);
	return v;
}

static void wr(struct serial *s, int reg, uint8_t v)
{
	serial_io(s, reg, &v, 1, true);
}

Test(serial, transmit_receive_and_interrupts)
{
	struct serial s;
	int p[2];
	char out[8] = { 0 };

	cr_assert_eq(pipe(p), 0);
	serial_init(&s, p[1], 4, set_irq, NULL);
	wr(&s, 0, 'h');
	wr(&s, 0, 'i');
	cr_assert_eq(read(p[0], out, 2), 2);
	cr_assert_str_eq(out, "hi");
	cr_assert_eq(rd(&s, 5) & 0x61, 0x60, "THRE|TEMT, no data");
	cr_assert_eq(serial_rx(&s, (const uint8_t *)"ab", 2), 2);
	cr_assert_eq(rd(&s, 5) & 1, 1, "data ready");
	cr_assert_neq(irq_level, 1, "RX interrupt disabled");
	wr(&s, 1, 0x01); /* IER: RDI */
	cr_assert_eq(irq_level, 1);
	cr_assert_eq(rd(&s, 2) & 0x0f, 0x04, "IIR: RX data");
	cr_assert_eq(rd(&s, 0), 'a');
	cr_assert_eq(rd(&s, 0), 'b');
	cr_assert_eq(irq_level, 0);
	cr_assert_eq(rd(&s, 2) & 0x01, 0x01, "no interrupt pending");
	wr(&s, 1, 0x03); /* enabling THRI raises it at once */
	cr_assert_eq(irq_level, 1);
	cr_assert_eq(rd(&s, 2) & 0x0f, 0x02);
	cr_assert_eq(irq_level, 0, "reading IIR acknowledges THRE");
	wr(&s, 4, 0x00); /* OUT2 low gates the line */
	wr(&s, 0, 'x');
	cr_assert_eq(irq_level, 0);
	close(p[0]);
	close(p[1]);
}

Test(serial, fifo_bounds_dlab_scratch_loopback)
{
	struct serial s;
	uint8_t buf[100];

	serial_init(&s, -1, 4, NULL, NULL);
	memset(buf, 'z', sizeof(buf));
	cr_assert_eq(serial_rx(&s, buf, sizeof(buf)), SERIAL_FIFO_LEN);
	cr_assert_eq(serial_rx(&s, buf, 1), 0, "full");
	wr(&s, 2, 0x03); /* FCR: enable + clear RX */
	cr_assert_eq(rd(&s, 5) & 1, 0);
	cr_assert_eq(rd(&s, 2) & 0xc0, 0xc0, "16550A FIFO bits");
	wr(&s, 3, 0x80); /* DLAB */
	wr(&s, 0, 0x01);
	wr(&s, 1, 0x02);
	cr_assert_eq(rd(&s, 0), 0x01);
	cr_assert_eq(rd(&s, 1), 0x02);
	wr(&s, 3, 0x03);
	wr(&s, 7, 0x42);
	cr_assert_eq(rd(&s, 7), 0x42);
	wr(&s, 4, 0x1a); /* loopback, RTS, OUT2 */
	cr_assert_eq(rd(&s, 6) & 0xf0, 0x90, "Linux's loopback probe");
	wr(&s, 0, 'L');
	cr_assert_eq(rd(&s, 0), 'L');
	uint8_t wide[4] = { 0 };
	serial_io(&s, 6, wide, 4, false); /* crosses the end of the register file */
	cr_assert_eq(wide[2], 0, "bytes past register 7 untouched");
}

static int resets;

static void on_reset(void *ctx)
{
	resets++;
}

static uint8_t kio(struct i8042 *k, int off, int w, uint8_t v)
{
	i8042_io(k, off, &v, 1, w);
	return v;
}

Test(i8042, probe_and_reset)
{
	struct i8042 k;

	i8042_init(&k, on_reset, NULL);
	resets = 0;
	cr_assert_eq(kio(&k, 4, 0, 0) & 1, 0, "output buffer empty");
	kio(&k, 4, 1, 0xaa);
	cr_assert_eq(kio(&k, 4, 0, 0) & 1, 1);
	cr_assert_eq(kio(&k, 0, 0, 0), 0x55, "self test passes");
	kio(&k, 4, 1, 0x60);
	kio(&k, 0, 1, 0x47);
	kio(&k, 4, 1, 0x20);
	cr_assert_eq(kio(&k, 0, 0, 0), 0x47, "CTR round trip");
	kio(&k, 4, 1, 0xd1);
	kio(&k, 0, 1, 0x01);
	cr_assert_eq(resets, 0, "output port with reset line high");
	kio(&k, 4, 1, 0xd1);
	kio(&k, 0, 1, 0x00);
	cr_assert_eq(resets, 1, "reset line pulled low");
	kio(&k, 4, 1, 0xfe);
	cr_assert_eq(resets, 2, "pulse reset command");
	uint8_t w[2] = { 0, 0 };
	i8042_io(&k, 4, w, 2, false);
	cr_assert_eq(w[0], 0xff, "wide access refused");
}

Test(mptable, checksums_and_cpus)
{
	uint8_t buf[4096];
	int n = mptable_build(buf, sizeof(buf), 0xf0000, 4);
	uint16_t len;

	cr_assert_gt(n, 0);
	cr_assert_eq(memcmp(buf, "_MP_", 4), 0);
	cr_assert_eq(mptable_sum(buf, 16), 0, "floating pointer checksum");
	cr_assert_eq(*(uint32_t *)(buf + 4), 0xf0000 + 16);
	cr_assert_eq(memcmp(buf + 16, "PCMP", 4), 0);
	memcpy(&len, buf + 20, 2);
	cr_assert_eq(mptable_sum(buf + 16, len), 0, "config table checksum");
	cr_assert_eq(16 + len, n);
	cr_assert_eq(buf[16 + 44], 0, "first entry is a processor");
	cr_assert_eq(buf[16 + 44 + 3] & 3, 3, "CPU 0 is enabled and the BSP");
	cr_assert_eq(buf[16 + 44 + 20 * 3 + 1], 3, "fourth CPU has APIC ID 3");
	cr_assert_eq(mptable_build(buf, sizeof(buf), 0xf0000, 0), -EINVAL);
	cr_assert_eq(mptable_build(buf, sizeof(buf), 0xf0000, 65), -EINVAL);
	cr_assert_eq(mptable_build(buf, 100, 0xf0000, 4), -ENOSPC);
}

Test(util, parse_size)
{
	uint64_t v;

	cr_assert_eq(parse_size("4096", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(parse_size("2M", &v), 0);
	cr_assert_eq(v, 2 << 20);
	cr_assert_eq(parse_size("1G", &v), 0);
	cr_assert_eq(v, 1ULL << 30);
	cr_assert_eq(parse_size("1GiB", &v), 0);
	cr_assert_eq(v, 1ULL << 30);
	cr_assert_eq(parse_size("0x1000", &v), 0);
	cr_assert_eq(v, 4096);
	cr_assert_eq(parse_size("", &v), -EINVAL);
	cr_assert_eq(parse_size("-1", &v), -EINVAL);
	cr_assert_eq(parse_size("1Q", &v), -EINVAL);
	cr_assert_eq(parse_size("1Gx", &v), -EINVAL);
	cr_assert_eq(parse_size("99999999999T", &v), -EINVAL, "overflow");
}

/* The console ring never blocks its producer: a full ring drops and counts. */
Test(console, full_ring_drops_and_counts)
{
	static struct console c;
	static uint8_t out[256];

	cr_assert_eq(console_init(&c, -1, 256), 0);
	for (int i = 0; i < 256 + 10; i++)
		console_put(&c, (uint8_t)i);
	cr_assert_eq(console_dropped(&c), 10);
	cr_assert_eq(console_take(&c, out, 3), 3);
	cr_assert_eq(out[0], 0);
	cr_assert_eq(out[2], 2);
	console_put(&c, 0xaa);
	cr_assert_eq(console_take(&c, out, sizeof(out)), 256 - 2);
	cr_assert_eq(out[256 - 3], 0xaa, "wrapped around in order");
	cr_assert_eq(console_take(&c, out, 1), 0);
	/* not started: a flush writes nothing and counts what was queued */
	console_put(&c, 1);
	cr_assert_eq(console_flush(&c, 10), 11);
}
