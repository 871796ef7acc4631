// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket server and client: the socket I/O and what each command
 * does. The protocol itself (parsing, replies) is in control_proto.c.
 *
 *   status            -> the VM's counters
 *   restart [BINARY]  -> pause vCPUs, save state to SOCK.state, answer
 *                        "ok saved ...", exec BINARY --restore SOCK.state
 *                        with the locked device descriptor inherited.
 *                        If exec fails the old process resumes the guest.
 *   save              -> pause vCPUs, save state to SOCK.state, answer
 *                        "ok saved ...", and exit without resuming: the
 *                        guest waits in its memory for tinyvmm --restore
 *                        (a host kexec, docs/host-live-update.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control_proto.h"
#include "dax.h"
#include "mce.h"
#include "rollback.h"
#include "snapshot.h"
#include "util.h"
#include "vmm.h"

#define RESTART_WAIT_S 60
/* How long an exec or exit waits for the console to drain. */
#define CONSOLE_FLUSH_MS 500

struct control {
	struct vm *vm;
	int fd;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char state_path[PATH_MAX];
};

static int sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

/*
 * A client may hang up before its reply: that is EPIPE here (SIGPIPE is
 * ignored, main.c), never the end of the guest. write() rather than
 * send(MSG_NOSIGNAL): a tinyvmm started by a live restart runs under the
 * process filter of the one before it, which may not allow sendto.
 */
static void send_reply(int fd, const char *buf, size_t len)
{
	if (write(fd, buf, len) < 0 && errno != EPIPE && errno != ECONNRESET)
		pr_err("control: write reply: %s", strerror(errno));
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
	char buf[CONTROL_REPLY_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = control_vreply(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	send_reply(fd, buf, n);
}

/*
 * Read one line a byte at a time (nothing past the newline). Returns 0
 * when the line is complete, too long or ended by EOF, -errno when the
 * read failed (SO_RCVTIMEO: the client stalled) with l holding what came.
 */
static int read_line(int fd, struct control_line *l)
{
	char ch;

	control_line_init(l);
	while (l->state == CONTROL_LINE_MORE) {
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		control_line_feed(l, &ch, 1);
	}
	return 0;
}

static void do_status(struct control *c, int fd)
{
	struct vm *vm = c->vm;
	struct control_status st = {
		.build = TINYVMM_BUILD,
		.pid = (int)getpid(),
	};
	char buf[CONTROL_REPLY_MAX];
	size_t n;

	pthread_mutex_lock(&vm->dev_lock);
	st.cpus = vm->ncpus;
	st.mem = vm->mem.size;
	st.restarts = vm->restarts;
	st.last_pause_us = vm->last_pause_ns / 1000;
	st.bad_pages = vm->mce->nr_bad;
	st.unhandled_io = vm->stats.unhandled_io;
	st.unhandled_mmio = vm->stats.unhandled_mmio;
	pthread_mutex_unlock(&vm->dev_lock);
	st.console_dropped = console_dropped(&vm->console);
	st.rolled_back = vm->rolled_back;
	n = control_format_status(buf, sizeof(buf), &st);
	send_reply(fd, buf, n);
}

/* Pause the vCPUs, or answer why not. */
static int pause_or_reply(struct control *c, int fd)
{
	int ret = vm_pause(c->vm);

	/* Nothing new is printed now: let what the guest said reach stdout first. */
	if (!ret)
		console_drain(&c->vm->console, CONSOLE_FLUSH_MS);
	if (ret == -ETIMEDOUT)
		reply(fd, "error: the vCPUs did not stop within %d ms; guest resumed",
		      VM_PAUSE_TIMEOUT_MS);
	else if (ret)
		reply(fd, "error: the VM is exiting");
	return ret;
}

static void do_restart(struct control *c, int fd, const char *binary)
{
	char self[PATH_MAX], fdnum[16];
	uint64_t t0, dropped;
	pid_t watchdog;
	ssize_t n;
	int err;

	/* this binary: the default target, and what a rollback runs */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		reply(fd, "error: readlink /proc/self/exe: %s", strerror(errno));
		return;
	}
	self[n] = 0;
	if (!binary)
		binary = self;
	if (access(binary, X_OK)) {
		reply(fd, "error: %s is not executable: %s", binary, strerror(errno));
		return;
	}
	t0 = now_ns();
	if (pause_or_reply(c, fd))
		return;
	if (snapshot_save(c->vm, c->state_path, t0)) {
		vm_resume(c->vm);
		reply(fd, "error: saving state to %s failed; guest resumed", c->state_path);
		return;
	}
	reply(fd, "ok saved %s; exec %s", c->state_path, binary);
	dropped = console_flush(&c->vm->console, 0);
	if (dropped)
		pr_info("console: %" PRIu64 " bytes dropped so far (stdout not draining)", dropped);
	pr_info("live restart: exec %s --restore %s", binary, c->state_path);
	watchdog = rollback_watchdog_start(self, c->state_path);
	if (watchdog < 0)
		pr_err("live restart: no rollback watchdog: %s", strerror(-watchdog));
	/* The device descriptor, and with it the device lock, crosses the exec. */
	snprintf(fdnum, sizeof(fdnum), "%d", c->vm->dax->fd);
	if (dax_keep_across_exec(c->vm->dax, 1) == 0 && setenv(DAX_FD_ENV, fdnum, 1) == 0)
		execl(binary, binary, "--restore", c->state_path, (char *)NULL);
	err = errno;
	rollback_watchdog_cancel(watchdog);
	unsetenv(DAX_FD_ENV);
	dax_keep_across_exec(c->vm->dax, 0);
	pr_err("exec %s: %s; resuming the guest in this process", binary, strerror(err));
	reply(fd, "error: exec %s: %s; guest resumed by the old process", binary, strerror(err));
	vm_resume(c->vm);
}

static void do_save(struct control *c, int fd)
{
	uint64_t t0 = now_ns();

	if (pause_or_reply(c, fd))
		return;
	if (snapshot_save(c->vm, c->state_path, t0)) {
		vm_resume(c->vm);
		reply(fd, "error: saving state to %s failed; guest resumed", c->state_path);
		return;
	}
	/* Nothing may run after the save: exit with the vCPUs still parked. */
	unlink(c->path);
	pr_info("state saved to %s; exiting with the guest paused (resume: tinyvmm --restore %s)",
		c->state_path, c->state_path);
	reply(fd, "ok saved %s; exiting", c->state_path);
	close(fd);
	console_flush(&c->vm->console, 0);
	fflush(NULL);
	_exit(0);
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct timeval tv = { .tv_sec = 5 };
	struct control_line line;
	char buf[CONTROL_REPLY_MAX];
	struct control_req req;
	int ret;

	pthread_setname_np(pthread_self(), "control");
	for (;;) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		ret = read_line(fd, &line);
		if (ret) {
			/* a part of a command is no command: do not act on it */
			if (line.len)
				reply(fd, "error: incomplete command: read: %s", strerror(-ret));
			close(fd);
			continue;
		}
		switch (control_parse(&line, &req, buf, sizeof(buf))) {
		case CONTROL_STATUS:
			do_status(c, fd);
			break;
		case CONTROL_RESTART:
			do_restart(c, fd, req.arg);
			break;
		case CONTROL_SAVE:
			do_save(c, fd);
			break;
		case CONTROL_INVALID:
			send_reply(fd, buf, strlen(buf));
			break;
		case CONTROL_NONE:
			break;
		}
		close(fd);
	}
	return NULL;
}

int control_start(struct vm *vm, const char *path)
{
	static struct control ctl;
	struct sockaddr_un a;
	int ret;

	ctl.vm = vm;
	if (sock_addr(path, &a)) {
		pr_err("control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(ctl.path, path);
	snprintf(ctl.state_path, sizeof(ctl.state_path), "%s.state", path);
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl.fd < 0) {
		pr_err("socket: %s", strerror(errno));
		return -errno;
	}
	unlink(path);
	if (bind(ctl.fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ctl.fd, 4) < 0) {
		pr_err("bind/listen %s: %s", path, strerror(errno));
		close(ctl.fd);
		return -errno;
	}
	ret = pthread_create(&ctl.thread, NULL, control_thread, &ctl);
	if (ret) {
		pr_err("pthread_create control: %s", strerror(ret));
		return -ret;
	}
	pthread_detach(ctl.thread);
	vm->ctl = &ctl;
	return 0;
}

void control_stop(struct vm *vm)
{
	if (!vm->ctl)
		return;
	shutdown(vm->ctl->fd, SHUT_RDWR);
	unlink(vm->ctl->path);
}

/*
 * One request, one reply line. Returns 0 and fills @out (its '\n' dropped),
 * or -errno.
 */
static int control_call(const char *path, enum control_cmd cmd, const char *arg,
			struct control_line *out)
{
	char req[CONTROL_LINE_MAX];
	struct sockaddr_un a;
	int fd, ret, n;

	n = control_format_request(req, sizeof(req), cmd, arg);
	if (n < 0)
		return n;
	if (sock_addr(path, &a))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || write(fd, req, n) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = read_line(fd, out);
	close(fd);
	if (!ret && !out->len)
		ret = -EIO;
	return ret;
}

static int client_restart(const char *sock, const char *binary, long wait_s)
{
	struct control_line line;
	long long before;
	int ret;

	ret = control_call(sock, CONTROL_STATUS, NULL, &line);
	if (ret) {
		fprintf(stderr, "tinyvmm ctl: connect %s: %s\n", sock, strerror(-ret));
		return 1;
	}
	before = control_status_field(line.buf, "restarts");
	ret = control_call(sock, CONTROL_RESTART, binary, &line);
	if (ret || !control_reply_ok(line.buf)) {
		fprintf(stderr, "tinyvmm ctl: restart: %s\n", ret ? strerror(-ret) : line.buf);
		return 1;
	}
	printf("%s\n", line.buf);
	for (long waited = 0; waited < wait_s * 1000; waited += 20) {
		usleep(20000);
		if (control_call(sock, CONTROL_STATUS, NULL, &line))
			continue;
		if (control_status_field(line.buf, "restarts") > before) {
			long long us = control_status_field(line.buf, "last_pause_us");

			if (control_status_field(line.buf, "rolled_back") == 1) {
				fprintf(stderr,
					"tinyvmm ctl: restart: the new binary did not take the guest; "
					"the old binary resumed it (pause %lld.%03lld ms)\n%s\n",
					us / 1000, us % 1000, line.buf);
				return 1;
			}
			printf("restarted: pause %lld.%03lld ms\n%s\n", us / 1000, us % 1000,
			       line.buf);
			return 0;
		}
	}
	/*
	 * The new tinyvmm may only be slow: a --restore now is safe all the same,
	 * as it is refused while that one holds the device or once it resumed.
	 */
	fprintf(stderr,
		"tinyvmm ctl: the new tinyvmm did not come up within %ld s; the guest is "
		"saved in %s.state: tinyvmm --restore %s.state resumes it (refused while "
		"another tinyvmm holds the device, or once the state was resumed)\n",
		wait_s, sock, sock);
	return 1;
}

/* save, then wait until the process is gone (its socket refuses) */
static int client_save(const char *sock, long wait_s)
{
	struct control_line line;
	int ret;

	ret = control_call(sock, CONTROL_SAVE, NULL, &line);
	if (ret || !control_reply_ok(line.buf)) {
		fprintf(stderr, "tinyvmm ctl: save: %s\n", ret ? strerror(-ret) : line.buf);
		return 1;
	}
	printf("%s\n", line.buf);
	for (long waited = 0; waited < wait_s * 1000; waited += 10) {
		if (control_call(sock, CONTROL_STATUS, NULL, &line))
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "tinyvmm ctl: %s still answers after the save\n", sock);
	return 1;
}

int control_client(int argc, char **argv)
{
	struct control_line line;
	int ret;

	if (argc < 2) {
		fprintf(stderr,
			"usage: tinyvmm ctl SOCK status|save|restart [--binary PATH] [--timeout S]\n");
		return 2;
	}
	if (!strcmp(argv[1], "restart")) {
		const char *binary = NULL;
		long wait_s = RESTART_WAIT_S;
		char *end;

		for (int i = 2; i < argc; i += 2) {
			if (i + 1 >= argc)
				goto restart_usage;
			if (!strcmp(argv[i], "--binary") && control_arg_valid(argv[i + 1])) {
				binary = argv[i + 1];
			} else if (!strcmp(argv[i], "--timeout")) {
				wait_s = strtol(argv[i + 1], &end, 10);
				if (*end || wait_s < 1)
					goto restart_usage;
			} else {
				goto restart_usage;
			}
		}
		return client_restart(argv[0], binary, wait_s);
restart_usage:
		fprintf(stderr,
			"tinyvmm ctl: restart [--binary PATH (no spaces, under %d bytes)] "
			"[--timeout SECONDS]\n",
			CONTROL_LINE_MAX - 8);
		return 2;
	}
	if (!strcmp(argv[1], "save") && argc == 2)
		return client_save(argv[0], RESTART_WAIT_S);
	if (!strcmp(argv[1], "status") && argc == 2) {
		ret = control_call(argv[0], CONTROL_STATUS, NULL, &line);
		if (ret) {
			fprintf(stderr, "tinyvmm ctl: %s: %s\n", argv[0], strerror(-ret));
			return 1;
		}
		printf("%s\n", line.buf);
		return control_reply_ok(line.buf) ? 0 : 1;
	}
	fprintf(stderr, "tinyvmm ctl: unknown command '%s' (status, save, restart)\n", argv[1]);
	return 2;
}
