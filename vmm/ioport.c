// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O dispatch. Pure: devices are plain callbacks.
 */
#include <errno.h>
#include <string.h>

#include "ioport.h"

int io_bus_register(struct io_bus *bus, uint16_t base, uint16_t len, io_handler fn, void *dev,
		    const char *name)
{
	uint32_t end = (uint32_t)base + len;

	if (!len || end > 0x10000 || !fn)
		return -EINVAL;
	for (int i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->ranges[i];

		if (base < (uint32_t)r->base + r->len && r->base < end)
			return -EEXIST;
	}
	if (bus->n >= IO_BUS_MAX)
		return -ENOSPC;
	bus->ranges[bus->n++] = (struct io_range){ base, len, fn, dev, name };
	return 0;
}

const struct io_range *io_bus_find(const struct io_bus *bus, uint16_t port, int size)
{
	for (int i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->ranges[i];

		if (port >= r->base && (uint32_t)port + size <= (uint32_t)r->base + r->len)
			return r;
	}
	return NULL;
}

int io_exit_check(uint64_t run_size, uint64_t data_offset, int size, uint32_t count)
{
	uint64_t bytes;

	if (size != 1 && size != 2 && size != 4)
		return -EINVAL;
	if (count == 0 || count > run_size)
		return -EINVAL;
	bytes = (uint64_t)size * count;
	if (data_offset > run_size || bytes > run_size - data_offset)
		return -EINVAL;
	return 0;
}

bool io_bus_dispatch(const struct io_bus *bus, uint16_t port, uint8_t *data, int size,
		     uint32_t count, bool is_write)
{
	const struct io_range *r = io_bus_find(bus, port, size);

	if (!r) {
		if (!is_write)
			memset(data, 0xff, (size_t)size * count);
		return false;
	}
	for (uint32_t i = 0; i < count; i++)
		r->fn(r->dev, (uint16_t)(port - r->base), data + (size_t)i * size, size, is_write);
	return true;
}
