// SPDX-License-Identifier: LGPL-2.1
/* Save, restore and reconcile: the state file against what the kernel holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

static struct daxmem_region *region_of(struct daxmem_ctx *ctx, enum daxmem_backend backend, int id)
{
	size_t i;

	for (i = 0; i < ctx->nr_regions; i++)
		if (ctx->regions[i]->backend == backend && ctx->regions[i]->id == id)
			return ctx->regions[i];
	return NULL;
}

static struct daxmem_dev *present_with_ranges(struct daxmem_region *region,
					      const struct daxmem_state_dev *rec)
{
	size_t i;

	for (i = 0; i < region->nr_devs; i++) {
		struct daxmem_dev *dev = region->devs[i];

		if (dev->present &&
		    daxmem_ranges_equal(dev->ranges, dev->nr_ranges, rec->ranges, rec->nr_ranges))
			return dev;
	}
	return NULL;
}

static void dev_to_record(struct daxmem_dev *dev, const char *name, struct daxmem_state_dev *d)
{
	*d = (struct daxmem_state_dev){
		.name = (char *)name,
		.chardev = dev->chardev,
		.label = dev->label,
		.backend = dev->region->backend,
		.region = dev->region->id,
		.align = dev->align,
		.mode = dev->mode,
		.preserved = dev->preserved,
		.ranges = dev->ranges,
		.nr_ranges = dev->nr_ranges,
	};
}

int daxmem_save(struct daxmem_ctx *ctx, const char *path)
{
	size_t i, j;
	int rc;

	rc = daxmem_lock_scan(ctx);
	if (rc)
		return rc;
	/* recorded devices keep their entries; adopt the ones nobody recorded */
	for (i = 0; i < ctx->nr_regions && !rc; i++) {
		struct daxmem_region *region = ctx->regions[i];

		for (j = 0; j < region->nr_devs && !rc; j++) {
			struct daxmem_dev *dev = region->devs[j];
			struct daxmem_state_dev d;
			char name[80];

			if (!dev->present)
				continue;
			if (dev->recorded)
				snprintf(name, sizeof(name), "%s", dev->name);
			else
				daxmem_state_unique_name(&ctx->state, dev->chardev, name,
							 sizeof(name));
			dev_to_record(dev, name, &d);
			rc = daxmem_state_put_dev(&ctx->state, &d);
		}
	}
	if (!rc)
		rc = daxmem_state_store(ctx, path ? path : ctx->state_path, &ctx->state);
	if (!rc)
		rc = (int)ctx->state.nr_devs;
	daxmem_state_unlock(ctx);
	/*
	 * Into the state file: the view's devices take their new names and
	 * records. Elsewhere: the adoptions above were never stored, and the
	 * view goes back to what the state file says.
	 */
	if (rc >= 0)
		daxmem_scan(ctx);
	return rc;
}

/*
 * The free space restore may use in one region: the region minus what the
 * kernel holds and ranges recorded for devices that are neither present nor
 * part of the document being restored. Poisoned pages are not taken out: a
 * device that owned a page when it went bad gets it back (the pageless
 * module raises SIGBUS on it), and restore places nothing anywhere else.
 */
static int restore_space(struct daxmem_ctx *ctx, struct daxmem_region *region,
			 const struct daxmem_state *doc, struct daxmem_space *space)
{
	size_t i, j;
	int rc;

	rc = daxmem_space_init(space, region->start, region->size);
	if (rc)
		return rc;
	for (i = 0; i < region->nr_devs; i++) {
		struct daxmem_dev *dev = region->devs[i];

		if (!dev->present && daxmem_state_find_dev(doc, dev->name) >= 0)
			continue;
		for (j = 0; j < dev->nr_ranges && !rc; j++)
			rc = daxmem_space_exclude(space, dev->ranges[j].start,
						  daxmem_range_size(&dev->ranges[j]));
	}
	return rc;
}

