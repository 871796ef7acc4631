// SPDX-License-Identifier: LGPL-2.1
/* The in-memory kernel: libdaxmem's backend ops over plain arrays. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_kernel.h"

static struct fake_kernel *kernel_of(struct daxmem_ctx *ctx)
{
	return ctx->backend_data[DAXMEM_BACKEND_DEVDAX];
}

/* count the call; the fault it triggers, or -1 */
static int fake_enter(struct fake_kernel *k, enum fake_op op)
{
	k->calls[op]++;
	if (!k->fault.armed || k->fault.op != op || k->fault.at != k->calls[op])
		return -1;
	k->fault.armed = false;
	return (int)k->fault.kind;
}

/* a failed op logs one line, as the kernel's backends do */
static int injected(struct daxmem_ctx *ctx, const char *op, const char *what)
{
	err(ctx, "%s %s: Input/output error (injected)", op, what);
	return -EIO;
}

static struct fake_region *region_of(struct fake_kernel *k, struct daxmem_region *region)
{
	size_t i;

	for (i = 0; i < k->nr_regions; i++)
		if (k->regions[i].backend == region->backend && k->regions[i].id == region->id)
			return &k->regions[i];
	return NULL;
}

static uint64_t dev_size(const struct fake_dev *d)
{
	uint64_t size = 0;
	size_t i;

	for (i = 0; i < d->nr_ranges; i++)
		size += daxmem_range_size(&d->ranges[i]);
	return size;
}

