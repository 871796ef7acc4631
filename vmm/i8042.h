/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i8042 keyboard controller: just enough for Linux to probe it and for a
 * guest reset (command 0xfe, or output-port bit 0 cleared) to reach tinyvmm.
 * No keyboard or mouse is attached.
 */
#ifndef TINYVMM_I8042_H
#define TINYVMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64

struct i8042_regs {
	uint8_t ctr; /* controller configuration byte */
	uint8_t out; /* output buffer */
	uint8_t out_full;
	uint8_t pending_cmd; /* command waiting for its data byte, or 0 */
	uint8_t last_was_cmd;
};

struct i8042 {
	struct i8042_regs r;
	void (*reset)(void *ctx);
	void *reset_ctx;
};

void i8042_init(struct i8042 *k, void (*reset)(void *ctx), void *ctx);
/* io_handler for ports 0x60 (offset 0) and 0x64 (offset 4). */
void i8042_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write);

#endif
