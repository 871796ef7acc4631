// SPDX-License-Identifier: GPL-2.0
/*
 * tinyvmm's control socket protocol (control_proto.c): a byte stream as
 * clients send it, fed to the line reader in chunks of fuzzed sizes, one
 * request after the other (partial lines, lines longer than the limit,
 * NUL bytes, lines ended by EOF). Each request must be read up to its
 * newline and no further, decided as the protocol says (checked against a
 * reference), and every reply the server would give must be one bounded,
 * NUL-terminated line without control characters. Requests the client
 * builds must parse back to the same command, and a status reply to the
 * same numbers.
 *
 * Input: chunk seed, reply buffer size, 8 bytes of status values, stream.
 */
#include <errno.h>

#include "control_proto.h"
#include "fuzz.h"

static const char state_path[] = "/run/vm0.sock.state";

static void well_formed(const char *buf, size_t cap, size_t n)
{
	size_t i;

	fuzz_assert(n >= 1 && n <= cap - 1);
	fuzz_assert(strlen(buf) == n);
	fuzz_assert(buf[n - 1] == '\n');
	for (i = 0; i + 1 < n; i++)
		fuzz_assert((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
}

/* The protocol, written out again: what the parser must decide. */
static enum control_cmd expected(const struct control_line *l, const char **arg)
{
	const char *s = l->buf;

	*arg = NULL;
	if (l->state == CONTROL_LINE_TOO_LONG)
		return CONTROL_INVALID;
	if (!l->len)
		return CONTROL_NONE;
	if (memchr(s, 0, l->len))
		return CONTROL_INVALID;
	if (l->len == 6 && !memcmp(s, "status", 6))
		return CONTROL_STATUS;
	if (l->len == 4 && !memcmp(s, "save", 4))
		return CONTROL_SAVE;
	if (l->len >= 7 && !memcmp(s, "restart", 7) && (l->len == 7 || s[7] == ' ')) {
		if (l->len > 8)
			*arg = s + 8;
		return CONTROL_RESTART;
	}
	return CONTROL_INVALID;
}

static void check_read(const struct control_line *l, const uint8_t *raw, size_t took, bool eof)
{
	const uint8_t *nl = memchr(raw, '\n', took);

	fuzz_assert(l->len < CONTROL_LINE_MAX && l->buf[l->len] == '\0');
	fuzz_assert(l->nul == (memchr(l->buf, 0, l->len) != NULL));
	switch (l->state) {
	case CONTROL_LINE_DONE:
		fuzz_assert(nl == raw + took - 1 && l->len == took - 1);
		break;
	case CONTROL_LINE_TOO_LONG:
		fuzz_assert(!nl && took == CONTROL_LINE_MAX && l->len == CONTROL_LINE_MAX - 1);
		break;
	case CONTROL_LINE_MORE:
		fuzz_assert(eof && !nl && l->len == took);
		break;
	}
	fuzz_assert(!memcmp(l->buf, raw, l->len));
}

/* what the client does with the request it would send for req */
static void client_round_trip(const struct control_req *req)
{
	static struct control_line again;
	struct control_req back;
	char request[CONTROL_LINE_MAX + 16], reply[CONTROL_REPLY_MAX];
	bool valid = false;
	size_t alen;
	int n;

	if (req->arg) {
		alen = strlen(req->arg);
		valid = alen && alen <= CONTROL_LINE_MAX - 9 && !strpbrk(req->arg, " \n");
		fuzz_assert(control_arg_valid(req->arg) == valid);
	}
	n = control_format_request(request, sizeof(request), req->cmd, req->arg);
	if (req->arg && !valid) {
		fuzz_assert(n == -EINVAL);
		return;
	}
	fuzz_assert(n > 0 && (size_t)n < sizeof(request) && request[n - 1] == '\n');
	control_line_init(&again);
	fuzz_assert(control_line_feed(&again, request, n) == (size_t)n);
	fuzz_assert(again.state == CONTROL_LINE_DONE);
	fuzz_assert(control_parse(&again, &back, reply, sizeof(reply)) == req->cmd);
	fuzz_assert(!req->arg == !back.arg && (!req->arg || !strcmp(req->arg, back.arg)));
}

static void status_round_trip(uint64_t seed, const char *build, char *buf, size_t cap)
{
	struct control_status st = {
		.build = build,
		.pid = (int)(seed & 0x3fffff),
		.cpus = (int)(seed >> 22 & 63) + 1,
		.mem = seed << 12 >> 1,
		.restarts = (unsigned int)(seed >> 32),
		.last_pause_us = seed >> 7,
		.bad_pages = (int)(seed >> 40 & 0xffff),
		.unhandled_io = seed * 0x9e3779b97f4a7c15ULL >> 1,
		.unhandled_mmio = seed >> 3,
	};
	size_t n = control_format_status(buf, cap, &st);

	well_formed(buf, cap, n);
	if (cap < CONTROL_REPLY_MAX || strcmp(build, "fuzz"))
		return;
	fuzz_assert(control_reply_ok(buf));
	fuzz_assert(control_status_field(buf, "pid") == st.pid);
	fuzz_assert(control_status_field(buf, "cpus") == st.cpus);
	fuzz_assert(control_status_field(buf, "mem") == (long long)st.mem);
	fuzz_assert(control_status_field(buf, "restarts") == st.restarts);
	fuzz_assert(control_status_field(buf, "last_pause_us") == (long long)st.last_pause_us);
	fuzz_assert(control_status_field(buf, "bad_pages") == st.bad_pages);
	fuzz_assert(control_status_field(buf, "unhandled_io") == (long long)st.unhandled_io);
	fuzz_assert(control_status_field(buf, "unhandled_mmio") == (long long)st.unhandled_mmio);
	fuzz_assert(control_status_field(buf, "restart") == -1);
}

/* the server's side of one request */
static void serve(const struct control_line *l, size_t cap, uint64_t seed)
{
	char reply[CONTROL_REPLY_MAX], small[CONTROL_REPLY_MAX];
	struct control_req req;
	enum control_cmd cmd;
	const char *arg;
	long long v;

	cmd = control_parse(l, &req, reply, cap);
	fuzz_assert(cmd == req.cmd && cmd == expected(l, &arg));
	fuzz_assert(req.arg == arg);
	if (cmd == CONTROL_INVALID) {
		well_formed(reply, cap, strlen(reply));
		fuzz_assert(!strncmp(reply, "error: ", cap - 2 < 7 ? cap - 2 : 7));
	} else {
		fuzz_assert(reply[0] == '\0');
	}
	switch (cmd) {
	case CONTROL_STATUS:
		status_round_trip(seed, "fuzz", reply, sizeof(reply));
		break;
	case CONTROL_RESTART:
		arg = req.arg ? req.arg : "/proc/self/exe";
		well_formed(reply, sizeof(reply),
			    control_reply(reply, sizeof(reply), "ok saved %s; exec %s", state_path,
					  arg));
		fuzz_assert(control_reply_ok(reply));
		well_formed(small, cap,
			    control_reply(small, cap, "error: %s is not executable: %s", arg,
					  strerror(EACCES)));
		break;
	case CONTROL_SAVE:
		well_formed(reply, cap,
			    control_reply(reply, cap, "ok saved %s; exiting", state_path));
		break;
	default:
		break;
	}
	if (cmd == CONTROL_STATUS || cmd == CONTROL_RESTART || cmd == CONTROL_SAVE)
		client_round_trip(&req);
	/* any text as the build name (cut, masked), and the client reading any line */
	status_round_trip(seed, l->buf, small, cap);
	fuzz_assert(control_reply_ok(l->buf) ==
		    (!strncmp(l->buf, "ok", 2) &&
		     (!l->buf[2] || l->buf[2] == ' ' || l->buf[2] == '\n')));
	v = control_status_field(l->buf, "restarts");
	fuzz_assert(v >= -1);
	if (l->len > 1) {
		/* a key taken from the line itself, so that it occurs */
		char key[16];
		size_t at = seed % l->len, klen = 1 + (seed >> 8) % (sizeof(key) - 1);

		snprintf(key, sizeof(key), "%.*s", (int)klen, l->buf + at);
		v = control_status_field(l->buf, key);
		fuzz_assert(v >= -1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct control_line l;
	struct fuzz_in in = { data, size };
	uint32_t chunks;
	uint64_t seed;
	size_t cap, pos, start, n;

	chunks = (uint32_t)fuzz_take(&in, 1) * 0x01010101u | 1;
	cap = 2 + fuzz_take(&in, 1) * 2;
	if (cap > CONTROL_REPLY_MAX)
		cap = CONTROL_REPLY_MAX;
	seed = fuzz_take(&in, 8);

	for (pos = 0; pos < in.left;) {
		control_line_init(&l);
		start = pos;
		while (l.state == CONTROL_LINE_MORE && pos < in.left) {
			size_t want;

			/* chunk sizes 1..64, or the rest of the stream */
			chunks = chunks * 1103515245u + 12345u;
			want = chunks >> 31 ? in.left - pos : 1 + (chunks >> 16 & 63);
			if (want > in.left - pos)
				want = in.left - pos;
			n = control_line_feed(&l, in.p + pos, want);
			fuzz_assert(n <= want);
			fuzz_assert(n == want || l.state != CONTROL_LINE_MORE);
			pos += n;
		}
		check_read(&l, in.p + start, pos - start, pos == in.left);
		serve(&l, cap, seed);
	}
	return 0;
}
