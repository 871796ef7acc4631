// SPDX-License-Identifier: GPL-2.0
/*
 * 8250/16550A UART. Transmission is instantaneous (the holding register is
 * always empty again right after a write; tinyvmm hands each byte to the
 * console ring, which never blocks), reception is a 64-byte FIFO fed
 * from stdin. Enough of the register file for Linux's 8250 autodetection.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "serial.h"

enum {
	UART_RX = 0, UART_TX = 0, UART_DLL = 0,
	UART_IER = 1, UART_DLM = 1,
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define UART_LCR_DLAB 0x80
#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO 0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

void serial_init(struct serial *s, int out_fd, int irq,
		 void (*set_irq)(void *ctx, int irq, int level), void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->out_fd = out_fd;
	s->irq = irq;
	s->set_irq = set_irq;
	s->irq_ctx = ctx;
	s->r.mcr = UART_MCR_OUT2;
	s->r.dll = 12; /* 9600 baud until the guest programs it */
}

static uint8_t serial_iir(const struct serial *s)
{
	uint8_t fifo = (s->r.fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if ((s->r.ier & UART_IER_RDI) && s->r.rx_count)
		return fifo | UART_IIR_RDI;
	if ((s->r.ier & UART_IER_THRI) && s->r.thri_pending)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

void serial_update_irq(struct serial *s)
{
	/* On a PC the OUT2 line gates the UART's interrupt onto the ISA bus. */
	int level = !(serial_iir(s) & UART_IIR_NO_INT) && (s->r.mcr & UART_MCR_OUT2);

	if (level != s->irq_level && s->set_irq) {
		s->irq_level = level;
		s->set_irq(s->irq_ctx, s->irq, level);
	}
}

static int serial_push(struct serial *s, uint8_t c)
{
	if (s->r.rx_count >= SERIAL_FIFO_LEN)
		return 0;
	s->r.rx[(s->r.rx_head + s->r.rx_count) % SERIAL_FIFO_LEN] = c;
	s->r.rx_count++;
	return 1;
}

static uint8_t serial_pop(struct serial *s)
{
	uint8_t c;

	if (!s->r.rx_count)
		return 0;
	c = s->r.rx[s->r.rx_head];
	s->r.rx_head = (s->r.rx_head + 1) % SERIAL_FIFO_LEN;
	s->r.rx_count--;
	return c;
}

int serial_rx(struct serial *s, const uint8_t *buf, int n)
{
	int i;

	/* In loopback the line is disconnected from the outside world. */
	if (s->r.mcr & UART_MCR_LOOP)
		return n;
	for (i = 0; i < n; i++)
		if (!serial_push(s, buf[i]))
			break;
	serial_update_irq(s);
	return i;
}

static void serial_tx(struct serial *s, uint8_t c)
{
	if (s->r.mcr & UART_MCR_LOOP) {
		serial_push(s, c);
	} else if (s->tx) {
		s->tx(s->tx_ctx, c);
	} else if (s->out_fd >= 0) {
		ssize_t w;

		do
			w = write(s->out_fd, &c, 1);
		while (w < 0 && errno == EINTR);
	}
	s->r.thri_pending = 1;
}

static uint8_t serial_msr(const struct serial *s)
{
	uint8_t m = s->r.mcr, v = 0;

	if (!(m & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	if (m & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (m & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (m & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (m & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

static uint8_t serial_read(struct serial *s, uint16_t reg)
{
	bool dlab = s->r.lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RX:
		return dlab ? s->r.dll : serial_pop(s);
	case UART_IER:
		return dlab ? s->r.dlm : s->r.ier;
	case UART_IIR:
		v = serial_iir(s);
		if ((v & 0x0f) == UART_IIR_THRI)
			s->r.thri_pending = 0;
		return v;
	case UART_LCR:
		return s->r.lcr;
	case UART_MCR:
		return s->r.mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT | (s->r.rx_count ? UART_LSR_DR : 0);
	case UART_MSR:
		return serial_msr(s);
	default:
		return s->r.scr;
	}
}

static void serial_write(struct serial *s, uint16_t reg, uint8_t v)
{
	bool dlab = s->r.lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->r.dll = v;
		else
			serial_tx(s, v);
		break;
	case UART_IER:
		if (dlab) {
			s->r.dlm = v;
			break;
		}
		/* Enabling THRI with an empty holding register raises it at once. */
		if ((v & UART_IER_THRI) && !(s->r.ier & UART_IER_THRI))
			s->r.thri_pending = 1;
		s->r.ier = v & 0x0f;
		break;
	case UART_FCR:
		s->r.fcr = v & 0xc9;
		if (v & UART_FCR_CLEAR_RCVR)
			s->r.rx_count = s->r.rx_head = 0;
		break;
	case UART_LCR:
		s->r.lcr = v;
		break;
	case UART_MCR:
		s->r.mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->r.scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

void serial_io(void *dev, uint16_t offset, uint8_t *data, int size, bool is_write)
{
	struct serial *s = dev;

	/* Wider accesses touch consecutive registers, as on an ISA bus. */
	for (int i = 0; i < size && offset + i < 8; i++) {
		if (is_write)
			serial_write(s, offset + i, data[i]);
		else
			data[i] = serial_read(s, offset + i);
	}
	serial_update_irq(s);
}