/* check every device of doc; fills todo[i] for the ones to build */
static int restore_check(struct daxmem_ctx *ctx, const struct daxmem_state *doc, bool *todo)
{
	struct daxmem_space *spaces;
	char what[128];
	size_t i;
	int rc = 0;

	spaces = calloc(ctx->nr_regions ? ctx->nr_regions : 1, sizeof(*spaces));
	if (!spaces)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_regions && !rc; i++)
		if (ctx->regions[i]->start_known)
			rc = restore_space(ctx, ctx->regions[i], doc, &spaces[i]);
	for (i = 0; i < doc->nr_devs && !rc; i++) {
		const struct daxmem_state_dev *d = &doc->devs[i];
		struct daxmem_region *region = region_of(ctx, d->backend, d->region);
		struct daxmem_dev *dev;
		size_t r;

		snprintf(what, sizeof(what), "restore %s", d->name);
		if (!region) {
			err(ctx, "%s: region %d of backend %s is not present", what, d->region,
			    daxmem_backend_name(d->backend));
			rc = -ENODEV;
			break;
		}
		dev = present_with_ranges(region, d);
		if (dev && dev->recorded && strcmp(dev->name, d->name)) {
			err(ctx,
			    "%s: range %#llx-%#llx is not free in region%d: held by %s (device %s)",
			    what, (unsigned long long)d->ranges[0].start,
			    (unsigned long long)d->ranges[0].end, region->id, dev->chardev,
			    dev->name);
			rc = -EBUSY;
			break;
		}
		if (dev) {
			todo[i] = false;
			continue;
		}
		dev = daxmem_dev_find(ctx, d->name);
		if (dev && dev->present) {
			err(ctx, "%s: a device of that name is present (%s) with other ranges",
			    what, dev->chardev);
			rc = -EEXIST;
			break;
		}
		if (!region->start_known) {
			err(ctx, "%s: the start of region%d is unknown", what, region->id);
			rc = -ENXIO;
			break;
		}
		rc = daxmem_ranges_check(region, d->ranges, d->nr_ranges, d->align, what);
		if (rc)
			break;
		for (r = 0; r < ctx->nr_regions; r++)
			if (ctx->regions[r] == region)
				break;
		rc = daxmem_space_take_ranges(region, &spaces[r], d->ranges, d->nr_ranges, what);
		todo[i] = true;
	}
	for (i = 0; i < ctx->nr_regions; i++)
		daxmem_space_fini(&spaces[i]);
	free(spaces);
	return rc;
}

/* hand recorded poisoned pages back to a kernel that forgot them (reboot, module reload) */
static int restore_poison(struct daxmem_ctx *ctx, const struct daxmem_state *doc)
{
	size_t r, i, k;
	int rc;

	for (r = 0; r < ctx->nr_regions; r++) {
		struct daxmem_region *region = ctx->regions[r];
		const struct daxmem_backend_ops *ops = daxmem_backend_ops(ctx, region->backend);
		uint64_t last = region->start + region->size - 1;

		if (!ops->poison_page || !region->start_known)
			continue;
		for (i = 0; i < doc->nr_poisoned; i++) {
			const struct daxmem_range *p = &doc->poisoned[i];
			uint64_t a = p->start > region->start ? p->start : region->start;
			uint64_t b = p->end < last ? p->end : last;

			for (a &= ~(DAXMEM_PAGE_SIZE - 1); a <= b && a >= region->start;
			     a += DAXMEM_PAGE_SIZE) {
				for (k = 0; k < region->nr_kpoison; k++)
					if (region->kpoison[k] == a)
						break;
				if (k < region->nr_kpoison)
					continue;
				rc = ops->poison_page(region, a);
				if (rc)
					return rc;
				info(ctx, "region%d: page %#llx marked poisoned again", region->id,
				     (unsigned long long)a);
			}
		}
	}
	return 0;
}

