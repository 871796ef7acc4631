// SPDX-License-Identifier: LGPL-2.1
/* Regions: what the backends found, merged with the state records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct daxmem_region *daxmem_region_add(struct daxmem_ctx *ctx, enum daxmem_backend backend, int id,
					uint64_t size, unsigned long align, uint64_t available)
{
	struct daxmem_region *region, **n;

	n = realloc(ctx->regions, (ctx->nr_regions + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ctx->regions = n;
	region = calloc(1, sizeof(*region));
	if (!region)
		return NULL;
	region->refcount = 1;
	region->ctx = ctx;
	region->backend = backend;
	region->id = id;
	region->size = size;
	region->align = align;
	region->available = available;
	ctx->regions[ctx->nr_regions++] = region;
	return region;
}

static struct daxmem_dev *region_new_dev(struct daxmem_region *region, const char *name,
					 const char *chardev, const struct daxmem_range *ranges,
					 size_t nr)
{
	struct daxmem_dev *dev, **n;
	size_t i;

	n = realloc(region->devs, (region->nr_devs + 1) * sizeof(*n));
	if (!n)
		return NULL;
	region->devs = n;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->refcount = 1;
	dev->region = daxmem_region_ref(region);
	dev->name = strdup(name);
	dev->chardev = strdup(chardev);
	dev->ranges = calloc(nr ? nr : 1, sizeof(*dev->ranges));
	if (!dev->name || !dev->chardev || !dev->ranges) {
		daxmem_dev_unref(dev);
		return NULL;
	}
	memcpy(dev->ranges, ranges, nr * sizeof(*ranges));
	dev->nr_ranges = nr;
	for (i = 0; i < nr; i++)
		dev->size += daxmem_range_size(&ranges[i]);
	region->devs[region->nr_devs++] = dev;
	return dev;
}

int daxmem_region_add_dev(struct daxmem_region *region, const char *chardev, unsigned long align,
			  enum daxmem_mode mode, const struct daxmem_range *ranges, size_t nr)
{
	struct daxmem_dev *dev = region_new_dev(region, chardev, chardev, ranges, nr);

	if (!dev)
		return -ENOMEM;
	dev->align = align;
	dev->mode = mode;
	dev->present = true;
	return 0;
}

int daxmem_region_add_kpoison(struct daxmem_region *region, uint64_t addr)
{
	uint64_t *n = realloc(region->kpoison, (region->nr_kpoison + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	region->kpoison = n;
	region->kpoison[region->nr_kpoison++] = addr;
	return daxmem_state_add_poison(&region->ctx->state, addr, addr + DAXMEM_PAGE_SIZE - 1);
}

void daxmem_regions_clear(struct daxmem_ctx *ctx)
{
	size_t i, j;

	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];

		for (j = 0; j < region->nr_devs; j++)
			daxmem_dev_unref(region->devs[j]);
		free(region->devs);
		region->devs = NULL;
		region->nr_devs = 0;
		daxmem_region_unref(region);
	}
	free(ctx->regions);
	ctx->regions = NULL;
	ctx->nr_regions = 0;
	ctx->scanned = false;
}

bool daxmem_ranges_equal(const struct daxmem_range *a, size_t na, const struct daxmem_range *b,
			 size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].end != b[i].end ||
		    a[i].page_offset != b[i].page_offset)
			return false;
	return true;
}

static struct daxmem_region *region_lookup(struct daxmem_ctx *ctx, enum daxmem_backend backend,
					   int id)
{
	size_t i;

	for (i = 0; i < ctx->nr_regions; i++)
		if (ctx->regions[i]->backend == backend && ctx->regions[i]->id == id)
			return ctx->regions[i];
	return NULL;
}

static int region_merge_record(struct daxmem_region *region, const struct daxmem_state_dev *rec)
{
	struct daxmem_dev *dev = NULL;
	size_t i;

	for (i = 0; i < region->nr_devs; i++) {
		struct daxmem_dev *d = region->devs[i];

		if (d->present && !d->recorded &&
		    daxmem_ranges_equal(d->ranges, d->nr_ranges, rec->ranges, rec->nr_ranges)) {
			dev = d;
			break;
		}
	}
	if (!dev) {
		dev = region_new_dev(region, rec->name, rec->chardev, rec->ranges, rec->nr_ranges);
		if (!dev)
			return -ENOMEM;
		dev->align = rec->align;
		dev->mode = rec->mode;
	} else {
		char *name = strdup(rec->name);

		if (!name)
			return -ENOMEM;
		free(dev->name);
		dev->name = name;
	}
	if (rec->label) {
		dev->label = strdup(rec->label);
		if (!dev->label)
			return -ENOMEM;
	}
	dev->preserved = rec->preserved;
	dev->recorded = true;
	return 0;
}

static int region_settle_space(struct daxmem_region *region, const struct daxmem_state *st)
{
	size_t i, j;
	int rc;

	daxmem_space_fini(&region->space);
	if (!region->start_known)
		return 0;
	rc = daxmem_space_init(&region->space, region->start, region->size);
	if (rc)
		return rc;
	for (i = 0; i < region->nr_devs; i++) {
		struct daxmem_dev *dev = region->devs[i];

		for (j = 0; j < dev->nr_ranges; j++) {
			rc = daxmem_space_exclude(&region->space, dev->ranges[j].start,
						  daxmem_range_size(&dev->ranges[j]));
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < st->nr_poisoned; i++) {
		rc = daxmem_space_exclude(&region->space, st->poisoned[i].start,
					  daxmem_range_size(&st->poisoned[i]));
		if (rc)
			return rc;
	}
	return 0;
}

int daxmem_regions_settle(struct daxmem_ctx *ctx)
{
	struct daxmem_state *st = &ctx->state;
	size_t i;
	int rc;

	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];
		const struct daxmem_state_region *sr;

		sr = daxmem_state_find_region(st, region->backend, region->id);
		if (!region->start_known && sr && sr->size == region->size) {
			region->start = sr->start;
			region->start_known = true;
		}
		if (region->start_known) {
			struct daxmem_state_region r = { region->backend, region->id, region->start,
							 region->size };

			rc = daxmem_state_put_region(st, &r);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < st->nr_devs; i++) {
		struct daxmem_region *region =
			region_lookup(ctx, st->devs[i].backend, st->devs[i].region);

		if (!region)
			continue;
		rc = region_merge_record(region, &st->devs[i]);
		if (rc)
			return rc;
	}
	for (i = 0; i < ctx->nr_regions; i++) {
		rc = region_settle_space(ctx->regions[i], st);
		if (rc)
			return rc;
	}
	return 0;
}

void daxmem_region_describe_owner(struct daxmem_region *region, uint64_t start, uint64_t end,
				  char *buf, size_t len)
{
	const struct daxmem_state *st = &region->ctx->state;
	size_t i, j;

	if (start < region->start || end > region->start + region->size - 1) {
		snprintf(buf, len, "outside region%d (%#llx-%#llx)", region->id,
			 (unsigned long long)region->start,
			 (unsigned long long)(region->start + region->size - 1));
		return;
	}
	for (i = 0; i < region->nr_devs; i++) {
		struct daxmem_dev *dev = region->devs[i];

		for (j = 0; j < dev->nr_ranges; j++) {
			if (dev->ranges[j].start > end || start > dev->ranges[j].end)
				continue;
			if (dev->present)
				snprintf(buf, len, "held by %s", dev->chardev);
			else
				snprintf(buf, len, "recorded for device %s (awaiting restore)",
					 dev->name);
			return;
		}
	}
	for (i = 0; i < st->nr_poisoned; i++) {
		if (st->poisoned[i].start <= end && start <= st->poisoned[i].end) {
			snprintf(buf, len, "poisoned at %#llx-%#llx",
				 (unsigned long long)st->poisoned[i].start,
				 (unsigned long long)st->poisoned[i].end);
			return;
		}
	}
	snprintf(buf, len, "not free");
}

static int ensure_scanned(struct daxmem_ctx *ctx)
{
	return ctx->scanned ? 0 : daxmem_scan(ctx);
}

struct daxmem_region *daxmem_region_get_first(struct daxmem_ctx *ctx)
{
	if (ensure_scanned(ctx) || !ctx->nr_regions)
		return NULL;
	return ctx->regions[0];
}

struct daxmem_region *daxmem_region_get_next(struct daxmem_region *region)
{
	struct daxmem_ctx *ctx = region->ctx;
	size_t i;

	for (i = 0; i + 1 < ctx->nr_regions; i++)
		if (ctx->regions[i] == region)
			return ctx->regions[i + 1];
	return NULL;
}

int daxmem_region_find(struct daxmem_ctx *ctx, enum daxmem_backend backend, int id,
		       struct daxmem_region **out)
{
	struct daxmem_region *found = NULL;
	size_t i;
	int rc;

	rc = ensure_scanned(ctx);
	if (rc)
		return rc;
	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *r = ctx->regions[i];

		if (r->id != id || (backend != DAXMEM_BACKEND_ANY && r->backend != backend))
			continue;
		if (found) {
			err(ctx, "region %d exists in both backends: name one with --backend", id);
			return -EEXIST;
		}
		found = r;
	}
	if (!found) {
		if (backend == DAXMEM_BACKEND_ANY)
			err(ctx, "unknown region %d", id);
		else
			err(ctx, "unknown region %d in backend %s", id,
			    daxmem_backend_name(backend));
		return -ENOENT;
	}
	*out = found;
	return 0;
}

struct daxmem_region *daxmem_region_ref(struct daxmem_region *region)
{
	if (region)
		region->refcount++;
	return region;
}

void daxmem_region_unref(struct daxmem_region *region)
{
	if (!region || --region->refcount > 0)
		return;
	daxmem_space_fini(&region->space);
	free(region->kpoison);
	free(region->path);
	free(region);
}

struct daxmem_ctx *daxmem_region_get_ctx(struct daxmem_region *region)
{
	return region->ctx;
}

int daxmem_region_get_id(struct daxmem_region *region)
{
	return region->id;
}

enum daxmem_backend daxmem_region_get_backend(struct daxmem_region *region)
{
	return region->backend;
}

uint64_t daxmem_region_get_start(struct daxmem_region *region)
{
	return region->start_known ? region->start : UINT64_MAX;
}

uint64_t daxmem_region_get_size(struct daxmem_region *region)
{
	return region->size;
}

unsigned long daxmem_region_get_align(struct daxmem_region *region)
{
	return region->align;
}

uint64_t daxmem_region_get_available_size(struct daxmem_region *region)
{
	return region->available;
}

uint64_t daxmem_region_get_allocatable_size(struct daxmem_region *region)
{
	return region->space.free_bytes;
}

uint64_t daxmem_region_get_largest_fit(struct daxmem_region *region, unsigned long align)
{
	return daxmem_space_usable(&region->space, align);
}

int daxmem_region_get_poisoned(struct daxmem_region *region, size_t idx,
			       struct daxmem_range *range)
{
	const struct daxmem_state *st = &region->ctx->state;
	uint64_t last = region->start + region->size - 1;
	size_t i;

	if (!region->start_known)
		return -ENOENT;
	for (i = 0; i < st->nr_poisoned; i++) {
		const struct daxmem_range *p = &st->poisoned[i];

		if (p->end < region->start || p->start > last)
			continue;
		if (idx-- == 0) {
			*range = *p;
			return 0;
		}
	}
	return -ENOENT;
}
