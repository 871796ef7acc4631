// SPDX-License-Identifier: LGPL-2.1
/*
 * Backend "devdax": the kernel's device-dax (dax_hmem regions, /dev/daxR.N),
 * driven through libdaxctl. A device is built as `daxctl create-device
 * --input` does: create a seed, set its align, append each range through
 * `mapping` in page_offset order, enable it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "private.h"

#define IOMEM_MAX 64

static struct daxctl_ctx *devdax_ctx(struct daxmem_ctx *ctx)
{
	return ctx->backend_data[DAXMEM_BACKEND_DEVDAX];
}

static void devdax_log(struct daxctl_ctx *dctx, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
	struct daxmem_ctx *ctx = daxctl_get_userdata(dctx);
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), format, args);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	/* the failing call is reported once, by daxmem; libdaxctl's own words are detail */
	dbg(ctx, "libdaxctl: %s: %s", fn, msg);
}

/*
 * A "Soft Reserved" entry of /proc/iomem (top level on 6.12, under "hmem.N"
 * on 6.1), or an "hmem.N" entry: dax_hmem's region N spans it exactly.
 */
struct soft_reserved {
	uint64_t start;
	uint64_t end;
	int hmem_id; /* N of an "hmem.N" entry, else -1 */
	bool pdax; /* claimed by the pageless module */
	bool used;
};

