// SPDX-License-Identifier: LGPL-2.1
/*
 * Backend "pageless": the pdax module's regions and devices
 * (/sys/bus/pdax/devices/regionR, pdaxR.N, /dev/pdaxR.N), whose sysfs ABI
 * mirrors device-dax (docs/kmod.md). There is no library for it, so this file
 * is the only place that reads and writes those attributes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

#define PDAX_DEVICES "/sys/bus/pdax/devices"
#define SCRUB_POLL_US 10000

static int attr_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[640];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int attr_u64(const char *dir, const char *attr, uint64_t *val)
{
	char buf[64], *end;
	int rc = attr_read(dir, attr, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return (errno || end == buf) ? -EINVAL : 0;
}

static int attr_write(struct daxmem_ctx *ctx, const char *dir, const char *attr, const char *val)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return daxmem_sysfs_write(ctx, path, val);
}

static int pageless_scan_dev(struct daxmem_ctx *ctx, const char *name)
{
	struct daxmem_range *ranges = NULL;
	struct daxmem_region *region = NULL;
	char dir[512], sub[32], mode_name[32];
	enum daxmem_mode mode = DAXMEM_MODE_PAGELESS;
	uint64_t size, align, pgoff;
	size_t nr = 0, i;
	int rid, did, rc;

	if (sscanf(name, "pdax%d.%d", &rid, &did) != 2)
		return 0;
	snprintf(dir, sizeof(dir), PDAX_DEVICES "/%s", name);
	if (attr_u64(dir, "size", &size) || !size)
		return 0;
	for (i = 0; i < ctx->nr_regions; i++)
		if (ctx->regions[i]->backend == DAXMEM_BACKEND_PAGELESS &&
		    ctx->regions[i]->id == rid)
			region = ctx->regions[i];
	if (!region)
		return 0;
	rc = attr_u64(dir, "align", &align);
	if (rc) {
		err(ctx, "%s: read align: %s", name, strerror(-rc));
		return rc;
	}
	if (!attr_read(dir, "mode", mode_name, sizeof(mode_name)))
		daxmem_mode_from_name(mode_name, &mode);
	for (;; nr++) {
		struct daxmem_range r, *n;

		snprintf(sub, sizeof(sub), "mapping%zu/start", nr);
		if (attr_u64(dir, sub, &r.start))
			break;
		snprintf(sub, sizeof(sub), "mapping%zu/end", nr);
		rc = attr_u64(dir, sub, &r.end);
		snprintf(sub, sizeof(sub), "mapping%zu/page_offset", nr);
		if (!rc)
			rc = attr_u64(dir, sub, &pgoff);
		if (rc) {
			err(ctx, "%s: read mapping%zu: %s", name, nr, strerror(-rc));
			free(ranges);
			return rc;
		}
		r.page_offset = pgoff * DAXMEM_PAGE_SIZE;
		n = realloc(ranges, (nr + 1) * sizeof(*n));
		if (!n) {
			free(ranges);
			return -ENOMEM;
		}
		ranges = n;
		ranges[nr] = r;
	}
	rc = daxmem_region_add_dev(region, name, align, mode, ranges, nr);
	free(ranges);
	return rc;
}

/* regionR/poison: one physical address (hex) per line */
static int pageless_scan_poison(struct daxmem_region *region, const char *dir)
{
	char path[640], line[64];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/poison", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		unsigned long long addr;

		if (sscanf(line, "%llx", &addr) == 1)
			rc = daxmem_region_add_kpoison(region, addr & ~(DAXMEM_PAGE_SIZE - 1));
	}
	fclose(f);
	return rc;
}

static int pageless_scan(struct daxmem_ctx *ctx)
{
	struct dirent *de;
	char dir[512];
	DIR *d;
	int rc = 0;

	d = opendir(PDAX_DEVICES);
	if (!d)
		return 0; /* module not loaded */
	while ((de = readdir(d))) {
		struct daxmem_region *region;
		uint64_t start, size, avail, align;
		int id;

		if (sscanf(de->d_name, "region%d", &id) != 1)
			continue;
		snprintf(dir, sizeof(dir), PDAX_DEVICES "/%s", de->d_name);
		rc = attr_u64(dir, "start", &start);
		if (!rc)
			rc = attr_u64(dir, "size", &size);
		if (!rc)
			rc = attr_u64(dir, "available_size", &avail);
		if (!rc)
			rc = attr_u64(dir, "align", &align);
		if (rc) {
			err(ctx, "%s: read region attributes: %s", dir, strerror(-rc));
			break;
		}
		region = daxmem_region_add(ctx, DAXMEM_BACKEND_PAGELESS, id, size, align, avail);
		if (!region) {
			rc = -ENOMEM;
			break;
		}
		region->start = start;
		region->start_known = true;
		rc = pageless_scan_poison(region, dir);
		if (rc)
			break;
	}
	rewinddir(d);
	while (!rc && (de = readdir(d)))
		rc = pageless_scan_dev(ctx, de->d_name);
	closedir(d);
	return rc;
}

