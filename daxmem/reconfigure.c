// SPDX-License-Identifier: LGPL-2.1
/*
 * Which backend owns a Soft Reserved range: dax_hmem (device-dax) or the
 * pdax module (pageless). Moves the range between them and records the
 * choice, so that restore puts it back after a module reload or a reboot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "private.h"

#define HMEM_DRIVER "/sys/bus/platform/drivers/hmem"
#define HMEM_DEVICES "/sys/bus/platform/devices"
#define PDAX_BUS "/sys/bus/pdax"

static int read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return (errno || end == buf) ? -EINVAL : 0;
}

/* the end of the Soft Reserved range of /proc/iomem that starts at start; -ENOENT if none */
static int soft_reserved_end(struct daxmem_ctx *ctx, uint64_t start, uint64_t *end)
{
	char line[256];
	int rc = -ENOENT;
	FILE *f;

	f = fopen("/proc/iomem", "re");
	if (!f) {
		rc = -errno;
		err(ctx, "open /proc/iomem: %s", strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		int used = 0;
		char *p = line;

		while (*p == ' ')
			p++;
		if (sscanf(p, "%llx-%llx : %n", &a, &b, &used) != 2 || !used)
			continue;
		if (a == start && strncmp(p + used, "Soft Reserved", 13) == 0) {
			*end = b;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* "hmem.N" of an /proc/iomem entry that covers start (6.1 lists them), else -ENOENT */
static int hmem_from_iomem(uint64_t start, char *name, size_t len)
{
	char line[256];
	int rc = -ENOENT;
	FILE *f;

	f = fopen("/proc/iomem", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		int used = 0, id;
		char *p = line;

		while (*p == ' ')
			p++;
		if (sscanf(p, "%llx-%llx : %n", &a, &b, &used) != 2 || !used)
			continue;
		if (a <= start && start <= b && sscanf(p + used, "hmem.%d", &id) == 1) {
			snprintf(name, len, "hmem.%d", id);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* the hmem platform device bound to dax_hmem whose dax region starts at start */
static int hmem_bound_at(uint64_t start, char *name, size_t len)
{
	struct dirent *de, *dx;
	char path[800];
	int rc = -ENOENT;
	DIR *d, *sub;

	d = opendir(HMEM_DRIVER);
	if (!d)
		return -ENOENT;
	while (rc && (de = readdir(d))) {
		if (strncmp(de->d_name, "hmem.", 5))
			continue;
		snprintf(path, sizeof(path), HMEM_DRIVER "/%s", de->d_name);
		sub = opendir(path);
		if (!sub)
			continue;
		while ((dx = readdir(sub))) {
			uint64_t res = 0;

			if (strncmp(dx->d_name, "dax", 3))
				continue;
			snprintf(path, sizeof(path), HMEM_DRIVER "/%s/%s/resource", de->d_name,
				 dx->d_name);
			if (!read_u64(path, &res) && res == start &&
			    snprintf(name, len, "%s", de->d_name) < (int)len) {
				rc = 0;
				break;
			}
		}
		closedir(sub);
	}
	closedir(d);
	return rc;
}

/* the only hmem platform device no driver holds; -ENOENT for none, -EEXIST for several */
static int hmem_only_unbound(char *name, size_t len)
{
	struct dirent *de;
	char path[800];
	int n = 0;
	DIR *d;

	d = opendir(HMEM_DEVICES);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "hmem.", 5))
			continue;
		snprintf(path, sizeof(path), HMEM_DEVICES "/%s/driver", de->d_name);
		if (access(path, F_OK) == 0)
			continue;
		if (!n++ && snprintf(name, len, "%s", de->d_name) >= (int)len)
			n = 2;
	}
	closedir(d);
	return n == 1 ? 0 : n ? -EEXIST : -ENOENT;
}

/* a process that has /dev/chardev open or mapped, or 0 */
static pid_t chardev_user(const char *chardev)
{
	char want[80], path[600], link[PATH_MAX], line[512];
	struct dirent *de, *fe;
	pid_t found = 0;
	DIR *proc, *fds;
	FILE *maps;
	ssize_t n;

	snprintf(want, sizeof(want), "/dev/%s", chardev);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (de = readdir(proc))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && !found && (fe = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = '\0';
				if (!strcmp(link, want))
					found = pid;
			}
		}
		if (fds)
			closedir(fds);
		/* a mapping outlives the descriptor it was made with */
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		maps = found ? NULL : fopen(path, "re");
		while (maps && !found && fgets(line, sizeof(line), maps)) {
			char *p = strstr(line, want);

			if (p && (p[strlen(want)] == '\n' || p[strlen(want)] == ' '))
				found = pid;
		}
		if (maps)
			fclose(maps);
	}
	closedir(proc);
	return found;
}

/* refuse while a device of the range is open, mapped or onlined as System RAM */
static int check_not_in_use(struct daxmem_ctx *ctx, uint64_t start, const char *chardev,
			    bool devdax)
{
	char path[600], link[PATH_MAX];
	ssize_t n;
	pid_t pid;

	if (devdax) {
		snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/driver", chardev);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (!strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, "kmem")) {
				err(ctx,
				    "reconfigure-region %#llx: %s is onlined as System RAM (kmem); offline it first",
				    (unsigned long long)start, chardev);
				return -EBUSY;
			}
		}
	}
	pid = chardev_user(chardev);
	if (pid) {
		err(ctx, "reconfigure-region %#llx: /dev/%s is in use (open by pid %d)",
		    (unsigned long long)start, chardev, (int)pid);
		return -EBUSY;
	}
	return 0;
}

