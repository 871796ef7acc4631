// SPDX-License-Identifier: GPL-2.0
/* The control socket protocol: reading request lines, commands, replies. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "control_proto.h"

static struct control_line line;

static enum control_cmd parse(const char *text, size_t len, struct control_req *req, char *reply)
{
	control_line_init(&line);
	control_line_feed(&line, text, len);
	return control_parse(&line, req, reply, CONTROL_REPLY_MAX);
}

Test(control, line_stops_at_the_newline)
{
	const char stream[] = "status\nsave\n";

	control_line_init(&line);
	cr_assert_eq(control_line_feed(&line, stream, 3), 3);
	cr_assert_eq(line.state, CONTROL_LINE_MORE);
	cr_assert_str_eq(line.buf, "sta");
	/* the rest of the stream belongs to no request */
	cr_assert_eq(control_line_feed(&line, stream + 3, sizeof(stream) - 4), 4);
	cr_assert_eq(line.state, CONTROL_LINE_DONE);
	cr_assert_str_eq(line.buf, "status");
	cr_assert_eq(control_line_feed(&line, "x", 1), 0);
}

Test(control, commands)
{
	char reply[CONTROL_REPLY_MAX];
	struct control_req req;

	cr_assert_eq(parse("status\n", 7, &req, reply), CONTROL_STATUS);
	cr_assert_eq(reply[0], '\0');
	cr_assert_eq(parse("save\n", 5, &req, reply), CONTROL_SAVE);
	cr_assert_eq(parse("restart\n", 8, &req, reply), CONTROL_RESTART);
	cr_assert_null(req.arg);
	cr_assert_eq(parse("restart \n", 9, &req, reply), CONTROL_RESTART);
	cr_assert_null(req.arg);
	cr_assert_eq(parse("restart /usr/bin/tinyvmm.new\n", 29, &req, reply), CONTROL_RESTART);
	cr_assert_str_eq(req.arg, "/usr/bin/tinyvmm.new");
	/* a client that ends its line with EOF instead of a newline */
	cr_assert_eq(parse("status", 6, &req, reply), CONTROL_STATUS);
	cr_assert_eq(parse("\n", 1, &req, reply), CONTROL_NONE);
	cr_assert_eq(reply[0], '\0');
	cr_assert_eq(parse("restartx\n", 9, &req, reply), CONTROL_INVALID);
	cr_assert_str_eq(reply, "error: unknown command 'restartx'\n");
	cr_assert_eq(parse("status\r\n", 8, &req, reply), CONTROL_INVALID);
	cr_assert_str_eq(reply, "error: unknown command 'status?'\n");
}

Test(control, nul_and_overlong_lines_are_refused_not_cut)
{
	static char text[CONTROL_LINE_MAX + 1];
	char reply[CONTROL_REPLY_MAX];
	struct control_req req;

	cr_assert_eq(parse("status\0junk\n", 12, &req, reply), CONTROL_INVALID);
	cr_assert_str_eq(reply, "error: NUL byte in the command\n");
	/* the longest line there is: "restart " and a 4087-byte path */
	memcpy(text, "restart /", 9);
	memset(text + 9, 'a', CONTROL_LINE_MAX - 1 - 9);
	text[CONTROL_LINE_MAX - 1] = '\n';
	cr_assert_eq(parse(text, CONTROL_LINE_MAX, &req, reply), CONTROL_RESTART);
	cr_assert_eq(strlen(req.arg), CONTROL_LINE_MAX - 1 - 8);
	/* one byte more: refused, not run as a shorter path */
	text[CONTROL_LINE_MAX - 1] = 'a';
	text[CONTROL_LINE_MAX] = '\n';
	control_line_init(&line);
	cr_assert_eq(control_line_feed(&line, text, sizeof(text)), CONTROL_LINE_MAX);
	cr_assert_eq(line.state, CONTROL_LINE_TOO_LONG);
	cr_assert_eq(control_parse(&line, &req, reply, sizeof(reply)), CONTROL_INVALID);
	cr_assert_str_eq(reply, "error: command longer than 4095 bytes\n");
}