static int pageless_dev_create(struct daxmem_region *region, unsigned long align,
			       enum daxmem_mode mode, bool preserved,
			       const struct daxmem_range *ranges, size_t nr, char *chardev,
			       size_t len)
{
	struct daxmem_ctx *ctx = region->ctx;
	char rdir[128], ddir[128], seed[64], val[64];
	size_t i;
	int rc;

	snprintf(rdir, sizeof(rdir), PDAX_DEVICES "/region%d", region->id);
	rc = attr_write(ctx, rdir, "create", "1");
	if (rc)
		return rc;
	rc = attr_read(rdir, "seed", seed, sizeof(seed));
	if (rc || !seed[0]) {
		err(ctx, "region%d: no seed device after create", region->id);
		return rc ? rc : -ENODEV;
	}
	snprintf(ddir, sizeof(ddir), PDAX_DEVICES "/%s", seed);
	/* mode first: kernels without huge PFN maps take 2M/1G only in compound mode */
	rc = attr_write(ctx, ddir, "mode", daxmem_mode_name(mode));
	snprintf(val, sizeof(val), "%lu", align);
	if (!rc)
		rc = attr_write(ctx, ddir, "align", val);
	for (i = 0; !rc && i < nr; i++) {
		snprintf(val, sizeof(val), "%#llx-%#llx", (unsigned long long)ranges[i].start,
			 (unsigned long long)ranges[i].end);
		rc = attr_write(ctx, ddir, "mapping", val);
	}
	/* after the ranges: changing them clears the flag */
	if (!rc)
		rc = attr_write(ctx, ddir, "preserved", preserved ? "1" : "0");
	if (rc) {
		attr_write(ctx, rdir, "delete", seed);
		return rc;
	}
	snprintf(chardev, len, "%s", seed);
	return 0;
}

static int pageless_dev_destroy(struct daxmem_region *region, const char *chardev)
{
	char rdir[128];

	snprintf(rdir, sizeof(rdir), PDAX_DEVICES "/region%d", region->id);
	return attr_write(region->ctx, rdir, "delete", chardev);
}

/* the module zeroes in the background: start it and wait for the outcome */
static int pageless_dev_scrub(struct daxmem_region *region, const char *chardev, uint64_t size)
{
	struct daxmem_ctx *ctx = region->ctx;
	char ddir[128], state[96];
	int rc;

	snprintf(ddir, sizeof(ddir), PDAX_DEVICES "/%s", chardev);
	rc = attr_write(ctx, ddir, "scrub", "1");
	if (rc)
		return rc;
	for (;;) {
		rc = attr_read(ddir, "scrub", state, sizeof(state));
		if (rc) {
			err(ctx, "%s: read scrub: %s", chardev, strerror(-rc));
			return rc;
		}
		if (strncmp(state, "done", 4) == 0) {
			info(ctx, "%s: zeroed by pdax (%s)", chardev, state);
			return 0;
		}
		if (strncmp(state, "running", 7) != 0) {
			err(ctx, "%s: scrub ended in state \"%s\"", chardev, state);
			return -EIO;
		}
		usleep(SCRUB_POLL_US);
	}
}

static int pageless_poison_page(struct daxmem_region *region, uint64_t addr)
{
	char rdir[128], val[32];

	snprintf(rdir, sizeof(rdir), PDAX_DEVICES "/region%d", region->id);
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)addr);
	return attr_write(region->ctx, rdir, "poison", val);
}

const struct daxmem_backend_ops daxmem_pageless_ops = {
	.backend = DAXMEM_BACKEND_PAGELESS,
	.scan = pageless_scan,
	.dev_create = pageless_dev_create,
	.dev_destroy = pageless_dev_destroy,
	.dev_scrub = pageless_dev_scrub,
	.poison_page = pageless_poison_page,
};
