/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 8250/16550A UART: console on the host's stdout, input from stdin.
 */
#ifndef TINYVMM_SERIAL_H
#define TINYVMM_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ 4
#define SERIAL_FIFO_LEN 64

/* Register file and receive FIFO: everything that live restart must keep. */
struct serial_regs {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t thri_pending;
	uint8_t rx_count, rx_head;
	uint8_t rx[SERIAL_FIFO_LEN];
};

struct serial {
	struct serial_regs r;
	int out_fd;
	/* if set, output goes here instead of to out_fd (the console ring) */
	void (*tx)(void *ctx, uint8_t c);
	void *tx_ctx;
	int irq;
	int irq_level;
	void (*set_irq)(void *ctx, int irq, int level);
	void *irq_ctx;
};

void serial_init(struct serial *s, int out_fd, int irq,
		 void (*set_irq)(void *ctx, int irq, int level), void *ctx);
/* io_handler for the 8 registers at SERIAL_COM1_BASE. */
void serial_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write);
/* Queue host input; returns how many bytes fit in the FIFO. */
int serial_rx(struct serial *s, const uint8_t *buf, int n);
/* Re-evaluate and drive the interrupt line (after a restore). */
void serial_update_irq(struct serial *s);

#endif