static size_t soft_reserved_read(struct daxmem_ctx *ctx, struct soft_reserved *out, size_t max)
{
	char line[256];
	size_t n = 0;
	FILE *f;

	f = fopen("/proc/iomem", "re");
	if (!f) {
		dbg(ctx, "open /proc/iomem: %s", strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		int depth = 0, used = 0, id;
		const char *name;
		size_t i;

		while (line[depth] == ' ')
			depth++;
		if (sscanf(line + depth, "%llx-%llx : %n", &a, &b, &used) != 2 || !used)
			continue;
		name = line + depth + used;
		if (strncmp(name, "Soft Reserved", 13) == 0 && n < max) {
			out[n++] = (struct soft_reserved){ a, b, -1, false, false };
		} else if (sscanf(name, "hmem.%d", &id) == 1 && n < max) {
			out[n++] = (struct soft_reserved){ a, b, id, false, false };
		} else if (strncmp(name, "pdax", 4) == 0) {
			for (i = 0; i < n; i++)
				if (a >= out[i].start && b <= out[i].end)
					out[i].pdax = true;
		}
	}
	fclose(f);
	/* addresses read as zero for readers without CAP_SYS_ADMIN */
	if (n && out[0].start == 0 && out[0].end == 0)
		return 0;
	return n;
}

/*
 * A region's start: its "hmem.N" entry; else the Soft Reserved entry of its
 * size that holds its devices; else the only unclaimed one of its size.
 */
static void devdax_region_locate(struct daxmem_region *region, struct soft_reserved *sr, size_t nr,
				 int pass)
{
	size_t i, match = nr, count = 0;
	const struct daxmem_range *r0 = NULL;

	if (region->start_known)
		return;
	if (region->nr_devs && region->devs[0]->nr_ranges)
		r0 = &region->devs[0]->ranges[0];
	for (i = 0; i < nr; i++) {
		if (sr[i].pdax || sr[i].end - sr[i].start + 1 != region->size)
			continue;
		if (pass == 0) {
			if (sr[i].hmem_id == region->id) {
				match = i;
				count = 1;
				break;
			}
			continue;
		}
		if (sr[i].used || sr[i].hmem_id >= 0)
			continue;
		if (pass == 1) {
			if (r0 && r0->start >= sr[i].start && r0->end <= sr[i].end) {
				match = i;
				count = 1;
				break;
			}
		} else {
			match = i;
			count++;
		}
	}
	if (count != 1)
		return;
	sr[match].used = true;
	region->start = sr[match].start;
	region->start_known = true;
	/* the Soft Reserved entry under a used hmem.N is taken too */
	for (i = 0; i < nr; i++)
		if (sr[i].start == region->start && sr[i].end == sr[match].end)
			sr[i].used = true;
}

static int cmp_page_offset(const void *a, const void *b)
{
	const struct daxmem_range *x = a, *y = b;

	return x->page_offset < y->page_offset ? -1 : x->page_offset > y->page_offset;
}

static int devdax_scan_dev(struct daxmem_region *region, struct daxctl_dev *dev)
{
	struct daxmem_range *ranges = NULL;
	struct daxctl_mapping *mapping;
	size_t nr = 0, cap = 0;
	int rc;

	daxctl_mapping_foreach(dev, mapping)
	{
		if (nr == cap) {
			struct daxmem_range *n;

			cap = cap ? cap * 2 : 4;
			n = realloc(ranges, cap * sizeof(*n));
			if (!n) {
				free(ranges);
				return -ENOMEM;
			}
			ranges = n;
		}
		ranges[nr++] = (struct daxmem_range){
			.start = daxctl_mapping_get_start(mapping),
			.end = daxctl_mapping_get_end(mapping),
			.page_offset = daxctl_mapping_get_offset(mapping) * DAXMEM_PAGE_SIZE,
		};
	}
	if (!nr) {
		/* kernels before 5.10 have no mappingN: one range at resource */
		ranges = calloc(1, sizeof(*ranges));
		if (!ranges)
			return -ENOMEM;
		ranges[0].start = daxctl_dev_get_resource(dev);
		ranges[0].end = ranges[0].start + daxctl_dev_get_size(dev) - 1;
		nr = 1;
	}
	/* libdaxctl does not keep mappingN order */
	qsort(ranges, nr, sizeof(*ranges), cmp_page_offset);
	rc = daxmem_region_add_dev(region, daxctl_dev_get_devname(dev), daxctl_dev_get_align(dev),
				   DAXMEM_MODE_DEVDAX, ranges, nr);
	free(ranges);
	return rc;
}

/* a fresh libdaxctl context: it caches what it read from sysfs */
static int devdax_reload(struct daxmem_ctx *ctx)
{
	struct daxctl_ctx *dctx;
	int rc;

	if (devdax_ctx(ctx))
		daxctl_unref(devdax_ctx(ctx));
	ctx->backend_data[DAXMEM_BACKEND_DEVDAX] = NULL;
	rc = daxctl_new(&dctx);
	if (rc < 0) {
		err(ctx, "daxctl_new: %s", strerror(-rc));
		return rc;
	}
	daxctl_set_userdata(dctx, ctx);
	daxctl_set_log_fn(dctx, devdax_log);
	daxctl_set_log_priority(dctx, LOG_DEBUG);
	ctx->backend_data[DAXMEM_BACKEND_DEVDAX] = dctx;
	return 0;
}

static int devdax_scan(struct daxmem_ctx *ctx)
{
	struct soft_reserved sr[IOMEM_MAX];
	struct daxctl_region *dregion;
	struct daxctl_ctx *dctx;
	struct daxctl_dev *dev;
	size_t nr_sr, i, first;
	int rc, pass;

	rc = devdax_reload(ctx);
	if (rc)
		return rc;
	dctx = devdax_ctx(ctx);

	first = ctx->nr_regions;
	daxctl_region_foreach(dctx, dregion) {
		struct daxmem_region *region;

		region = daxmem_region_add(ctx, DAXMEM_BACKEND_DEVDAX,
					   daxctl_region_get_id(dregion),
					   daxctl_region_get_size(dregion),
					   daxctl_region_get_align(dregion),
					   daxctl_region_get_available_size(dregion));
		if (!region)
			return -ENOMEM;
		daxctl_dev_foreach(dregion, dev) {
			if (!daxctl_dev_get_size(dev))
				continue;
			rc = devdax_scan_dev(region, dev);
			if (rc)
				return rc;
		}
	}
	nr_sr = soft_reserved_read(ctx, sr, IOMEM_MAX);
	for (pass = 0; pass < 3; pass++)
		for (i = first; i < ctx->nr_regions; i++)
			devdax_region_locate(ctx->regions[i], sr, nr_sr, pass);
	return 0;
}

static struct daxctl_region *devdax_region(struct daxmem_region *region)
{
	struct daxctl_region *dregion;

	daxctl_region_foreach(devdax_ctx(region->ctx), dregion)
		if (daxctl_region_get_id(dregion) == region->id)
			return dregion;
	err(region->ctx, "region%d: not found by libdaxctl", region->id);
	return NULL;
}

static struct daxctl_dev *devdax_dev(struct daxctl_region *dregion, const char *chardev)
{
	struct daxctl_dev *dev;

	daxctl_dev_foreach(dregion, dev)
		if (strcmp(daxctl_dev_get_devname(dev), chardev) == 0)
			return dev;
	return NULL;
}

/* does the state record a device-dax device on chardev? */
static bool seed_recorded(struct daxmem_ctx *ctx, const char *chardev)
{
	size_t i;

	for (i = 0; i < ctx->state.nr_devs; i++) {
		const struct daxmem_state_dev *d = &ctx->state.devs[i];

		if (d->backend == DAXMEM_BACKEND_DEVDAX && d->chardev &&
		    !strcmp(d->chardev, chardev))
			return true;
	}
	return false;
}

static int devdax_dev_create(struct daxmem_region *region, unsigned long align,
			     enum daxmem_mode mode, bool preserved,
			     const struct daxmem_range *ranges, size_t nr, char *chardev,
			     size_t len)
{
	struct daxmem_ctx *ctx = region->ctx;
	struct daxctl_region *dregion = devdax_region(region);
	struct daxctl_dev *dev;
	char name[64];
	size_t i;
	int rc, tries;

	if (!dregion)
		return -ENODEV;
	for (tries = 0;; tries++) {
		rc = daxctl_region_create_dev(dregion);
		if (rc) {
			err(ctx, "region%d: daxctl_region_create_dev: %s", region->id,
			    strerror(-rc));
			return rc;
		}
		/* libdaxctl lists a region's devices once: look again to see the new seed */
		rc = devdax_reload(ctx);
		if (rc)
			return rc;
		dregion = devdax_region(region);
		if (!dregion)
			return -ENODEV;
		dev = daxctl_region_get_dev_seed(dregion);
		if (!dev) {
			err(ctx, "region%d: daxctl_region_get_dev_seed: no seed device", region->id);
			return -ENODEV;
		}
		/* enabling re-reads the region's devices: keep our own copy of the name */
		snprintf(name, sizeof(name), "%s", daxctl_dev_get_devname(dev));
		if (!daxctl_dev_get_size(dev))
			break;
		if (daxctl_dev_is_enabled(dev)) {
			err(ctx, "region%d: seed device %s is not empty", region->id, name);
			return -EBUSY;
		}
		if (seed_recorded(ctx, name)) {
			/*
			 * A disabled seed with ranges that `save` recorded belongs
			 * to a device the state keeps: enable it (the kernel then
			 * makes a new seed) rather than take its ranges.
			 */
			if (tries) {
				err(ctx, "region%d: seed device %s holds recorded ranges", region->id,
				    name);
				return -EBUSY;
			}
			info(ctx, "region%d: %s: enabling the recorded device the seed holds",
			     region->id, name);
			rc = daxctl_dev_enable_devdax(dev);
			if (rc) {
				err(ctx, "%s: daxctl_dev_enable_devdax: %s", name, strerror(-rc));
				return rc;
			}
			continue;
		}
		/*
		 * A disabled seed with ranges nobody recorded is what a create or
		 * restore that died between writing ranges and enabling leaves:
		 * nobody can have mapped it. Give its ranges back (memory is not
		 * touched).
		 */
		info(ctx, "region%d: %s: reclaiming the ranges of an interrupted create",
		     region->id, name);
		rc = daxctl_dev_set_size(dev, 0);
		if (rc) {
			err(ctx, "%s: daxctl_dev_set_size(0): %s", name, strerror(-rc));
			return rc;
		}
		break;
	}
	rc = daxctl_dev_set_align(dev, align);
	if (rc) {
		err(ctx, "%s: daxctl_dev_set_align(%#lx): %s", name, align, strerror(-rc));
		goto undo;
	}
	for (i = 0; i < nr; i++) {
		rc = daxctl_dev_set_mapping(dev, ranges[i].start, ranges[i].end);
		if (rc) {
			err(ctx, "%s: daxctl_dev_set_mapping(%#llx-%#llx): %s", name,
			    (unsigned long long)ranges[i].start, (unsigned long long)ranges[i].end,
			    strerror(-rc));
			goto undo;
		}
	}
	rc = daxctl_dev_enable_devdax(dev);
	if (rc) {
		err(ctx, "%s: daxctl_dev_enable_devdax: %s", name, strerror(-rc));
		goto undo;
	}
	snprintf(chardev, len, "%s", name);
	dbg(ctx, "%s: created with %zu range(s), align %#lx", name, nr, align);
	return 0;
undo:
	daxctl_dev_set_size(dev, 0);
	daxctl_region_destroy_dev(dregion, dev);
	return rc;
}

static int devdax_dev_destroy(struct daxmem_region *region, const char *chardev)
{
	struct daxmem_ctx *ctx = region->ctx;
	struct daxctl_region *dregion = devdax_region(region);
	struct daxctl_dev *dev;
	int rc;

	if (!dregion)
		return -ENODEV;
	dev = devdax_dev(dregion, chardev);
	if (!dev) {
		err(ctx, "%s: not found by libdaxctl", chardev);
		return -ENODEV;
	}
	if (daxctl_dev_is_enabled(dev)) {
		rc = daxctl_dev_disable(dev);
		if (rc) {
			err(ctx, "%s: daxctl_dev_disable: %s (open or mapped?)", chardev,
			    strerror(-rc));
			return rc;
		}
	}
	rc = daxctl_dev_set_size(dev, 0);
	if (rc) {
		err(ctx, "%s: daxctl_dev_set_size(0): %s", chardev, strerror(-rc));
		return rc;
	}
	/* the kernel keeps device id 0 of a region, empty, for as long as the region */
	if (daxctl_dev_get_id(dev) == 0)
		return 0;
	rc = daxctl_region_destroy_dev(dregion, dev);
	if (rc) {
		err(ctx, "%s: daxctl_region_destroy_dev: %s", chardev, strerror(-rc));
		return rc;
	}
	return 0;
}

static int devdax_dev_scrub(struct daxmem_region *region, const char *chardev, uint64_t size)
{
	return daxmem_scrub_chardev(region->ctx, chardev, size);
}

static void devdax_fini(struct daxmem_ctx *ctx)
{
	if (devdax_ctx(ctx))
		daxctl_unref(devdax_ctx(ctx));
	ctx->backend_data[DAXMEM_BACKEND_DEVDAX] = NULL;
}

const struct daxmem_backend_ops daxmem_devdax_ops = {
	.backend = DAXMEM_BACKEND_DEVDAX,
	.scan = devdax_scan,
	.dev_create = devdax_dev_create,
	.dev_destroy = devdax_dev_destroy,
	.dev_scrub = devdax_dev_scrub,
	.fini = devdax_fini,
};
