// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket protocol: request lines in, decisions and reply lines out.
 *
 *   status            -> "ok running build=B pid=P cpus=N mem=B restarts=N
 *                         last_pause_us=U bad_pages=N unhandled_io=N
 *                         unhandled_mmio=N console_dropped=N rolled_back=0|1"
 *   restart [BINARY]  -> "ok saved SOCK.state; exec BINARY"
 *   save              -> "ok saved SOCK.state; exiting"
 *   anything else     -> "error: ..."
 *
 * A request is one line ended by '\n' (or by the client's EOF), at most
 * CONTROL_LINE_MAX - 1 bytes; a longer one or one holding a NUL byte is
 * refused rather than cut. A reply is one line of at most
 * CONTROL_REPLY_MAX - 1 bytes ending in '\n'.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"

#define RESTART "restart"
#define RESTART_LEN (sizeof(RESTART) - 1)

void control_line_init(struct control_line *l)
{
	l->len = 0;
	l->nul = false;
	l->state = CONTROL_LINE_MORE;
	l->buf[0] = '\0';
}

size_t control_line_feed(struct control_line *l, const void *data, size_t n)
{
	const char *p = data;
	size_t i;

	for (i = 0; i < n && l->state == CONTROL_LINE_MORE; i++) {
		if (p[i] == '\n') {
			l->state = CONTROL_LINE_DONE;
		} else if (l->len == CONTROL_LINE_MAX - 1) {
			l->state = CONTROL_LINE_TOO_LONG;
		} else {
			l->nul |= !p[i];
			l->buf[l->len++] = p[i];
		}
	}
	l->buf[l->len] = '\0';
	return i;
}

size_t control_vreply(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);
	size_t end, i;

	if (n < 0)
		end = 0;
	else
		end = (size_t)n <= len - 2 ? (size_t)n : len - 2;
	for (i = 0; i < end; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	buf[end] = '\n';
	buf[end + 1] = '\0';
	return end + 1;
}

size_t control_reply(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = control_vreply(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

enum control_cmd control_parse(const struct control_line *l, struct control_req *req, char *reply,
			       size_t len)
{
	const char *s = l->buf;

	req->cmd = CONTROL_INVALID;
	req->arg = NULL;
	reply[0] = '\0';
	if (l->state == CONTROL_LINE_TOO_LONG) {
		control_reply(reply, len, "error: command longer than %d bytes",
			      CONTROL_LINE_MAX - 1);
	} else if (!l->len) {
		req->cmd = CONTROL_NONE;
	} else if (l->nul) {
		control_reply(reply, len, "error: NUL byte in the command");
	} else if (!strcmp(s, "status")) {
		req->cmd = CONTROL_STATUS;
	} else if (!strcmp(s, "save")) {
		req->cmd = CONTROL_SAVE;
	} else if (!strncmp(s, RESTART, RESTART_LEN) &&
		   (!s[RESTART_LEN] || s[RESTART_LEN] == ' ')) {
		req->cmd = CONTROL_RESTART;
		if (s[RESTART_LEN] && s[RESTART_LEN + 1])
			req->arg = s + RESTART_LEN + 1;
	} else {
		control_reply(reply, len, "error: unknown command '%.*s'", CONTROL_ECHO_MAX, s);
	}
	return req->cmd;
}

size_t control_format_status(char *buf, size_t len, const struct control_status *st)
{
	return control_reply(buf, len,
			     "ok running build=%s pid=%d cpus=%d mem=%" PRIu64
			     " restarts=%u last_pause_us=%" PRIu64
			     " bad_pages=%d unhandled_io=%" PRIu64 " unhandled_mmio=%" PRIu64
			     " console_dropped=%" PRIu64 " rolled_back=%d",
			     st->build, st->pid, st->cpus, st->mem, st->restarts, st->last_pause_us,
			     st->bad_pages, st->unhandled_io, st->unhandled_mmio, st->console_dropped, st->rolled_back);
}

bool control_arg_valid(const char *arg)
{
	size_t n = strlen(arg);

	return n && n < CONTROL_LINE_MAX - RESTART_LEN - 1 && !strpbrk(arg, " \n");
}

int control_format_request(char *buf, size_t len, enum control_cmd cmd, const char *arg)
{
	const char *name;
	int n;

	switch (cmd) {
	case CONTROL_STATUS:
		name = "status";
		break;
	case CONTROL_SAVE:
		name = "save";
		break;
	case CONTROL_RESTART:
		name = RESTART;
		break;
	default:
		return -EINVAL;
	}
	if (arg && (cmd != CONTROL_RESTART || !control_arg_valid(arg)))
		return -EINVAL;
	n = snprintf(buf, len, "%s%s%s\n", name, arg ? " " : "", arg ? arg : "");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}

bool control_reply_ok(const char *line)
{
	return !strncmp(line, "ok", 2) && (!line[2] || line[2] == ' ' || line[2] == '\n');
}

long long control_status_field(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p;
	long long v;
	char *end;

	if (!klen)
		return -1;
	for (p = strstr(line, key); p; p = strstr(p + 1, key)) {
		if ((p != line && p[-1] != ' ') || p[klen] != '=')
			continue;
		p += klen + 1;
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno || (*end && *end != ' ' && *end != '\n'))
			return -1;
		return v;
	}
	return -1;
}
