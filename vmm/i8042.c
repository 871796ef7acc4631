// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 controller without devices. Commands that return a byte answer
 * immediately, so Linux's probe finishes quickly and finds no keyboard.
 */
#include <string.h>

#include "i8042.h"

#define STATUS_OBF 0x01
#define STATUS_SYS 0x04
#define STATUS_CMD 0x08

enum {
	CMD_READ_CTR = 0x20,
	CMD_WRITE_CTR = 0x60,
	CMD_AUX_DISABLE = 0xa7,
	CMD_AUX_ENABLE = 0xa8,
	CMD_AUX_TEST = 0xa9,
	CMD_SELF_TEST = 0xaa,
	CMD_KBD_TEST = 0xab,
	CMD_KBD_DISABLE = 0xad,
	CMD_KBD_ENABLE = 0xae,
	CMD_READ_OUTPORT = 0xd0,
	CMD_WRITE_OUTPORT = 0xd1,
	CMD_WRITE_KBD_OUT = 0xd2,
	CMD_WRITE_AUX_OUT = 0xd3,
	CMD_WRITE_AUX = 0xd4,
	CMD_PULSE_RESET = 0xfe,
};

#define CTR_KBD_DISABLE 0x10
#define CTR_AUX_DISABLE 0x20

void i8042_init(struct i8042 *k, void (*reset)(void *ctx), void *ctx)
{
	memset(k, 0, sizeof(*k));
	k->r.ctr = 0x30 | STATUS_SYS; /* both ports disabled, system flag */
	k->reset = reset;
	k->reset_ctx = ctx;
}

static void i8042_put(struct i8042 *k, uint8_t v)
{
	k->r.out = v;
	k->r.out_full = 1;
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		i8042_put(k, k->r.ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPORT:
	case CMD_WRITE_KBD_OUT:
	case CMD_WRITE_AUX_OUT:
	case CMD_WRITE_AUX:
		k->r.pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->r.ctr |= CTR_AUX_DISABLE;
		break;
	case CMD_AUX_ENABLE:
		k->r.ctr &= ~CTR_AUX_DISABLE;
		break;
	case CMD_AUX_TEST:
		i8042_put(k, 0x01); /* clock line stuck low: no aux port */
		break;
	case CMD_SELF_TEST:
		i8042_put(k, 0x55);
		break;
	case CMD_KBD_TEST:
		i8042_put(k, 0x00);
		break;
	case CMD_KBD_DISABLE:
		k->r.ctr |= CTR_KBD_DISABLE;
		break;
	case CMD_KBD_ENABLE:
		k->r.ctr &= ~CTR_KBD_DISABLE;
		break;
	case CMD_READ_OUTPORT:
		i8042_put(k, 0x01);
		break;
	case CMD_PULSE_RESET:
		if (k->reset)
			k->reset(k->reset_ctx);
		break;
	default:
		break;
	}
}

static void i8042_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->r.pending_cmd;

	k->r.pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->r.ctr = v;
		break;
	case CMD_WRITE_OUTPORT:
		if (!(v & 0x01) && k->reset)
			k->reset(k->reset_ctx); /* bit 0 is the CPU reset line */
		break;
	case CMD_WRITE_KBD_OUT:
		i8042_put(k, v);
		break;
	default:
		/* Bytes for the (absent) keyboard or mouse go nowhere. */
		break;
	}
}

void i8042_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write)
{
	struct i8042 *k = dev;

	if (size != 1) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (offset == 0) {
		if (is_write) {
			k->r.last_was_cmd = 0;
			i8042_data(k, data[0]);
		} else {
			data[0] = k->r.out;
			k->r.out_full = 0;
		}
	} else if (offset == 4) {
		if (is_write) {
			k->r.last_was_cmd = 1;
			i8042_command(k, data[0]);
		} else {
			data[0] = STATUS_SYS | (k->r.out_full ? STATUS_OBF : 0) |
				  (k->r.last_was_cmd ? STATUS_CMD : 0);
		}
	} else if (!is_write) {
		data[0] = 0xff;
	}
}
