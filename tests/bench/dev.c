// SPDX-License-Identifier: GPL-2.0
/*
 * bench-dev: the life of one dax device, timed phase by phase, with the host
 * memory it costs. Runs inside the testbed.
 *
 *   bench-dev devdax DAXDEV SIZE ALIGN [REPS]          e.g. devdax dax1.0 1G 4K
 *   bench-dev pdax REGION SIZE ALIGN pageless|compound [REPS]
 *
 * devdax reconfigures an existing kernel device-dax device (unbind, resize
 * to 0, align, size, bind to device_dax); pdax creates a device of the
 * project's module in /sys/bus/pdax/devices/regionREGION. Prints TSV rows:
 *   dev  backend mode align size create_ns enable_ns scrub_ns map_ns
 *        memfree_drop memtotal_drop memmap_pages_delta vmemmap_bytes memfree_back
 *   fault backend mode align size method mmap_ns touch_ns mmap_flt touch_flt
 *        f4k f2m f1g                       (the median of REPS runs)
 * Memory columns are bytes (memmap_pages_delta: pages; -1: not available);
 * "memfree" is MemFree plus the pages on per-CPU free lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "util.h"

#define MAX_REPS 9

struct dev {
	const char *backend; /* devdax | pdax */
	const char *mode; /* devdax | pageless | compound */
	char name[64];
	char sysdir[PATH_MAX];
	int region;
	uint64_t size, align;
	int fd;
};

struct mem {
	int64_t free, total, memmap;
};

static void mem_read(struct mem *m)
{
	bench_settle();
	m->free = bench_free_bytes();
	m->total = bench_meminfo("MemTotal");
	m->memmap = bench_vmstat("nr_memmap_pages");
}

static int devdax_reset(struct dev *d)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/driver", d->sysdir);
	if (access(path, F_OK) == 0 && bench_sysfs_writef(d->name, "%s/driver/unbind", d->sysdir))
		return -EIO;
	return bench_sysfs_writef("0", "%s/size", d->sysdir) ? -EIO : 0;
}

static int devdax_create(struct dev *d)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)d->align);
	if (bench_sysfs_writef(v, "%s/align", d->sysdir))
		return -EIO;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)d->size);
	return bench_sysfs_writef(v, "%s/size", d->sysdir) ? -EIO : 0;
}

/*
 * dax_hmem regions are of the kmem type, so device_dax only takes a device
 * it is told about by name (new_id, as daxctl does); bind if that alone did
 * not attach it.
 */
static int devdax_enable(struct dev *d)
{
	char path[PATH_MAX + 16];
	int fd;

	fd = open("/sys/bus/dax/drivers/device_dax/new_id", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, d->name, strlen(d->name)) < 0 && errno != EEXIST)
			fprintf(stderr, "bench-dev: device_dax/new_id %s: %s\n", d->name,
				strerror(errno));
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/driver", d->sysdir);
	if (access(path, F_OK) == 0)
		return 0;
	return bench_sysfs_write("/sys/bus/dax/drivers/device_dax/bind", d->name) ? -EIO : 0;
}

static int pdax_create(struct dev *d)
{
	char v[64];

	if (bench_sysfs_writef("1", "/sys/bus/pdax/devices/region%d/create", d->region))
		return -EIO;
	snprintf(v, sizeof(v), "/sys/bus/pdax/devices/region%d/seed", d->region);
	if (bench_sysfs_read(v, d->name, sizeof(d->name)) || !d->name[0]) {
		fprintf(stderr, "bench-dev: region%d has no seed device\n", d->region);
		return -EIO;
	}
	snprintf(d->sysdir, sizeof(d->sysdir), "/sys/bus/pdax/devices/%s", d->name);
	if (bench_sysfs_writef(d->mode, "%s/mode", d->sysdir))
		return -EIO;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)d->align);
	if (bench_sysfs_writef(v, "%s/align", d->sysdir))
		return -EIO;
	snprintf(v, sizeof(v), "%llu", (unsigned long long)d->size);
	return bench_sysfs_writef(v, "%s/size", d->sysdir) ? -EIO : 0;
}

/* the module's scrub: start it and wait until it reports done */
static uint64_t pdax_scrub(struct dev *d)
{
	char path[PATH_MAX + 16], state[128];
	uint64_t t0 = bench_now_ns();

	snprintf(path, sizeof(path), "%s/scrub", d->sysdir);
	if (bench_sysfs_write(path, "1"))
		return 0;
	for (;;) {
		if (bench_sysfs_read(path, state, sizeof(state))) {
			fprintf(stderr, "bench-dev: read %s failed\n", path);
			return 0;
		}
		if (!strncmp(state, "done", 4))
			return bench_now_ns() - t0;
		if (strncmp(state, "running", 7)) {
			fprintf(stderr, "bench-dev: %s: scrub state '%s'\n", d->name, state);
			return 0;
		}
		usleep(1000);
	}
}

static int64_t pdax_attr(struct dev *d, const char *attr)
{
	char path[PATH_MAX + 64], v[64];

	snprintf(path, sizeof(path), "%s/%s", d->sysdir, attr);
	if (bench_sysfs_read(path, v, sizeof(v)))
		return -1;
	return strtoll(v, NULL, 0);
}

static int dev_open(struct dev *d)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/%s", d->name);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		fprintf(stderr, "bench-dev: open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static void pdax_reset_faults(struct dev *d)
{
	if (strcmp(d->backend, "pdax"))
		return;
	bench_sysfs_writef("0", "%s/faults_4k", d->sysdir);
	bench_sysfs_writef("0", "%s/faults_2m", d->sysdir);
	bench_sysfs_writef("0", "%s/faults_1g", d->sysdir);
}

struct rep {
	struct bench_touch t;
	int64_t f4k, f2m, f1g;
};

