/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding helpers for the test guest: port I/O and a polled COM1.
 */
#ifndef TINYVMM_GUEST_H
#define TINYVMM_GUEST_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0x501

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (u8)c);
}

static inline void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static inline void put_hex(u64 v)
{
	puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 0xf]);
}

static inline void put_dec(u64 v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i);
	puts(buf + i);
}

/* Leave the VM: tinyvmm exits with @code. */
static inline void guest_exit(u8 code)
{
	outb(DEBUG_EXIT_PORT, code);
}

#endif
