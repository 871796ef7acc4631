// SPDX-License-Identifier: GPL-2.0
/*
 * Console output ring and its writer thread. A stdout that stalls (a pipe
 * nobody reads) or fails (EPIPE, EBADF) costs console bytes, which are
 * counted, and never a vCPU: the UART only ever appends to the ring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "vmm.h"

int console_init(struct console *c, int fd, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->cap = cap;
	c->buf = malloc(cap);
	if (!c->buf) {
		pr_err("console buffer of %zu bytes: %s", cap, strerror(ENOMEM));
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	return 0;
}

void console_put(struct console *c, uint8_t ch)
{
	pthread_mutex_lock(&c->lock);
	if (c->len < c->cap) {
		c->buf[(c->head + c->len) % c->cap] = ch;
		c->len++;
		if (c->len == 1)
			pthread_cond_broadcast(&c->cond);
	} else {
		c->dropped++;
	}
	pthread_mutex_unlock(&c->lock);
}

/* Called with c->lock held. */
static size_t __console_take(struct console *c, uint8_t *out, size_t max)
{
	size_t n = c->len < max ? c->len : max;

	for (size_t i = 0; i < n; i++)
		out[i] = c->buf[(c->head + i) % c->cap];
	c->head = (c->head + n) % c->cap;
	c->len -= n;
	return n;
}

size_t console_take(struct console *c, uint8_t *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = __console_take(c, out, max);
	pthread_mutex_unlock(&c->lock);
	return n;
}

uint64_t console_dropped(struct console *c)
{
	uint64_t d;

	pthread_mutex_lock(&c->lock);
	d = c->dropped;
	pthread_mutex_unlock(&c->lock);
	return d;
}

/* Write all of @buf, or count what could not be written as dropped. */
static void console_write(struct console *c, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(c->fd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			usleep(10000);
			continue;
		}
		if (w <= 0) {
			int err = w < 0 ? errno : EIO;

			pthread_mutex_lock(&c->lock);
			c->dropped += n - done;
			/* one line per kind of failure, not one per chunk */
			if (err != c->last_errno)
				pr_err("console: write stdout: %s; output is dropped and counted",
				       strerror(err));
			c->last_errno = err;
			pthread_mutex_unlock(&c->lock);
			return;
		}
		done += (size_t)w;
	}
	pthread_mutex_lock(&c->lock);
	c->last_errno = 0;
	pthread_mutex_unlock(&c->lock);
}

static void *console_thread(void *arg)
{
	struct console *c = arg;
	uint8_t chunk[4096];
	size_t n;

	pthread_setname_np(pthread_self(), "console");
	for (;;) {
		pthread_mutex_lock(&c->lock);
		c->writing = false;
		pthread_cond_broadcast(&c->cond);
		while (!c->len)
			pthread_cond_wait(&c->cond, &c->lock);
		n = __console_take(c, chunk, sizeof(chunk));
		c->writing = true;
		pthread_mutex_unlock(&c->lock);
		console_write(c, chunk, n);
	}
	return NULL;
}

int console_start(struct console *c)
{
	int ret = pthread_create(&c->thread, NULL, console_thread, c);

	if (ret) {
		pr_err("pthread_create console: %s", strerror(ret));
		return -ret;
	}
	pthread_detach(c->thread);
	c->started = true;
	return 0;
}

/* Called with c->lock held. */
static void __console_drain(struct console *c, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (c->started && (c->len || c->writing))
		if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT)
			break;
}

size_t console_drain(struct console *c, int ms)
{
	size_t left;

	pthread_mutex_lock(&c->lock);
	__console_drain(c, ms);
	left = c->len;
	pthread_mutex_unlock(&c->lock);
	return left;
}

uint64_t console_flush(struct console *c, int ms)
{
	uint64_t d;

	pthread_mutex_lock(&c->lock);
	__console_drain(c, ms);
	/* Not started (an early exit) or timed out: write nothing that could block. */
	c->dropped += c->len;
	c->len = 0;
	d = c->dropped;
	pthread_mutex_unlock(&c->lock);
	return d;
}