/* every dax device of the hmem platform device: none may be in use */
static int check_hmem_devices(struct daxmem_ctx *ctx, uint64_t start, const char *hmem)
{
	struct dirent *de;
	char path[600];
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), HMEM_DRIVER "/%s", hmem);
	d = opendir(path);
	if (!d)
		return 0;
	while (!rc && (de = readdir(d)))
		if (!strncmp(de->d_name, "dax", 3) && strchr(de->d_name, '.'))
			rc = check_not_in_use(ctx, start, de->d_name, true);
	closedir(d);
	return rc;
}

/* a device recorded in the state file with memory in [start, end] */
static int check_not_recorded(struct daxmem_ctx *ctx, uint64_t start, uint64_t end)
{
	size_t i, j;

	for (i = 0; i < ctx->state.nr_devs; i++) {
		const struct daxmem_state_dev *d = &ctx->state.devs[i];

		for (j = 0; j < d->nr_ranges; j++) {
			if (d->ranges[j].start > end || d->ranges[j].end < start)
				continue;
			err(ctx,
			    "reconfigure-region %#llx: device %s (%s) is recorded in %s; destroy it first",
			    (unsigned long long)start, d->name, d->chardev, ctx->state_path);
			return -EBUSY;
		}
	}
	return 0;
}

static struct daxmem_region *region_at(struct daxmem_ctx *ctx, uint64_t start)
{
	size_t i;

	for (i = 0; i < ctx->nr_regions; i++)
		if (ctx->regions[i]->start_known && ctx->regions[i]->start == start)
			return ctx->regions[i];
	return NULL;
}

static int pdax_load(struct daxmem_ctx *ctx)
{
	int status;
	pid_t pid;

	if (access(PDAX_BUS, F_OK) == 0)
		return 0;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("modprobe", "modprobe", "pdax", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || access(PDAX_BUS, F_OK)) {
		err(ctx, "cannot load the pdax module (modprobe pdax failed)");
		return -ENODEV;
	}
	info(ctx, "loaded the pdax module");
	return 0;
}

/*
 * Hand [start, end] to backend. The caller holds the lock and has scanned;
 * check_recorded is false for restore, which rebuilds the recorded devices
 * on the range afterwards. Rescans when anything changed. *hmem receives the
 * dax_hmem device that held the range (kept from rec if it is not known now).
 */