int daxmem_restore(struct daxmem_ctx *ctx, const char *path, daxmem_restore_fn fn, void *arg)
{
	struct daxmem_state doc;
	int rc, created = 0;
	bool *todo = NULL;
	char chardev[64];
	size_t i;

	rc = daxmem_lock_scan(ctx);
	if (rc)
		return rc;
	if (path && access(path, R_OK)) {
		rc = -errno;
		err(ctx, "restore: %s: %s", path, strerror(errno));
		goto out_unlock;
	}
	rc = daxmem_state_load(ctx, path ? path : ctx->state_path, &doc);
	if (rc)
		goto out_unlock;
	/* a range back under its backend first: its region is what devices are rebuilt in */
	rc = daxmem_backends_restore(ctx, &doc);
	if (rc)
		goto out;
	todo = calloc(doc.nr_devs ? doc.nr_devs : 1, sizeof(*todo));
	if (!todo) {
		rc = -ENOMEM;
		goto out;
	}
	rc = restore_check(ctx, &doc, todo);
	if (rc)
		goto out;
	for (i = 0; i < doc.nr_poisoned && !rc; i++)
		rc = daxmem_state_add_poison(&ctx->state, doc.poisoned[i].start,
					     doc.poisoned[i].end);
	if (!rc)
		rc = restore_poison(ctx, &doc);
	if (rc)
		goto out;
	for (i = 0; i < doc.nr_devs; i++) {
		const struct daxmem_state_dev *d = &doc.devs[i];

		if (!todo[i]) {
			struct daxmem_region *region = region_of(ctx, d->backend, d->region);
			struct daxmem_dev *dev = region ? present_with_ranges(region, d) : NULL;
			struct daxmem_state_dev rec = *d;

			/* building an earlier device may not take one that was present */
			if (!dev) {
				err(ctx, "restore %s: no longer present with its ranges", d->name);
				rc = -EIO;
				break;
			}
			rec.chardev = dev->chardev;
			rc = daxmem_state_put_dev(&ctx->state, &rec);
		} else {
			rc = daxmem_dev_build(ctx, d->backend, d->region, d, true, chardev,
					      sizeof(chardev));
			if (!rc)
				created++;
		}
		if (rc)
			break;
		/* record each device as it comes up: a failure later keeps what was built */
		rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
		if (rc)
			break;
	}
	if (rc)
		goto out;
	rc = daxmem_scan(ctx);
	if (rc)
		goto out;
	for (i = 0; fn && i < doc.nr_devs; i++) {
		struct daxmem_dev *dev = daxmem_dev_find(ctx, doc.devs[i].name);

		if (dev)
			fn(dev, todo[i], arg);
	}
	rc = created;
out:
	free(todo);
	daxmem_state_clear(&doc);
out_unlock:
	daxmem_state_unlock(ctx);
	return rc;
}

int daxmem_check(struct daxmem_ctx *ctx, daxmem_check_fn fn, void *arg)
{
	char detail[200];
	size_t i, j;
	int rc, bad = 0;

	rc = daxmem_scan(ctx);
	if (rc)
		return rc;
	for (i = 0; i < ctx->state.nr_devs; i++) {
		const struct daxmem_state_dev *d = &ctx->state.devs[i];
		struct daxmem_region *region = region_of(ctx, d->backend, d->region);
		struct daxmem_dev *dev;

		if (!region) {
			snprintf(detail, sizeof(detail), "region %d of backend %s is not present",
				 d->region, daxmem_backend_name(d->backend));
			fn(DAXMEM_CHECK_MISSING, d->name, d->chardev, detail, arg);
			bad++;
			continue;
		}
		dev = present_with_ranges(region, d);
		if (dev) {
			fn(DAXMEM_CHECK_OK, d->name, dev->chardev, "", arg);
			continue;
		}
		bad++;
		detail[0] = '\0';
		for (j = 0; j < d->nr_ranges && !detail[0]; j++) {
			size_t k, r;

			for (k = 0; k < region->nr_devs && !detail[0]; k++) {
				struct daxmem_dev *other = region->devs[k];

				for (r = 0; other->present && r < other->nr_ranges; r++) {
					if (other->ranges[r].start <= d->ranges[j].end &&
					    d->ranges[j].start <= other->ranges[r].end) {
						snprintf(detail, sizeof(detail),
							 "recorded range %#llx-%#llx is held by %s",
							 (unsigned long long)d->ranges[j].start,
							 (unsigned long long)d->ranges[j].end,
							 other->chardev);
						break;
					}
				}
			}
		}
		if (detail[0]) {
			fn(DAXMEM_CHECK_MISMATCH, d->name, d->chardev, detail, arg);
		} else {
			snprintf(detail, sizeof(detail),
				 "not in the kernel; 'daxmemctl restore' rebuilds it");
			fn(DAXMEM_CHECK_MISSING, d->name, d->chardev, detail, arg);
		}
	}
	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];

		for (j = 0; j < region->nr_devs; j++) {
			struct daxmem_dev *dev = region->devs[j];

			if (!dev->present || dev->recorded)
				continue;
			snprintf(detail, sizeof(detail),
				 "held by the kernel, not recorded; 'daxmemctl save' records it");
			fn(DAXMEM_CHECK_UNRECORDED, dev->name, dev->chardev, detail, arg);
			bad++;
		}
	}
	return bad;
}

int daxmem_poison_add(struct daxmem_ctx *ctx, uint64_t start, uint64_t end)
{
	int rc;

	if (end < start) {
		err(ctx, "poison: end %#llx below start %#llx", (unsigned long long)end,
		    (unsigned long long)start);
		return -EINVAL;
	}
	rc = daxmem_lock_scan(ctx);
	if (!rc)
		rc = daxmem_state_add_poison(&ctx->state, start, end);
	if (!rc)
		rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
	daxmem_state_unlock(ctx);
	if (!rc)
		rc = daxmem_scan(ctx);
	return rc;
}
