/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console output: a bounded ring between the UART (a vCPU, under dev_lock)
 * and one writer thread, the only place that blocks on stdout.
 */
#ifndef TINYVMM_CONSOLE_H
#define TINYVMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_BUF_DEFAULT (64 * 1024)
#define CONSOLE_BUF_MIN 64
#define CONSOLE_BUF_MAX (64 * 1024 * 1024)

/**
 * struct console - console output ring and its writer.
 * @lock: protects everything below it; never held across a write().
 * @dropped: bytes lost because the ring was full or stdout failed.
 */
struct console {
	int fd;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint8_t *buf;
	size_t cap;
	size_t head;
	size_t len;
	bool writing;
	uint64_t dropped;
	int last_errno;
};

/* A ring of @cap bytes (CONSOLE_BUF_MIN..CONSOLE_BUF_MAX). Returns 0 or -ENOMEM. */
int console_init(struct console *c, int fd, size_t cap);
/* Queue one byte; never blocks. A full ring drops the byte and counts it. */
void console_put(struct console *c, uint8_t ch);
/* Take up to @max queued bytes (the writer's half; pure, for unit tests). */
size_t console_take(struct console *c, uint8_t *out, size_t max);
uint64_t console_dropped(struct console *c);
/* Start the writer thread. Returns 0 or -errno. */
int console_start(struct console *c);
/*
 * Wait up to @ms for the ring to drain, so that a message on stderr comes
 * after the console output before it. Returns the bytes still queued.
 */
size_t console_drain(struct console *c, int ms);
/*
 * console_drain() before an exec or an exit; what is still queued then is
 * counted as dropped. Returns the bytes dropped so far.
 */
uint64_t console_flush(struct console *c, int ms);

#endif