static int reconfigure_locked(struct daxmem_ctx *ctx, uint64_t start, uint64_t end,
			      enum daxmem_backend backend, bool check_recorded,
			      const struct daxmem_state_backend *rec, char *hmem, size_t len)
{
	struct daxmem_region *cur = region_at(ctx, start);
	char val[64];
	bool bound;
	size_t i;
	int rc;

	hmem[0] = '\0';
	if (rec && rec->hmem[0])
		snprintf(hmem, len, "%s", rec->hmem);
	bound = hmem_bound_at(start, hmem, len) == 0;
	if (bound && backend == DAXMEM_BACKEND_DEVDAX)
		return 0;
	if (cur && cur->backend == backend)
		return 0;
	/* in use first: an open device is the more urgent thing to report */
	if (cur && cur->backend == DAXMEM_BACKEND_PAGELESS) {
		for (i = 0; i < cur->nr_devs; i++) {
			if (!cur->devs[i]->present)
				continue;
			rc = check_not_in_use(ctx, start, cur->devs[i]->chardev, false);
			if (rc)
				return rc;
		}
	} else if (bound) {
		rc = check_hmem_devices(ctx, start, hmem);
		if (rc)
			return rc;
	}
	if (check_recorded) {
		rc = check_not_recorded(ctx, start, end);
		if (rc)
			return rc;
	}

	if (cur && cur->backend == DAXMEM_BACKEND_PAGELESS) {
		snprintf(val, sizeof(val), "%d", cur->id);
		rc = daxmem_sysfs_write(ctx, PDAX_BUS "/release", val);
		if (rc)
			return rc;
		info(ctx, "released pdax region%d", cur->id);
	} else if (bound) {
		rc = daxmem_sysfs_write(ctx, HMEM_DRIVER "/unbind", hmem);
		if (rc)
			return rc;
		info(ctx, "unbound %s from dax_hmem", hmem);
	}

	if (backend == DAXMEM_BACKEND_PAGELESS) {
		rc = pdax_load(ctx);
		if (rc)
			return rc;
		rc = daxmem_scan(ctx);
		if (rc)
			return rc;
		/* pdax claims every unowned Soft Reserved range when it loads */
		if (!region_at(ctx, start)) {
			snprintf(val, sizeof(val), "%#llx-%#llx", (unsigned long long)start,
				 (unsigned long long)end);
			rc = daxmem_sysfs_write(ctx, PDAX_BUS "/claim", val);
			if (rc)
				return rc;
		}
	} else {
		if (!hmem[0] && hmem_from_iomem(start, hmem, len) && hmem_only_unbound(hmem, len)) {
			err(ctx,
			    "reconfigure-region %#llx: cannot tell which hmem device held it; bind it to %s by hand",
			    (unsigned long long)start, HMEM_DRIVER);
			return -ENOENT;
		}
		rc = daxmem_sysfs_write(ctx, HMEM_DRIVER "/bind", hmem);
		if (rc)
			return rc;
		info(ctx, "bound %s to dax_hmem", hmem);
	}
	return daxmem_scan(ctx);
}

static int record_backend(struct daxmem_ctx *ctx, uint64_t start, uint64_t end,
			  enum daxmem_backend backend, const char *hmem)
{
	struct daxmem_state_backend b = { start, end, backend, "" };

	snprintf(b.hmem, sizeof(b.hmem), "%s", hmem);
	return daxmem_state_put_backend(&ctx->state, &b);
}

int daxmem_region_reconfigure(struct daxmem_ctx *ctx, uint64_t start, enum daxmem_backend backend,
			      struct daxmem_region **region)
{
	const struct daxmem_state_backend *rec;
	struct daxmem_region *r;
	char hmem[32];
	uint64_t end;
	int rc;

	if (backend != DAXMEM_BACKEND_DEVDAX && backend != DAXMEM_BACKEND_PAGELESS) {
		err(ctx, "reconfigure-region: backend must be devdax or pageless");
		return -EINVAL;
	}
	rc = daxmem_lock_scan(ctx);
	if (rc)
		return rc;
	rc = soft_reserved_end(ctx, start, &end);
	if (rc == -ENOENT)
		err(ctx,
		    "reconfigure-region: no Soft Reserved range starts at %#llx (see /proc/iomem)",
		    (unsigned long long)start);
	if (rc)
		goto out;
	rec = daxmem_state_find_backend(&ctx->state, start);
	rc = reconfigure_locked(ctx, start, end, backend, true, rec, hmem, sizeof(hmem));
	if (!rc)
		rc = record_backend(ctx, start, end, backend, hmem);
	if (!rc)
		rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
	if (!rc)
		rc = daxmem_scan(ctx);
	if (rc)
		goto out;
	r = region_at(ctx, start);
	if (!r || r->backend != backend) {
		err(ctx, "reconfigure-region %#llx: no %s region holds it after the change",
		    (unsigned long long)start, daxmem_backend_name(backend));
		rc = -EIO;
		goto out;
	}
	*region = daxmem_region_ref(r);
out:
	daxmem_state_unlock(ctx);
	return rc;
}

int daxmem_backends_restore(struct daxmem_ctx *ctx, const struct daxmem_state *doc)
{
	char hmem[32];
	size_t i;
	int rc;

	for (i = 0; i < doc->nr_backends; i++) {
		const struct daxmem_state_backend *b = &doc->backends[i];
		uint64_t end;

		rc = soft_reserved_end(ctx, b->start, &end);
		if (rc == -ENOENT || (!rc && end != b->end)) {
			err(ctx,
			    "restore: the Soft Reserved range %#llx-%#llx recorded for %s is not in /proc/iomem",
			    (unsigned long long)b->start, (unsigned long long)b->end,
			    daxmem_backend_name(b->backend));
			return -ENOENT;
		}
		if (rc)
			return rc;
		rc = reconfigure_locked(ctx, b->start, b->end, b->backend, false, b, hmem,
					sizeof(hmem));
		/* stored at once: the next range's rescan re-reads the file */
		if (!rc)
			rc = record_backend(ctx, b->start, b->end, b->backend, hmem);
		if (!rc)
			rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
		if (rc)
			return rc;
	}
	return 0;
}
