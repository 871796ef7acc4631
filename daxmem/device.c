// SPDX-License-Identifier: LGPL-2.1
/* Devices: accessors, create (allocate, build, read back, scrub, record), destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct daxmem_dev *daxmem_dev_get_first(struct daxmem_region *region)
{
	return region->nr_devs ? region->devs[0] : NULL;
}

struct daxmem_dev *daxmem_dev_get_next(struct daxmem_dev *dev)
{
	struct daxmem_region *region = dev->region;
	size_t i;

	for (i = 0; i + 1 < region->nr_devs; i++)
		if (region->devs[i] == dev)
			return region->devs[i + 1];
	return NULL;
}

struct daxmem_dev *daxmem_dev_find(struct daxmem_ctx *ctx, const char *name)
{
	struct daxmem_region *region;
	struct daxmem_dev *dev;

	daxmem_region_foreach(ctx, region)
		daxmem_dev_foreach(region, dev)
			if (strcmp(dev->name, name) == 0)
				return dev;
	daxmem_region_foreach(ctx, region)
		daxmem_dev_foreach(region, dev)
			if (dev->present && strcmp(dev->chardev, name) == 0)
				return dev;
	return NULL;
}

struct daxmem_dev *daxmem_dev_find_present(struct daxmem_ctx *ctx, enum daxmem_backend backend,
					   const char *chardev)
{
	size_t i, j;

	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];

		if (region->backend != backend)
			continue;
		for (j = 0; j < region->nr_devs; j++)
			if (region->devs[j]->present &&
			    strcmp(region->devs[j]->chardev, chardev) == 0)
				return region->devs[j];
	}
	return NULL;
}

struct daxmem_dev *daxmem_dev_ref(struct daxmem_dev *dev)
{
	if (dev)
		dev->refcount++;
	return dev;
}

void daxmem_dev_unref(struct daxmem_dev *dev)
{
	if (!dev || --dev->refcount > 0)
		return;
	daxmem_region_unref(dev->region);
	free(dev->name);
	free(dev->chardev);
	free(dev->label);
	free(dev->ranges);
	free(dev);
}

struct daxmem_region *daxmem_dev_get_region(struct daxmem_dev *dev)
{
	return dev->region;
}

const char *daxmem_dev_get_name(struct daxmem_dev *dev)
{
	return dev->name;
}

const char *daxmem_dev_get_chardev(struct daxmem_dev *dev)
{
	return dev->chardev;
}

uint64_t daxmem_dev_get_size(struct daxmem_dev *dev)
{
	return dev->size;
}

unsigned long daxmem_dev_get_align(struct daxmem_dev *dev)
{
	return dev->align;
}

enum daxmem_mode daxmem_dev_get_mode(struct daxmem_dev *dev)
{
	return dev->mode;
}

const char *daxmem_dev_get_label(struct daxmem_dev *dev)
{
	return dev->label;
}

bool daxmem_dev_is_preserved(struct daxmem_dev *dev)
{
	return dev->preserved;
}

bool daxmem_dev_is_recorded(struct daxmem_dev *dev)
{
	return dev->recorded;
}

bool daxmem_dev_is_present(struct daxmem_dev *dev)
{
	return dev->present;
}

size_t daxmem_dev_get_nr_ranges(struct daxmem_dev *dev)
{
	return dev->nr_ranges;
}

const struct daxmem_range *daxmem_dev_get_range(struct daxmem_dev *dev, size_t i)
{
	return i < dev->nr_ranges ? &dev->ranges[i] : NULL;
}

static bool align_valid(unsigned long align)
{
	return align == 4096 || align == (2UL << 20) || align == (1UL << 30);
}

static int check_mode(struct daxmem_region *region, enum daxmem_mode *mode)
{
	struct daxmem_ctx *ctx = region->ctx;

	if (region->backend == DAXMEM_BACKEND_DEVDAX) {
		if (*mode == DAXMEM_MODE_DEFAULT)
			*mode = DAXMEM_MODE_DEVDAX;
		if (*mode == DAXMEM_MODE_DEVDAX)
			return 0;
	} else {
		if (*mode == DAXMEM_MODE_DEFAULT)
			*mode = DAXMEM_MODE_PAGELESS;
		if (*mode == DAXMEM_MODE_PAGELESS || *mode == DAXMEM_MODE_COMPOUND)
			return 0;
	}
	err(ctx, "mode %s is not available in backend %s", daxmem_mode_name(*mode),
	    daxmem_backend_name(region->backend));
	return -EINVAL;
}

int daxmem_ranges_check(struct daxmem_region *region, const struct daxmem_range *ranges, size_t nr,
			unsigned long align, const char *what)
{
	struct daxmem_ctx *ctx = region->ctx;
	size_t bad, i;

	if (!daxmem_ranges_validate(ranges, nr, align, &bad))
		return 0;
	const struct daxmem_range *r = &ranges[bad];

	for (i = 0; i < bad; i++) {
		if (ranges[i].start <= r->end && r->start <= ranges[i].end) {
			err(ctx, "%s: ranges %#llx-%#llx and %#llx-%#llx overlap", what,
			    (unsigned long long)ranges[i].start, (unsigned long long)ranges[i].end,
			    (unsigned long long)r->start, (unsigned long long)r->end);
			return -EINVAL;
		}
	}
	if (r->end < r->start || r->start % align || daxmem_range_size(r) % align)
		err(ctx,
		    "%s: range %#llx-%#llx is not aligned to %#lx (start and size must be multiples of the alignment)",
		    what, (unsigned long long)r->start, (unsigned long long)r->end, align);
	else
		err(ctx,
		    "%s: range %#llx-%#llx has page_offset %#llx, not contiguous with the ranges before it",
		    what, (unsigned long long)r->start, (unsigned long long)r->end,
		    (unsigned long long)r->page_offset);
	return -EINVAL;
}

/* take exact ranges out of space, naming what holds the first one that is not free */
int daxmem_space_take_ranges(struct daxmem_region *region, struct daxmem_space *space,
			     const struct daxmem_range *ranges, size_t nr, const char *what)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct daxmem_range *r = &ranges[i];
		int rc = daxmem_space_take(space, r->start, daxmem_range_size(r));

		if (rc) {
			char owner[160];

			daxmem_region_describe_owner(region, r->start, r->end, owner,
						     sizeof(owner));
			err(region->ctx, "%s: range %#llx-%#llx is not free in region%d: %s", what,
			    (unsigned long long)r->start, (unsigned long long)r->end, region->id,
			    owner);
			while (i--)
				daxmem_space_give(space, ranges[i].start,
						  daxmem_range_size(&ranges[i]));
			return -EBUSY;
		}
	}
	return 0;
}