static int cmp_rep(const void *a, const void *b)
{
	const struct rep *x = a, *y = b;
	uint64_t tx = x->t.mmap_ns + x->t.touch_ns, ty = y->t.mmap_ns + y->t.touch_ns;

	return tx < ty ? -1 : tx > ty;
}

static int fault_runs(struct dev *d, int populate, int reps)
{
	struct rep r[MAX_REPS];
	int i, pdax = !strcmp(d->backend, "pdax");

	for (i = 0; i < reps; i++) {
		pdax_reset_faults(d);
		if (bench_map_touch(d->fd, d->size, populate, &r[i].t))
			return -EIO;
		r[i].f4k = pdax ? pdax_attr(d, "faults_4k") : -1;
		r[i].f2m = pdax ? pdax_attr(d, "faults_2m") : -1;
		r[i].f1g = pdax ? pdax_attr(d, "faults_1g") : -1;
	}
	qsort(r, reps, sizeof(r[0]), cmp_rep);
	i = reps / 2;
	printf("fault\t%s\t%s\t%llu\t%llu\t%s\t%llu\t%llu\t%llu\t%llu\t%lld\t%lld\t%lld\n",
	       d->backend, d->mode, (unsigned long long)d->align, (unsigned long long)d->size,
	       populate ? "populate" : "touch", (unsigned long long)r[i].t.mmap_ns,
	       (unsigned long long)r[i].t.touch_ns, (unsigned long long)r[i].t.mmap_flt,
	       (unsigned long long)r[i].t.touch_flt, (long long)r[i].f4k, (long long)r[i].f2m,
	       (long long)r[i].f1g);
	return 0;
}

/* give the device back: pdax deletes it, device-dax goes back to size 0 */
static int dev_teardown(struct dev *d)
{
	if (d->fd >= 0) {
		close(d->fd);
		d->fd = -1;
	}
	if (strcmp(d->backend, "pdax"))
		return devdax_reset(d);
	if (!d->name[0])
		return 0;
	return bench_sysfs_writef(d->name, "/sys/bus/pdax/devices/region%d/delete", d->region);
}

static int run(struct dev *d, int reps)
{
	uint64_t t0, create_ns, enable_ns = 0, scrub_ns = 0, map_ns;
	int pdax = !strcmp(d->backend, "pdax");
	struct mem base, on, back;
	int64_t vmemmap = -1;

	if (!pdax && devdax_reset(d))
		return 1;
	mem_read(&base);

	t0 = bench_now_ns();
	if (pdax ? pdax_create(d) : devdax_create(d))
		goto fail;
	create_ns = bench_now_ns() - t0;

	if (pdax) {
		scrub_ns = pdax_scrub(d);
		if (!scrub_ns)
			goto fail;
		t0 = bench_now_ns();
		if (dev_open(d))
			goto fail;
		enable_ns = bench_now_ns() - t0;
	} else {
		t0 = bench_now_ns();
		if (devdax_enable(d) || dev_open(d))
			goto fail;
		enable_ns = bench_now_ns() - t0;
	}
	mem_read(&on);
	if (pdax)
		vmemmap = pdax_attr(d, "vmemmap_bytes");
	if (!pdax) {
		/* device-dax hands memory over as it was: zeroing is the caller's job */
		scrub_ns = bench_map_scrub(d->fd, d->size);
		if (!scrub_ns)
			goto fail;
	}
	map_ns = bench_map_first(d->fd, d->size, d->align);
	if (!map_ns)
		goto fail;
	if (fault_runs(d, 0, reps) || fault_runs(d, 1, reps))
		goto fail;
	if (dev_teardown(d))
		return 1;
	mem_read(&back);
	printf("dev\t%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%lld\t%lld\t%lld\t%lld\t%lld\n",
	       d->backend, d->mode, (unsigned long long)d->align, (unsigned long long)d->size,
	       (unsigned long long)create_ns, (unsigned long long)enable_ns,
	       (unsigned long long)scrub_ns, (unsigned long long)map_ns,
	       (long long)(base.free - on.free), (long long)(base.total - on.total),
	       (long long)(base.memmap >= 0 && on.memmap >= 0 ? on.memmap - base.memmap : -1),
	       (long long)vmemmap, (long long)(back.free - on.free));
	return 0;
fail:
	dev_teardown(d);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench-dev devdax DAXDEV SIZE ALIGN [REPS]\n"
			"       bench-dev pdax REGION SIZE ALIGN pageless|compound [REPS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct dev d = { .fd = -1 };
	int reps = 3, nargs;

	if (argc < 5)
		return usage();
	d.backend = argv[1];
	d.size = bench_parse_size(argv[3]);
	d.align = bench_parse_size(argv[4]);
	if (!strcmp(d.backend, "devdax")) {
		d.mode = "devdax";
		snprintf(d.name, sizeof(d.name), "%s", argv[2]);
		snprintf(d.sysdir, sizeof(d.sysdir), "/sys/bus/dax/devices/%s", d.name);
		nargs = 5;
	} else if (!strcmp(d.backend, "pdax") && argc >= 6) {
		d.region = atoi(argv[2]);
		d.mode = argv[5];
		if (strcmp(d.mode, "pageless") && strcmp(d.mode, "compound"))
			return usage();
		nargs = 6;
	} else {
		return usage();
	}
	if (argc > nargs)
		reps = atoi(argv[nargs]);
	if (argc > nargs + 1 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "bench-dev: REPS must be 1..%d\n", MAX_REPS);
		return 2;
	}
	if (!d.size || !d.align || d.size % d.align) {
		fprintf(stderr, "bench-dev: SIZE must be a non-zero multiple of ALIGN\n");
		return 2;
	}
	return run(&d, reps);
}
