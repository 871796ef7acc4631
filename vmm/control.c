// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket server and client.
 *
 * Commands (one line per connection):
 *   status            -> "ok running cpus=N mem=B restarts=N last_pause_us=U ..."
 *   restart [BINARY]  -> pause vCPUs, save state to SOCK.state, answer
 *                        "ok saved ...", exec BINARY --restore SOCK.state.
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
#include "mce.h"
#include "snapshot.h"
#include "util.h"
#include "vmm.h"

#define LINE_MAX_LEN 4096
#define RESTART_WAIT_S 60

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

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && write(fd, buf, n) < 0)
		pr_err("control: write reply: %s", strerror(errno));
}

static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return n ? 0 : -EIO;
}

static void do_status(struct control *c, int fd)
{
	struct vm *vm = c->vm;

	pthread_mutex_lock(&vm->dev_lock);
	reply(fd,
	      "ok running build=%s pid=%d cpus=%d mem=%" PRIu64 " restarts=%u last_pause_us=%" PRIu64
	      " bad_pages=%d unhandled_io=%" PRIu64 " unhandled_mmio=%" PRIu64 "\n",
	      TINYVMM_BUILD, (int)getpid(), vm->ncpus, vm->mem.size, vm->restarts, vm->last_pause_ns / 1000, vm->mce->nr_bad,
	      vm->stats.unhandled_io, vm->stats.unhandled_mmio);
	pthread_mutex_unlock(&vm->dev_lock);
}

static void do_restart(struct control *c, int fd, const char *binary)
{
	char self[PATH_MAX];
	uint64_t t0;
	ssize_t n;

	if (!binary || !*binary) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) {
			reply(fd, "error: readlink /proc/self/exe: %s\n", strerror(errno));
			return;
		}
		self[n] = 0;
		binary = self;
	}
	if (access(binary, X_OK)) {
		reply(fd, "error: %s is not executable: %s\n", binary, strerror(errno));
		return;
	}
	t0 = now_ns();
	if (vm_pause(c->vm)) {
		reply(fd, "error: the VM is exiting\n");
		return;
	}
	if (snapshot_save(c->vm, c->state_path, t0)) {
		vm_resume(c->vm);
		reply(fd, "error: saving state to %s failed; guest resumed\n", c->state_path);
		return;
	}
	reply(fd, "ok saved %s; exec %s\n", c->state_path, binary);
	pr_info("live restart: exec %s --restore %s", binary, c->state_path);
	execl(binary, binary, "--restore", c->state_path, (char *)NULL);
	pr_err("exec %s: %s; resuming the guest in this process", binary, strerror(errno));
	reply(fd, "error: exec %s: %s; guest resumed by the old process\n", binary,
	      strerror(errno));
	vm_resume(c->vm);
}

static void do_save(struct control *c, int fd)
{
	uint64_t t0 = now_ns();

	if (vm_pause(c->vm)) {
		reply(fd, "error: the VM is exiting\n");
		return;
	}
	if (snapshot_save(c->vm, c->state_path, t0)) {
		vm_resume(c->vm);
		reply(fd, "error: saving state to %s failed; guest resumed\n", c->state_path);
		return;
	}
	/* Nothing may run after the save: exit with the vCPUs still parked. */
	unlink(c->path);
	pr_info("state saved to %s; exiting with the guest paused (resume: tinyvmm --restore %s)",
		c->state_path, c->state_path);
	reply(fd, "ok saved %s; exiting\n", c->state_path);
	close(fd);
	fflush(NULL);
	_exit(0);
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct timeval tv = { .tv_sec = 5 };
	char line[LINE_MAX_LEN];

	pthread_setname_np(pthread_self(), "control");
	for (;;) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read_line(fd, line, sizeof(line))) {
			close(fd);
			continue;
		}
		if (!strcmp(line, "status"))
			do_status(c, fd);
		else if (!strcmp(line, "restart") || !strncmp(line, "restart ", 8))
			do_restart(c, fd, line[7] ? line + 8 : NULL);
		else if (!strcmp(line, "save"))
			do_save(c, fd);
		else
			reply(fd, "error: unknown command '%.64s'\n", line);
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