static int place(struct daxmem_region *region, const struct daxmem_dev_spec *spec,
		 unsigned long align, struct daxmem_range **ranges, size_t *nr)
{
	struct daxmem_ctx *ctx = region->ctx;
	char a[32], b[32];
	uint64_t total = 0, fit;
	size_t i;
	int rc;

	if (!region->start_known) {
		err(ctx,
		    "region%d: its start address is unknown (no Soft Reserved entry of its size in /proc/iomem and none recorded), cannot place devices",
		    region->id);
		return -ENXIO;
	}
	if (spec->nr_ranges) {
		rc = daxmem_ranges_check(region, spec->ranges, spec->nr_ranges, align, "create");
		if (rc)
			return rc;
		for (i = 0; i < spec->nr_ranges; i++)
			total += daxmem_range_size(&spec->ranges[i]);
		if (spec->size && spec->size != total) {
			err(ctx, "size %s does not match the ranges' total %s",
			    daxmem_format_size(spec->size, a, sizeof(a)),
			    daxmem_format_size(total, b, sizeof(b)));
			return -EINVAL;
		}
		rc = daxmem_space_take_ranges(region, &region->space, spec->ranges, spec->nr_ranges,
					      "create");
		if (rc)
			return rc;
		*ranges = calloc(spec->nr_ranges, sizeof(**ranges));
		if (!*ranges)
			return -ENOMEM;
		memcpy(*ranges, spec->ranges, spec->nr_ranges * sizeof(**ranges));
		*nr = spec->nr_ranges;
		return 0;
	}
	if (!spec->size) {
		err(ctx, "create: a size or ranges are required");
		return -EINVAL;
	}
	if (spec->size % align) {
		err(ctx, "size %#llx is not a multiple of align %#lx",
		    (unsigned long long)spec->size, align);
		return -EINVAL;
	}
	rc = daxmem_space_alloc(&region->space, spec->size, align, ranges, nr);
	if (rc == -ENOSPC) {
		fit = daxmem_space_usable(&region->space, align);
		err(ctx,
		    "region%d has too little free space for %s at align %s: the largest that fits is %s (%llu bytes)",
		    region->id, daxmem_format_size(spec->size, a, sizeof(a)),
		    daxmem_format_size(align, b, sizeof(b)),
		    daxmem_format_size(fit, (char[32]){ 0 }, 32), (unsigned long long)fit);
	} else if (rc) {
		err(ctx, "allocate %#llx bytes in region%d: %s", (unsigned long long)spec->size,
		    region->id, strerror(-rc));
	}
	return rc;
}

