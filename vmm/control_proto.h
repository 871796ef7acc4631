/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's protocol without the socket: the request line a
 * client sends (one per connection), what it asks for, and the one reply
 * line. Pure, so the server, the client, the unit tests and the fuzzer
 * share it.
 */
#ifndef TINYVMM_CONTROL_PROTO_H
#define TINYVMM_CONTROL_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_LINE_MAX 4096 /* request line, its NUL included */
#define CONTROL_REPLY_MAX 512 /* reply line, its '\n' and NUL included */
#define CONTROL_ECHO_MAX 64 /* bytes of an unknown command echoed back */

enum control_line_state {
	CONTROL_LINE_MORE, /* no newline yet */
	CONTROL_LINE_DONE, /* newline taken */
	CONTROL_LINE_TOO_LONG, /* CONTROL_LINE_MAX - 1 bytes and no newline */
};

/* A request line being read: buf is NUL-terminated after every feed. */
struct control_line {
	char buf[CONTROL_LINE_MAX];
	size_t len;
	bool nul; /* a NUL byte came in */
	enum control_line_state state;
};

enum control_cmd {
	CONTROL_NONE, /* empty line: no reply */
	CONTROL_STATUS,
	CONTROL_RESTART,
	CONTROL_SAVE,
	CONTROL_INVALID, /* the error reply is written */
};

struct control_req {
	enum control_cmd cmd;
	const char *arg; /* restart: the binary (in the line), NULL for the running one */
};

/* What "status" reports. */
struct control_status {
	const char *build;
	int pid;
	int cpus;
	uint64_t mem;
	unsigned int restarts;
	uint64_t last_pause_us;
	int bad_pages;
	uint64_t unhandled_io;
	uint64_t unhandled_mmio;
	uint64_t console_dropped; /* console bytes lost to a stalled or failed stdout */
	int rolled_back; /* 1: the last restart's new binary failed, the old one resumed */
};

void control_line_init(struct control_line *l);
/*
 * Take bytes of data up to and including the first newline, until the
 * line is complete or too long; returns how many were taken. Bytes after
 * the newline belong to no request (one request per connection).
 */
size_t control_line_feed(struct control_line *l, const void *data, size_t n);

/*
 * Decide on a line that is complete, too long, or ended by the client's
 * EOF (state MORE). For CONTROL_INVALID the error reply is in reply (len
 * >= 2); req->arg points into l.
 */
enum control_cmd control_parse(const struct control_line *l, struct control_req *req, char *reply,
			       size_t len);

/*
 * printf a reply line into buf (len >= 2): one line ending in '\n' (the
 * format carries none), cut to fit, control characters shown as '?'.
 * Returns its length.
 */
size_t control_reply(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t control_vreply(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t control_format_status(char *buf, size_t len, const struct control_status *st);

/* Client side. */

/* An argument "restart" can carry: not empty, no space or newline, fits the line. */
bool control_arg_valid(const char *arg);
/* The request line with its '\n'; -EINVAL for a bad command or argument, -ENAMETOOLONG. */
int control_format_request(char *buf, size_t len, enum control_cmd cmd, const char *arg);
/* The reply says "ok". */
bool control_reply_ok(const char *line);
/* Field KEY=N of a status reply: N, or -1 when absent or not a decimal number. */
long long control_status_field(const char *line, const char *key);

#endif