Test(control, replies_are_one_line_even_when_cut)
{
	char path[1000], reply[CONTROL_REPLY_MAX];
	size_t n;

	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	n = control_reply(reply, sizeof(reply), "ok saved %s; exec %s", "/run/vm.sock.state", path);
	cr_assert_eq(n, CONTROL_REPLY_MAX - 1);
	cr_assert_eq(strlen(reply), n);
	cr_assert_eq(reply[n - 1], '\n');
	cr_assert_eq(strchr(reply, '\n'), reply + n - 1);
	n = control_reply(reply, sizeof(reply), "error: unknown command '%s'", "a\nb\x1b[0m\x7f");
	cr_assert_str_eq(reply, "error: unknown command 'a?b?[0m?'\n");
	cr_assert_eq(n, strlen(reply));
	cr_assert_eq(control_reply(reply, 2, "ok"), 1);
	cr_assert_str_eq(reply, "\n");
}

Test(control, status_reply_reads_back)
{
	struct control_status st = {
		.build = "1",
		.pid = 42,
		.cpus = 2,
		.mem = 64ULL << 30,
		.restarts = 3,
		.last_pause_us = 1234,
		.bad_pages = 1,
		.unhandled_io = 5,
		.unhandled_mmio = 6,
		.console_dropped = 7,
		.rolled_back = 1,
	};
	char reply[CONTROL_REPLY_MAX];

	control_format_status(reply, sizeof(reply), &st);
	cr_assert_str_eq(reply, "ok running build=1 pid=42 cpus=2 mem=68719476736 restarts=3 "
				"last_pause_us=1234 bad_pages=1 unhandled_io=5 unhandled_mmio=6 "
				"console_dropped=7 rolled_back=1\n");
	cr_assert(control_reply_ok(reply));
	cr_assert_eq(control_status_field(reply, "restarts"), 3);
	cr_assert_eq(control_status_field(reply, "last_pause_us"), 1234);
	cr_assert_eq(control_status_field(reply, "unhandled_mmio"), 6);
	cr_assert_eq(control_status_field(reply, "console_dropped"), 7);
	cr_assert_eq(control_status_field(reply, "io"), -1);
	cr_assert_eq(control_status_field(reply, "restart"), -1);
	/* a key inside another field's name or value is not that field */
	cr_assert_eq(control_status_field("ok running xrestarts=9 restarts=2", "restarts"), 2);
	cr_assert_eq(control_status_field("ok build=restarts=9", "restarts"), -1);
	cr_assert_eq(control_status_field("ok restarts=-1", "restarts"), -1);
	cr_assert_eq(control_status_field("ok restarts=99999999999999999999", "restarts"), -1);
	cr_assert(!control_reply_ok("okay"));
	cr_assert(!control_reply_ok("error: ok"));
}

Test(control, client_requests)
{
	static char arg[CONTROL_LINE_MAX];
	char req[CONTROL_LINE_MAX + 1];

	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_STATUS, NULL), 7);
	cr_assert_str_eq(req, "status\n");
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_RESTART, "/bin/x"), 15);
	cr_assert_str_eq(req, "restart /bin/x\n");
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_RESTART, "/a b"), -EINVAL);
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_RESTART, ""), -EINVAL);
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_SAVE, "/bin/x"), -EINVAL);
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_INVALID, NULL), -EINVAL);
	cr_assert_eq(control_format_request(req, 5, CONTROL_STATUS, NULL), -ENAMETOOLONG);
	memset(arg, 'a', CONTROL_LINE_MAX - 9);
	cr_assert(control_arg_valid(arg));
	cr_assert_eq(control_format_request(req, sizeof(req), CONTROL_RESTART, arg),
		     CONTROL_LINE_MAX);
	arg[CONTROL_LINE_MAX - 9] = 'a';
	cr_assert(!control_arg_valid(arg));
}