int daxmem_dev_build(struct daxmem_ctx *ctx, enum daxmem_backend backend, int region_id,
		     const struct daxmem_state_dev *rec, bool reassemble, char *chardev, size_t len)
{
	/*
	 * Only a preserved device being reassembled keeps its contents: a new
	 * device is zeroed even when it is to be preserved from now on, since
	 * its memory still holds whatever the previous owner left there.
	 */
	bool keep = rec->preserved && reassemble;
	const struct daxmem_backend_ops *ops = daxmem_backend_ops(ctx, backend);
	struct daxmem_region *region;
	struct daxmem_dev *dev;
	int rc;

	rc = daxmem_region_find(ctx, backend, region_id, &region);
	if (rc)
		return rc;
	rc = ops->dev_create(region, rec->align, rec->mode, rec->preserved, rec->ranges,
			     rec->nr_ranges, chardev, len);
	if (rc)
		return rc;
	rc = daxmem_scan(ctx);
	if (rc)
		return rc;
	dev = daxmem_dev_find_present(ctx, backend, chardev);
	if (!dev ||
	    !daxmem_ranges_equal(dev->ranges, dev->nr_ranges, rec->ranges, rec->nr_ranges)) {
		err(ctx, "%s: the kernel holds other ranges than were written; device removed",
		    chardev);
		/* the scan rebuilt the regions: look this one up again */
		if (dev)
			ops->dev_destroy(dev->region, chardev);
		else if (!daxmem_region_find(ctx, backend, region_id, &region))
			ops->dev_destroy(region, chardev);
		return -EIO;
	}
	if (!keep) {
		rc = ops->dev_scrub(dev->region, chardev, dev->size);
		if (rc) {
			ops->dev_destroy(dev->region, chardev);
			return rc;
		}
	}
	struct daxmem_state_dev d = *rec;
	char name[80];

	d.chardev = chardev;
	if (!d.name) {
		daxmem_state_unique_name(&ctx->state, chardev, name, sizeof(name));
		d.name = name;
	}
	return daxmem_state_put_dev(&ctx->state, &d);
}

int daxmem_dev_create(struct daxmem_region *region, const struct daxmem_dev_spec *spec,
		      struct daxmem_dev **out)
{
	struct daxmem_ctx *ctx = region->ctx;
	enum daxmem_backend backend = region->backend;
	enum daxmem_mode mode = spec->mode;
	int id = region->id, rc;
	struct daxmem_range *ranges = NULL;
	struct daxmem_state_dev rec;
	unsigned long align;
	char chardev[64];
	size_t nr = 0, i;
	bool placed = false;

	/* the state file's reader refuses an empty name: one written would lock every command out */
	if (spec->name && (!*spec->name || strchr(spec->name, '/'))) {
		err(ctx, "create: name \"%s\": want a non-empty name without '/'", spec->name);
		return -EINVAL;
	}
	rc = daxmem_lock_scan(ctx);
	if (rc)
		return rc;
	rc = daxmem_region_find(ctx, backend, id, &region);
	if (rc)
		goto out;
	align = spec->align ? spec->align : region->align;
	if (!align_valid(align)) {
		err(ctx, "align %#lx is not one of 4K, 2M, 1G", align);
		rc = -EINVAL;
		goto out;
	}
	rc = check_mode(region, &mode);
	if (rc)
		goto out;
	if (spec->name && daxmem_dev_find(ctx, spec->name)) {
		err(ctx, "a device named %s already exists", spec->name);
		rc = -EEXIST;
		goto out;
	}
	rc = place(region, spec, align, &ranges, &nr);
	if (rc)
		goto out;
	placed = true;
	for (i = 0; i < nr; i++)
		dbg(ctx, "region%d: range %zu %#llx-%#llx", id, i,
		    (unsigned long long)ranges[i].start, (unsigned long long)ranges[i].end);

	rec = (struct daxmem_state_dev){
		.name = (char *)spec->name,
		.label = (char *)spec->label,
		.backend = backend,
		.region = id,
		.align = align,
		.mode = mode,
		.preserved = spec->preserve,
		.ranges = ranges,
		.nr_ranges = nr,
	};
	rc = daxmem_dev_build(ctx, backend, id, &rec, false, chardev, sizeof(chardev));
	if (rc)
		goto out;
	rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
	if (rc)
		goto out;
	rc = daxmem_scan(ctx);
	if (!rc) {
		*out = daxmem_dev_ref(daxmem_dev_find_present(ctx, backend, chardev));
		if (!*out)
			rc = -ENOENT;
	}
out:
	/* placement took the space from the view: give a failed create's back */
	if (rc && placed)
		daxmem_scan(ctx);
	free(ranges);
	daxmem_state_unlock(ctx);
	return rc;
}

int daxmem_dev_destroy(struct daxmem_dev *dev)
{
	struct daxmem_ctx *ctx = dev->region->ctx;
	char *name = strdup(dev->name);
	long i;
	int rc;

	if (!name)
		return -ENOMEM;
	rc = daxmem_lock_scan(ctx);
	if (rc)
		goto out_free;
	dev = daxmem_dev_find(ctx, name);
	if (!dev) {
		err(ctx, "%s: no such device", name);
		rc = -ENOENT;
		goto out;
	}
	if (dev->present) {
		const struct daxmem_backend_ops *ops =
			daxmem_backend_ops(ctx, dev->region->backend);

		rc = ops->dev_destroy(dev->region, dev->chardev);
		if (rc)
			goto out;
	}
	i = dev->recorded ? daxmem_state_find_dev(&ctx->state, dev->name) : -1;
	if (i >= 0)
		daxmem_state_remove_dev(&ctx->state, i);
	/* stored even without a record: it keeps where the regions start */
	rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
	if (!rc)
		rc = daxmem_scan(ctx);
out:
	daxmem_state_unlock(ctx);
out_free:
	free(name);
	return rc;
}
