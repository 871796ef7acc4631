/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port I/O dispatch: a small table of [base, base+len) ranges, each owned
 * by one device. Every guest-supplied port, size and count is checked here.
 */
#ifndef TINYVMM_IOPORT_H
#define TINYVMM_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX 16

/* @offset is relative to the range's base; @size is 1, 2 or 4. */
typedef void (*io_handler)(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write);

struct io_range {
	uint16_t base;
	uint16_t len;
	io_handler fn;
	void *dev;
	const char *name;
};

struct io_bus {
	struct io_range ranges[IO_BUS_MAX];
	int n;
};

/* Returns 0, -EEXIST on overlap, -EINVAL on an empty/wrapping range, -ENOSPC. */
int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t len, io_handler fn, void *dev,
		    const char *name);
/* The range that wholly contains [port, port+size), or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, uint16_t port, int size);

/*
 * Validate a KVM_EXIT_IO: @size in {1,2,4}, @count >= 1 and the data area
 * [data_offset, data_offset + size*count) inside the @run_size bytes of the
 * kvm_run mapping. Returns 0 or -EINVAL.
 */
int io_exit_check(uint64_t run_size, uint64_t data_offset, int size, uint32_t count);

/*
 * Perform one I/O exit against @bus. Unclaimed reads return all-ones.
 * Returns true if a device claimed the port.
 */
bool io_bus_dispatch(const struct io_bus *bus, uint16_t port, uint8_t *data, int size,
		     uint32_t count, bool is_write);

#endif