/* One request, one reply line. Returns 0 and fills @out, or -errno. */
static int control_call(const char *path, const char *req, char *out, size_t len)
{
	struct sockaddr_un a;
	int fd, ret;

	if (sock_addr(path, &a))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = read_line(fd, out, len);
	close(fd);
	return ret;
}

static long status_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int client_restart(const char *sock, const char *binary, long wait_s)
{
	char req[LINE_MAX_LEN], line[LINE_MAX_LEN];
	long before;
	int ret;

	ret = control_call(sock, "status", line, sizeof(line));
	if (ret) {
		fprintf(stderr, "tinyvmm ctl: connect %s: %s\n", sock, strerror(-ret));
		return 1;
	}
	before = status_field(line, "restarts=");
	snprintf(req, sizeof(req), "restart%s%s", binary ? " " : "", binary ? binary : "");
	ret = control_call(sock, req, line, sizeof(line));
	if (ret || strncmp(line, "ok", 2)) {
		fprintf(stderr, "tinyvmm ctl: restart: %s\n", ret ? strerror(-ret) : line);
		return 1;
	}
	printf("%s\n", line);
	for (long waited = 0; waited < wait_s * 1000; waited += 20) {
		usleep(20000);
		if (control_call(sock, "status", line, sizeof(line)))
			continue;
		if (status_field(line, "restarts=") > before) {
			long us = status_field(line, "last_pause_us=");

			printf("restarted: pause %ld.%03ld ms\n%s\n", us / 1000, us % 1000, line);
			return 0;
		}
	}
	fprintf(stderr, "tinyvmm ctl: the new tinyvmm did not come up; the guest is saved in "
			"%s.state: resume it with tinyvmm --restore %s.state\n", sock, sock);
	return 1;
}

/* save, then wait until the process is gone (its socket refuses) */
static int client_save(const char *sock, long wait_s)
{
	char line[LINE_MAX_LEN];
	int ret;

	ret = control_call(sock, "save", line, sizeof(line));
	if (ret || strncmp(line, "ok", 2)) {
		fprintf(stderr, "tinyvmm ctl: save: %s\n", ret ? strerror(-ret) : line);
		return 1;
	}
	printf("%s\n", line);
	for (long waited = 0; waited < wait_s * 1000; waited += 10) {
		if (control_call(sock, "status", line, sizeof(line)))
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "tinyvmm ctl: %s still answers after the save\n", sock);
	return 1;
}

int control_client(int argc, char **argv)
{
	char line[LINE_MAX_LEN];
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: tinyvmm ctl SOCK status|save|restart [--binary PATH] [--timeout S]\n");
		return 2;
	}
	if (!strcmp(argv[1], "restart")) {
		const char *binary = NULL;
		long wait_s = RESTART_WAIT_S;
		char *end;

		for (int i = 2; i < argc; i += 2) {
			if (i + 1 >= argc)
				goto restart_usage;
			if (!strcmp(argv[i], "--binary") && !strpbrk(argv[i + 1], " \n")) {
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
		fprintf(stderr, "tinyvmm ctl: restart [--binary PATH (no spaces)] [--timeout SECONDS]\n");
		return 2;
	}
	if (!strcmp(argv[1], "save") && argc == 2)
		return client_save(argv[0], RESTART_WAIT_S);
	if (!strcmp(argv[1], "status") && argc == 2) {
		ret = control_call(argv[0], "status", line, sizeof(line));
		if (ret) {
			fprintf(stderr, "tinyvmm ctl: %s: %s\n", argv[0], strerror(-ret));
			return 1;
		}
		printf("%s\n", line);
		return strncmp(line, "ok", 2) ? 1 : 0;
	}
	fprintf(stderr, "tinyvmm ctl: unknown command '%s' (status, save, restart)\n", argv[1]);
	return 2;
}
