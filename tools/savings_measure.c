// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxmemctl savings --measure: for each selected mode, find a region that
 * can hold SIZE at the mode's align, create and measure a device there
 * (daxmem_savings_measure_once(), repeated, median taken) and destroy it.
 *
 * What the machine does not offer is skipped with the reason, never an
 * error: no region of the backend (device-dax not loaded, pdax not loaded
 * or given no memory), no region with room for SIZE at that align, a kernel
 * that refuses the align (pdax pageless 2M/1G without huge PFNMAP entries).
 *
 * The devices are recorded in a private copy of the state file, so the
 * state file itself is never written: it is as it was before the run,
 * byte for byte. Termination signals are held while a device exists and
 * take effect once it is destroyed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd_savings.h"
#include "daxmemctl.h"

#define PDAX_BUS "/sys/bus/pdax"
#define LABEL "daxmemctl savings --measure"

/* the last error line the library logged: it becomes a row's reason */
static char last_error[256];

static void measure_log(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args)
{
	va_list copy;

	if (priority <= LOG_ERR) {
		va_copy(copy, args);
		vsnprintf(last_error, sizeof(last_error), fmt, copy);
		va_end(copy);
		return;
	}
	fputs("daxmemctl: ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT ? 0 : -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -errno;
	close(in);
	if (close(out) && !rc)
		rc = -errno;
	return rc;
}

/* the private state directory and everything the library put in it */
static void state_dir_remove(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

/* Point ctx at a copy of its state file in a new directory dir. */
static int private_state(struct daxmem_ctx *ctx, char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX + 16], real[PATH_MAX];
	int rc;

	snprintf(real, sizeof(real), "%s", daxmem_get_state_path(ctx));
	snprintf(dir, len, "%s/daxmemctl-savings.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return savings_error("mkdtemp %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	rc = copy_file(real, path);
	if (rc) {
		state_dir_remove(dir);
		return savings_error("copy the state file %s to %s: %s", real, path, strerror(-rc));
	}
	last_error[0] = '\0';
	rc = daxmem_set_state_path(ctx, path);
	if (!rc)
		rc = daxmem_refresh(ctx);
	if (rc) {
		state_dir_remove(dir);
		return savings_error("read the copy of the state file %s: %s", real,
				     last_error[0] ? last_error : strerror(-rc));
	}
	return 0;
}

static enum daxmem_backend backend_of(const struct savings_config *c)
{
	return strcmp(c->backend, "devdax") ? DAXMEM_BACKEND_PAGELESS : DAXMEM_BACKEND_DEVDAX;
}

static enum daxmem_mode mode_of(const struct savings_config *c)
{
	if (!strcmp(c->mode, "compound"))
		return DAXMEM_MODE_COMPOUND;
	return strcmp(c->mode, "pageless") ? DAXMEM_MODE_DEVDAX : DAXMEM_MODE_PAGELESS;
}

static void skip(struct savings_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void skip(struct savings_row *r, const char *fmt, ...)
{
	va_list ap;

	r->meas.status = SAVINGS_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(r->meas.reason, sizeof(r->meas.reason), fmt, ap);
	va_end(ap);
}

/* why the backend has no region at all */
static void skip_no_region(struct savings_row *r, enum daxmem_backend backend, int id)
{
	if (backend == DAXMEM_BACKEND_PAGELESS && access(PDAX_BUS, F_OK))
		skip(r, "pdax module not loaded (no %s)", PDAX_BUS);
	else if (id >= 0)
		skip(r, "no %s region %d", r->cfg->backend, id);
	else if (backend == DAXMEM_BACKEND_PAGELESS)
		skip(r,
		     "pdax has no region (hand it a Soft Reserved range: daxmemctl reconfigure-region START --backend pageless)");
	else
		skip(r,
		     "no device-dax region (needs Soft Reserved memory, dax_hmem and device_dax)");
}

/*
 * The region to measure in: region id (or the first region of the backend)
 * that can hold the size at the row's align. NULL after marking the row
 * skipped.
 */
static struct daxmem_region *pick_region(struct daxmem_ctx *ctx, struct savings_row *r,
					 const struct savings_measure_opts *o)
{
	enum daxmem_backend backend = backend_of(r->cfg);
	struct daxmem_region *region, *best = NULL;
	uint64_t fit, best_fit = 0;
	char a[32], b[32];
	bool any = false;

	daxmem_region_foreach(ctx, region) {
		if (daxmem_region_get_backend(region) != backend)
			continue;
		if (o->region >= 0 && daxmem_region_get_id(region) != o->region)
			continue;
		any = true;
		fit = daxmem_region_get_largest_fit(region, r->cfg->align);
		if (fit >= o->size)
			return region;
		if (!best || fit > best_fit) {
			best = region;
			best_fit = fit;
		}
	}
	if (!any) {
		skip_no_region(r, backend, o->region);
		return NULL;
	}
	skip(r,
	     "%s region%d: at most %s free at align %s, %s wanted (region too small or in use%s%s%s)",
	     r->cfg->backend, daxmem_region_get_id(best),
	     daxmem_format_size(best_fit, a, sizeof(a)), savings_align_name(r->cfg->align),
	     daxmem_format_size(o->size, b, sizeof(b)),
	     r->cfg->align > DAXMEM_PAGE_SIZE ? ", or its free space not " : "",
	     r->cfg->align > DAXMEM_PAGE_SIZE ? savings_align_name(r->cfg->align) : "",
	     r->cfg->align > DAXMEM_PAGE_SIZE ? "-aligned" : "");
	return NULL;
}

static bool stop_requested(const sigset_t *held)
{
	sigset_t pending;
	int s;

	if (sigpending(&pending))
		return false;
	for (s = 1; s < NSIG; s++)
		if (sigismember(held, s) == 1 && sigismember(&pending, s) == 1)
			return true;
	return false;
}

static void measure_row(struct daxmem_ctx *ctx, struct savings_row *r,
			const struct savings_measure_opts *o, const sigset_t *held)
{
	struct daxmem_savings_measure_spec spec = {
		.size = o->size,
		.align = (unsigned long)r->cfg->align,
		.mode = mode_of(r->cfg),
		.settle_ms = o->settle_ms,
		.label = LABEL,
	};
	struct daxmem_region *region;
	unsigned int i;
	int rc;

	/* a failed create may leave the context's view of free space behind */
	last_error[0] = '\0';
	rc = daxmem_refresh(ctx);
	if (rc) {
		r->meas.status = SAVINGS_FAILED;
		snprintf(r->meas.reason, sizeof(r->meas.reason), "daxmem_refresh: %s",
			 last_error[0] ? last_error : strerror(-rc));
		return;
	}
	region = pick_region(ctx, r, o);
	if (!region)
		return;
	r->meas.region = daxmem_region_get_id(region);
	daxmem_region_ref(region);
	for (i = 0; i < o->reps; i++) {
		if (stop_requested(held)) {
			skip(r, "interrupted");
			break;
		}
		last_error[0] = '\0';
		rc = daxmem_savings_measure_once(region, &spec, &r->meas.samples[i]);
		if (rc) {
			/* e.g. pdax pageless 2M/1G without huge PFNMAP entries (6.1) */
			if (rc == -EOPNOTSUPP && !i)
				skip(r, "the kernel refused it: %s", last_error);
			else {
				r->meas.status = SAVINGS_FAILED;
				snprintf(r->meas.reason, sizeof(r->meas.reason), "%s",
					 last_error[0] ? last_error : strerror(-rc));
			}
			break;
		}
		r->meas.reps++;
	}
	daxmem_region_unref(region);
	if (r->meas.reps == o->reps) {
		r->meas.status = SAVINGS_MEASURED;
		daxmem_savings_median(r->meas.samples, r->meas.reps, &r->meas.median);
	}
}

int savings_measure_rows(struct savings_row *rows, size_t nr, const struct savings_measure_opts *o)
{
	char dir[PATH_MAX];
	sigset_t held, old;
	struct daxmem_ctx *ctx;
	size_t i;
	int rc = 1;

	/* held from before the private state exists until it is gone */
	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	sigprocmask(SIG_BLOCK, &held, &old);
	ctx = ctl_ctx();
	if (!ctx)
		goto out;
	daxmem_set_log_fn(ctx, measure_log);
	rc = private_state(ctx, dir, sizeof(dir));
	for (i = 0; !rc && i < nr; i++) {
		if (rows[i].meas.status == SAVINGS_SKIPPED)
			continue;
		if (stop_requested(&held))
			skip(&rows[i], "interrupted");
		else
			measure_row(ctx, &rows[i], o, &held);
	}
	daxmem_unref(ctx);
	if (!rc)
		state_dir_remove(dir);
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