static int scan_backend(struct daxmem_ctx *ctx, enum daxmem_backend backend)
{
	struct fake_kernel *k = kernel_of(ctx);
	size_t i, j;
	int rc;

	if (fake_enter(k, FAKE_SCAN) >= 0)
		return injected(ctx, "scan", daxmem_backend_name(backend));
	for (i = 0; i < k->nr_regions; i++) {
		struct fake_region *fr = &k->regions[i];
		struct daxmem_region *region;
		uint64_t used = 0;

		if (fr->backend != backend)
			continue;
		for (j = 0; j < FAKE_MAX_DEVS; j++)
			if (k->devs[j].used && k->devs[j].region == fr)
				used += dev_size(&k->devs[j]);
		region = daxmem_region_add(ctx, backend, fr->id, fr->size, fr->align,
					   fr->size - used);
		if (!region)
			return -ENOMEM;
		if (!fr->hide_start) {
			region->start = fr->start;
			region->start_known = true;
		}
		for (j = 0; j < fr->nr_poison; j++) {
			rc = daxmem_region_add_kpoison(region, fr->poison[j]);
			if (rc)
				return rc;
		}
		for (j = 0; j < FAKE_MAX_DEVS; j++) {
			struct fake_dev *d = &k->devs[j];

			if (!d->used || d->region != fr)
				continue;
			rc = daxmem_region_add_dev(region, d->chardev, d->align, d->mode, d->ranges,
						   d->nr_ranges);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int fake_scan_devdax(struct daxmem_ctx *ctx)
{
	return scan_backend(ctx, DAXMEM_BACKEND_DEVDAX);
}

static int fake_scan_pageless(struct daxmem_ctx *ctx)
{
	return scan_backend(ctx, DAXMEM_BACKEND_PAGELESS);
}

/* what the kernel itself refuses: ranges outside the region, misaligned or taken */
static int kernel_check(struct fake_kernel *k, struct fake_region *fr, unsigned long align,
			const struct daxmem_range *ranges, size_t nr)
{
	size_t i, j, r;

	if (!nr || nr > FAKE_MAX_RANGES)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct daxmem_range *x = &ranges[i];

		if (x->end < x->start || x->start < fr->start ||
		    x->end > fr->start + fr->size - 1 || x->start % align ||
		    daxmem_range_size(x) % align)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (ranges[j].start <= x->end && x->start <= ranges[j].end)
				return -EINVAL;
		for (j = 0; j < FAKE_MAX_DEVS; j++) {
			struct fake_dev *d = &k->devs[j];

			for (r = 0; d->used && r < d->nr_ranges; r++)
				if (d->ranges[r].start <= x->end && x->start <= d->ranges[r].end)
					return -EBUSY;
		}
	}
	return 0;
}

static struct fake_dev *dev_new(struct fake_kernel *k, struct fake_region *fr)
{
	struct fake_dev *slot = NULL;
	size_t i;
	int id;

	/* the lowest free instance number, as the kernel's ida hands them out */
	for (id = 0;; id++) {
		bool taken = false;

		for (i = 0; i < FAKE_MAX_DEVS; i++)
			if (k->devs[i].used && k->devs[i].region == fr && k->devs[i].id == id)
				taken = true;
		if (!taken)
			break;
	}
	for (i = 0; i < FAKE_MAX_DEVS && !slot; i++)
		if (!k->devs[i].used)
			slot = &k->devs[i];
	if (!slot)
		return NULL;
	memset(slot, 0, sizeof(*slot));
	slot->used = true;
	slot->region = fr;
	slot->id = id;
	snprintf(slot->chardev, sizeof(slot->chardev), "%s%d.%d",
		 fr->backend == DAXMEM_BACKEND_PAGELESS ? "pdax" : "dax", fr->id, id);
	return slot;
}

static int fake_dev_create(struct daxmem_region *region, unsigned long align, enum daxmem_mode mode,
			   bool preserved, const struct daxmem_range *ranges, size_t nr,
			   char *chardev, size_t len)
{
	struct fake_kernel *k = kernel_of(region->ctx);
	struct fake_region *fr = region_of(k, region);
	int fault = fake_enter(k, FAKE_CREATE);
	struct fake_dev *d;
	int rc;

	if (!fr)
		return -ENODEV;
	if (fault == FAKE_FAIL_BEFORE) {
		char what[32];

		snprintf(what, sizeof(what), "region%d", region->id);
		return injected(region->ctx, "create in", what);
	}
	rc = kernel_check(k, fr, align, ranges, nr);
	if (rc) {
		err(region->ctx, "create in region%d: the kernel refuses the ranges: %s", fr->id,
		    strerror(-rc));
		return rc;
	}
	d = dev_new(k, fr);
	if (!d) {
		err(region->ctx, "create in region%d: out of device slots", fr->id);
		return -ENOSPC;
	}
	d->align = align;
	d->mode = mode;
	d->preserved = preserved;
	d->nr_ranges = nr;
	if (fault == FAKE_FAIL_PARTIAL)
		d->nr_ranges = 1;
	else if (fault == FAKE_WRONG_RANGES && nr > 1)
		d->nr_ranges = nr - 1;
	memcpy(d->ranges, ranges, d->nr_ranges * sizeof(*ranges));
	if (fault == FAKE_WRONG_RANGES && nr == 1)
		d->ranges[0].end -= align;
	snprintf(chardev, len, "%s", d->chardev);
	if (fault == FAKE_FAIL_AFTER || fault == FAKE_FAIL_PARTIAL)
		return injected(region->ctx, "create", d->chardev);
	return 0;
}

static int fake_dev_destroy(struct daxmem_region *region, const char *chardev)
{
	struct fake_kernel *k = kernel_of(region->ctx);
	int fault = fake_enter(k, FAKE_DESTROY);
	struct fake_dev *d = fake_dev_find(k, chardev);

	if (fault == FAKE_FAIL_BEFORE)
		return injected(region->ctx, "destroy", chardev);
	if (!d || d->region != region_of(k, region)) {
		err(region->ctx, "destroy %s: no such device", chardev);
		return -ENODEV;
	}
	d->used = false;
	return fault == FAKE_FAIL_AFTER ? injected(region->ctx, "destroy", chardev) : 0;
}

static int fake_dev_scrub(struct daxmem_region *region, const char *chardev, uint64_t size)
{
	struct fake_kernel *k = kernel_of(region->ctx);
	int fault = fake_enter(k, FAKE_SCRUB);
	struct fake_dev *d = fake_dev_find(k, chardev);

	if (fault == FAKE_FAIL_BEFORE)
		return injected(region->ctx, "scrub", chardev);
	if (!d || dev_size(d) != size) {
		err(region->ctx, "scrub %s: no such device of that size", chardev);
		return -EINVAL;
	}
	d->scrubs++;
	return fault == FAKE_FAIL_AFTER ? injected(region->ctx, "scrub", chardev) : 0;
}

static int fake_poison_page(struct daxmem_region *region, uint64_t addr)
{
	struct fake_kernel *k = kernel_of(region->ctx);
	struct fake_region *fr = region_of(k, region);
	int fault = fake_enter(k, FAKE_POISON);

	if (fault == FAKE_FAIL_BEFORE)
		return injected(region->ctx, "poison", "page");
	if (!fr || addr % DAXMEM_PAGE_SIZE || addr < fr->start || addr >= fr->start + fr->size ||
	    fr->nr_poison == FAKE_MAX_POISON) {
		err(region->ctx, "poison %#llx: not a page of region%d", (unsigned long long)addr,
		    region->id);
		return -EINVAL;
	}
	fr->poison[fr->nr_poison++] = addr;
	return fault == FAKE_FAIL_AFTER ? injected(region->ctx, "poison", "page") : 0;
}

static void fake_fini(struct daxmem_ctx *ctx)
{
	ctx->backend_data[DAXMEM_BACKEND_DEVDAX] = NULL;
	ctx->backend_data[DAXMEM_BACKEND_PAGELESS] = NULL;
}

static const struct daxmem_backend_ops fake_devdax_ops = {
	.backend = DAXMEM_BACKEND_DEVDAX,
	.scan = fake_scan_devdax,
	.dev_create = fake_dev_create,
	.dev_destroy = fake_dev_destroy,
	.dev_scrub = fake_dev_scrub,
	.fini = fake_fini,
};

/* the pageless module keeps a poison list; device-dax does not */
static const struct daxmem_backend_ops fake_pageless_ops = {
	.backend = DAXMEM_BACKEND_PAGELESS,
	.scan = fake_scan_pageless,
	.dev_create = fake_dev_create,
	.dev_destroy = fake_dev_destroy,
	.dev_scrub = fake_dev_scrub,
	.poison_page = fake_poison_page,
	.fini = fake_fini,
};

int fake_kernel_attach(struct fake_kernel *k, struct daxmem_ctx *ctx)
{
	int rc = daxmem_set_backend_ops(ctx, DAXMEM_BACKEND_DEVDAX, &fake_devdax_ops);

	if (!rc)
		rc = daxmem_set_backend_ops(ctx, DAXMEM_BACKEND_PAGELESS, &fake_pageless_ops);
	if (rc)
		return rc;
	ctx->backend_data[DAXMEM_BACKEND_DEVDAX] = k;
	ctx->backend_data[DAXMEM_BACKEND_PAGELESS] = k;
	return 0;
}

struct fake_region *fake_region_add(struct fake_kernel *k, enum daxmem_backend backend, int id,
				    uint64_t start, uint64_t size, unsigned long align)
{
	struct fake_region *fr;

	if (k->nr_regions == FAKE_MAX_REGIONS)
		return NULL;
	fr = &k->regions[k->nr_regions++];
	*fr = (struct fake_region){
		.backend = backend, .id = id, .start = start, .size = size, .align = align
	};
	return fr;
}

struct fake_dev *fake_dev_add(struct fake_kernel *k, struct fake_region *r, unsigned long align,
			      const struct daxmem_range *ranges, size_t nr)
{
	struct fake_dev *d;

	if (kernel_check(k, r, align, ranges, nr))
		return NULL;
	d = dev_new(k, r);
	if (!d)
		return NULL;
	d->align = align;
	d->mode = r->backend == DAXMEM_BACKEND_PAGELESS ? DAXMEM_MODE_PAGELESS : DAXMEM_MODE_DEVDAX;
	d->nr_ranges = nr;
	memcpy(d->ranges, ranges, nr * sizeof(*ranges));
	return d;
}

struct fake_dev *fake_dev_find(struct fake_kernel *k, const char *chardev)
{
	size_t i;

	for (i = 0; i < FAKE_MAX_DEVS; i++)
		if (k->devs[i].used && strcmp(k->devs[i].chardev, chardev) == 0)
			return &k->devs[i];
	return NULL;
}

size_t fake_nr_devs(const struct fake_kernel *k)
{
	size_t i, n = 0;

	for (i = 0; i < FAKE_MAX_DEVS; i++)
		n += k->devs[i].used;
	return n;
}

void fake_fail(struct fake_kernel *k, enum fake_op op, unsigned int nth, enum fake_fault kind)
{
	k->fault.armed = true;
	k->fault.op = op;
	k->fault.at = k->calls[op] + nth;
	k->fault.kind = kind;
}

void fake_reboot(struct fake_kernel *k)
{
	size_t i;

	for (i = 0; i < FAKE_MAX_DEVS; i++)
		k->devs[i].used = false;
	for (i = 0; i < k->nr_regions; i++)
		k->regions[i].nr_poison = 0;
}
