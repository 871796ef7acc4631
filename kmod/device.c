// SPDX-License-Identifier: GPL-2.0
/*
 * Devices: pdaxR.N, a list of ranges of one region served as /dev/pdaxR.N.
 * Sizing and range allocation follow device-dax: grow from the region's
 * free space lowest address first, shrink from the end.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "pdax.h"

static DEFINE_IDA(pdax_minor_ida);

static void pdax_dev_release(struct device *dev)
{
	struct pdax_dev *pdev = to_pdax_dev(dev);

	if (pdev->inode)
		iput(pdev->inode);
	ida_free(&pdax_minor_ida, MINOR(dev->devt));
	kfree(pdev->ranges);
	put_device(&pdev->region->dev);
	kfree(pdev);
}

const struct device_type pdax_dev_type = {
	.name = "pdax_dev",
	.release = pdax_dev_release,
	.groups = pdax_dev_groups,
};

/* 0 if the configuration may change now, else -EBUSY/-ENODEV. */
int pdax_dev_check_idle(struct pdax_dev *pdev)
{
	lockdep_assert_held(&pdax_lock);
	if (pdev->dead)
		return -ENODEV;
	if (pdev->open_count || pdev->scrub_state == PDAX_SCRUB_RUNNING)
		return -EBUSY;
	return 0;
}

/*
 * Zap every user mapping of the device before its configuration changes or
 * it goes away, as kill_dev_dax() does. A mapping holds the file open and
 * such changes need open_count 0, so nothing should be mapped: this is the
 * guarantee, not the expected path.
 */
void pdax_dev_unmap_all(struct pdax_dev *pdev)
{
	if (pdev->inode)
		unmap_mapping_range(pdev->inode->i_mapping, 0, 0, 1);
}

/* Create a zero-size device in @region; it becomes the seed. */
struct pdax_dev *pdax_dev_create(struct pdax_region *region)
{
	struct pdax_dev *pdev;
	int minor, rc, i;

	lockdep_assert_held(&pdax_lock);
	if (region->dead)
		return ERR_PTR(-ENODEV);
	pdev = kzalloc(sizeof(*pdev), GFP_KERNEL);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	minor = ida_alloc_max(&pdax_minor_ida, PDAX_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(pdev);
		return ERR_PTR(minor);
	}
	pdev->id = ida_alloc(&region->dev_ida, GFP_KERNEL);
	if (pdev->id < 0) {
		rc = pdev->id;
		ida_free(&pdax_minor_ida, minor);
		kfree(pdev);
		return ERR_PTR(rc);
	}
	pdev->region = region;
	get_device(&region->dev);
	pdev->align = min_t(unsigned long, PDAX_ALIGN_2M,
			    PDAX_PAGELESS_MAX_ALIGN);
	pdev->mode = PDAX_MODE_PAGELESS;
	for (i = 0; i < PDAX_NR_ORDERS; i++)
		atomic64_set(&pdev->faults[i], 0);
	pdax_scrub_init(pdev);
	mutex_init(&pdev->open_lock);
	INIT_LIST_HEAD(&pdev->node);

	device_initialize(&pdev->dev);
	pdev->dev.bus = &pdax_bus_type;
	pdev->dev.type = &pdax_dev_type;
	pdev->dev.parent = &region->dev;
	pdev->dev.devt = MKDEV(MAJOR(pdax_devt), minor);
	set_dev_node(&pdev->dev, region->nid);
	rc = dev_set_name(&pdev->dev, "pdax%d.%d", region->id, pdev->id);
	if (rc)
		goto err_put;

	pdev->inode = pdax_alloc_inode();
	if (IS_ERR(pdev->inode)) {
		rc = PTR_ERR(pdev->inode);
		pdev->inode = NULL;
		goto err_put;
	}

	cdev_init(&pdev->cdev, &pdax_fops);
	pdev->cdev.owner = THIS_MODULE;
	rc = cdev_device_add(&pdev->cdev, &pdev->dev);
	if (rc) {
		dev_err(&pdev->dev, "cdev_device_add failed: %d\n", rc);
		goto err_put;
	}
	list_add_tail(&pdev->node, &region->devs);
	region->seed = pdev;
	region->youngest = pdev;
	return pdev;

err_put:
	ida_free(&region->dev_ida, pdev->id);
	put_device(&pdev->dev);
	return ERR_PTR(rc);
}

struct pdax_dev *pdax_dev_find(struct pdax_region *region, const char *name)
{
	struct pdax_dev *pdev;

	lockdep_assert_held(&pdax_lock);
	list_for_each_entry(pdev, &region->devs, node)
		if (sysfs_streq(dev_name(&pdev->dev), name))
			return pdev;
	return NULL;
}

/* Delete a device that nobody has open; its ranges return to the region. */
int pdax_dev_delete(struct pdax_dev *pdev)
{
	struct pdax_region *region = pdev->region;
	int rc;

	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (!rc)
		rc = pdax_compound_teardown(pdev, false);
	if (rc) {
		mutex_unlock(&pdax_lock);
		return rc;
	}
	pdev->dead = true;
	list_del_init(&pdev->node);
	if (region->seed == pdev)
		region->seed = NULL;
	if (region->youngest == pdev)
		region->youngest = NULL;
	pdax_dev_unmap_all(pdev);
	mutex_unlock(&pdax_lock);

	pdax_mapping_attrs_remove(pdev);
	cdev_device_del(&pdev->cdev, &pdev->dev);
	/*
	 * Only now is the name pdaxR.N gone from sysfs: a create that got
	 * the id earlier would add a second device of the same name.
	 */
	ida_free(&region->dev_ida, pdev->id);
	put_device(&pdev->dev);
	return 0;
}

/* Offsets and size from the ranges. */
static void __pdax_dev_layout(struct pdax_dev *pdev)
{
	u64 off = 0;
	int i;

	for (i = 0; i < pdev->nr_range; i++) {
		pdev->ranges[i].off = off;
		off += pdev->ranges[i].len;
	}
	pdev->size = off;
}

/*
 * The ranges changed: new offsets, size and mappingM directories; only
 * once those exist, forget scrub/preserve. On failure the caller puts the
 * saved configuration back (__pdax_dev_restore).
 */
static int __pdax_dev_ranges_changed(struct pdax_dev *pdev)
{
	struct pdax_region *region = pdev->region;
	int rc;

	__pdax_dev_layout(pdev);
	rc = pdax_mapping_attrs_update(pdev);
	if (rc)
		return rc;
	pdev->preserved = false;
	pdax_scrub_reset(pdev);
	if (pdev->size && region->seed == pdev)
		region->seed = NULL;
	return 0;
}

/* A copy of the configuration a resize or mapping write may have to undo. */
struct pdax_saved_config {
	struct pdax_range *ranges;
	int nr_range;
	enum pdax_mode mode;
};

static int pdax_dev_save(struct pdax_dev *pdev, struct pdax_saved_config *sv)
{
	sv->nr_range = pdev->nr_range;
	sv->mode = pdev->mode;
	sv->ranges = NULL;
	if (!sv->nr_range)
		return 0;
	sv->ranges = kmemdup(pdev->ranges, sv->nr_range * sizeof(*sv->ranges),
			     GFP_KERNEL);
	return sv->ranges ? 0 : -ENOMEM;
}

/*
 * A change failed: put the saved ranges and mode back, and the mappingM
 * directories when the failed change had already removed them.
 */
static void __pdax_dev_restore(struct pdax_dev *pdev,
			       struct pdax_saved_config *sv, bool dirs)
{
	kfree(pdev->ranges);
	pdev->ranges = sv->ranges;
	pdev->nr_range = sv->nr_range;
	pdev->mode = sv->mode;
	sv->ranges = NULL;
	__pdax_dev_layout(pdev);
	if (dirs && pdax_mapping_attrs_update(pdev))
		dev_err(&pdev->dev, "mappingM directories incomplete after a failed change\n");
	else if (dirs)
		dev_info_ratelimited(&pdev->dev,
				     "mappingM directories could not be made: change undone\n");
}

/*
 * Before a change of the device's ranges: no compound page may still be
 * referenced, the configuration is saved for an undo, and no user mapping
 * is left. Called with pdax_lock held.
 */
static int __pdax_dev_begin_change(struct pdax_dev *pdev, struct pdax_saved_config *sv)
{
	int rc = pdax_compound_teardown(pdev, false);

	if (!rc)
		rc = pdax_dev_save(pdev, sv);
	if (!rc)
		pdax_dev_unmap_all(pdev);
	return rc;
}

/*
 * After it: publish the new ranges (mappingM directories), or undo the
 * change when it (@rc) or the publishing failed. Called with pdax_lock held.
 */
static int __pdax_dev_finish_change(struct pdax_dev *pdev, struct pdax_saved_config *sv, int rc)
{
	if (rc) {
		__pdax_dev_restore(pdev, sv, false);
		return rc;
	}
	rc = __pdax_dev_ranges_changed(pdev);
	if (rc)
		__pdax_dev_restore(pdev, sv, true);
	return rc;
}

/*
 * debugfs fail_range_alloc: when set to N > 0, the Nth allocation of a
 * range array or of the mappingM directories from now on fails with
 * ENOMEM, so the testbed (whose kernels have no fault injection) can fail
 * a resize half way.
 */
atomic_t pdax_fail_range_alloc = ATOMIC_INIT(0);

bool pdax_range_alloc_fails(void)
{
	return atomic_read(&pdax_fail_range_alloc) > 0 &&
	       atomic_dec_and_test(&pdax_fail_range_alloc);
}

static int __pdax_dev_append(struct pdax_dev *pdev, phys_addr_t start, u64 len)
{
	struct pdax_range *last = pdev->nr_range ?
					  &pdev->ranges[pdev->nr_range - 1] : NULL;
	struct pdax_range *n;

	if (last && last->start + last->len == start) {
		last->len += len;
		return 0;
	}
	if (pdax_range_alloc_fails())
		return -ENOMEM;
	n = krealloc(pdev->ranges, (pdev->nr_range + 1) * sizeof(*n),
		     GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	pdev->ranges = n;
	n[pdev->nr_range].start = start;
	n[pdev->nr_range].len = len;
	pdev->nr_range++;
	return 0;
}

struct pdax_span {
	phys_addr_t start;
	phys_addr_t end; /* exclusive */
};

static int pdax_span_cmp(const void *a, const void *b)
{
	const struct pdax_span *x = a, *y = b;

	if (x->start == y->start)
		return 0;
	return x->start < y->start ? -1 : 1;
}

/*
 * Sorted list of the spans of the region a grow must not take: the devices'
 * ranges and, so that a known-bad page is never handed out again, the
 * @align unit around each poisoned page. One spare slot for the caller.
 * The poison list only grows under pdax_lock, which the caller holds.
 */
static struct pdax_span *pdax_region_used(struct pdax_region *region,
					  unsigned long align, int *nr,
					  int *nr_poison)
{
	unsigned long pfn;
	struct pdax_dev *d;
	struct pdax_span *s;
	int n = 0, np = 0, i;
	void *entry;

	lockdep_assert_held(&pdax_lock);
	list_for_each_entry(d, &region->devs, node)
		n += d->nr_range;
	xa_for_each(&region->poison, pfn, entry)
		np++;
	s = kvcalloc(n + np + 1, sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	n = 0;
	list_for_each_entry(d, &region->devs, node)
		for (i = 0; i < d->nr_range; i++, n++) {
			s[n].start = d->ranges[i].start;
			s[n].end = d->ranges[i].start + d->ranges[i].len;
		}
	i = 0;
	xa_for_each(&region->poison, pfn, entry) {
		if (i++ == np)
			break;
		s[n].start = round_down(PFN_PHYS(pfn), align);
		s[n].end = s[n].start + align;
		n++;
	}
	sort(s, n, sizeof(*s), pdax_span_cmp, NULL);
	*nr = n;
	*nr_poison = np;
	return s;
}

/*
 * Grow by @need bytes: first extend the last range in place, then take
 * aligned free gaps lowest address first. ENOSPC before any change; on
 * any other error the ranges are half grown and the caller restores them.
 */
static int __pdax_dev_grow(struct pdax_dev *pdev, u64 need)
{
	struct pdax_region *region = pdev->region;
	phys_addr_t rend = region->start + region->size;
	struct pdax_span *used, *plan;
	int nr_used, nr_poison, nr_plan = 0, i, rc = 0;
	phys_addr_t gap_start = region->start;
	u64 left = need;

	used = pdax_region_used(region, pdev->align, &nr_used, &nr_poison);
	if (!used)
		return -ENOMEM;
	plan = kvcalloc(nr_used + 2, sizeof(*plan), GFP_KERNEL);
	if (!plan) {
		kvfree(used);
		return -ENOMEM;
	}
	if (pdev->nr_range) {
		struct pdax_range *last = &pdev->ranges[pdev->nr_range - 1];
		phys_addr_t from = last->start + last->len, to = rend;

		for (i = 0; i < nr_used; i++)
			if (used[i].start >= from && used[i].start < to)
				to = used[i].start;
		to = from + min_t(u64, left, rounddown(to - from, pdev->align));
		if (to > from) {
			plan[nr_plan].start = from;
			plan[nr_plan++].end = to;
			left -= to - from;
			/* the extension is no longer free */
			used[nr_used].start = from;
			used[nr_used++].end = to;
			sort(used, nr_used, sizeof(*used), pdax_span_cmp, NULL);
		}
	}
	for (i = 0; i <= nr_used && left; i++) {
		phys_addr_t gap_end = i < nr_used ? used[i].start : rend;
		phys_addr_t s = ALIGN(gap_start, pdev->align), e;

		if (i < nr_used)
			gap_start = max(gap_start, used[i].end);
		if (s >= gap_end)
			continue;
		e = s + min_t(u64, left, rounddown(gap_end - s, pdev->align));
		if (e > s) {
			plan[nr_plan].start = s;
			plan[nr_plan++].end = e;
			left -= e - s;
		}
	}
	if (left) {
		if (nr_poison)
			dev_info_ratelimited(&pdev->dev,
					     "grow by %llu bytes: not enough aligned free space outside the %d poisoned page(s) of %s\n",
					     need, nr_poison,
					     dev_name(&region->dev));
		rc = -ENOSPC;
		goto out;
	}
	for (i = 0; i < nr_plan && !rc; i++)
		rc = __pdax_dev_append(pdev, plan[i].start,
				       plan[i].end - plan[i].start);
	/* the caller puts its saved ranges back: all or nothing */
	if (rc)
		dev_info_ratelimited(&pdev->dev,
				     "grow by %llu bytes failed half way (%d), undone\n",
				     need, rc);
out:
	kvfree(plan);
	kvfree(used);
	return rc;
}

static void __pdax_dev_shrink(struct pdax_dev *pdev, u64 cut)
{
	while (cut && pdev->nr_range) {
		struct pdax_range *last = &pdev->ranges[pdev->nr_range - 1];

		if (last->len <= cut) {
			cut -= last->len;
			pdev->nr_range--;
		} else {
			last->len -= cut;
			cut = 0;
		}
	}
	if (!pdev->nr_range) {
		kfree(pdev->ranges);
		pdev->ranges = NULL;
	}
}

int pdax_dev_resize(struct pdax_dev *pdev, u64 size)
{
	struct pdax_saved_config sv = {};
	int rc;

	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (rc)
		goto out;
	if (!IS_ALIGNED(size, pdev->align)) {
		rc = -EINVAL;
		goto out;
	}
	if (size == pdev->size)
		goto out;
	rc = __pdax_dev_begin_change(pdev, &sv);
	if (rc)
		goto out;
	if (size > pdev->size) {
		if (size - pdev->size > pdax_region_available(pdev->region)) {
			rc = -ENOSPC;
			goto out;
		}
		rc = __pdax_dev_grow(pdev, size - pdev->size);
	} else {
		__pdax_dev_shrink(pdev, pdev->size - size);
	}
	if (!rc && pdev->mode == PDAX_MODE_COMPOUND &&
	    pdax_compound_check(pdev)) {
		/* keep the device usable: compound needs 2M aligned pieces */
		pdev->mode = PDAX_MODE_PAGELESS;
		dev_info(&pdev->dev, "ranges not 2M aligned, mode set to pageless\n");
	}
	rc = __pdax_dev_finish_change(pdev, &sv, rc);
out:
	kfree(sv.ranges);
	mutex_unlock(&pdax_lock);
	return rc;
}

int pdax_dev_add_range(struct pdax_dev *pdev, phys_addr_t start, u64 len)
{
	struct pdax_saved_config sv = {};
	int rc;

	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (rc)
		goto out;
	if (!len || !IS_ALIGNED(start, pdev->align) ||
	    !IS_ALIGNED(len, pdev->align)) {
		rc = -EINVAL;
		goto out;
	}
	if (!pdax_region_range_free(pdev->region, start, len)) {
		rc = start < pdev->region->start ||
				     start - pdev->region->start >=
					     pdev->region->size ?
			     -EINVAL :
			     -EBUSY;
		goto out;
	}
	if (pdev->mode == PDAX_MODE_COMPOUND &&
	    (!IS_ALIGNED(start, PMD_SIZE) || !IS_ALIGNED(len, PMD_SIZE))) {
		rc = -EINVAL;
		goto out;
	}
	/* a known-bad page is never handed out again */
	if (pdax_poison_in(pdev->region, start, len)) {
		dev_info_ratelimited(&pdev->dev,
				     "mapping %#llx-%#llx holds poisoned page(s), refused\n",
				     (u64)start, (u64)(start + len - 1));
		rc = -EIO;
		goto out;
	}
	rc = __pdax_dev_begin_change(pdev, &sv);
	if (rc)
		goto out;
	rc = __pdax_dev_append(pdev, start, len);
	rc = __pdax_dev_finish_change(pdev, &sv, rc);
out:
	kfree(sv.ranges);
	mutex_unlock(&pdax_lock);
	return rc;
}

int pdax_dev_set_align(struct pdax_dev *pdev, unsigned long align)
{
	int rc, i;

	if (align != PDAX_ALIGN_4K && align != PDAX_ALIGN_2M &&
	    align != PDAX_ALIGN_1G)
		return -EINVAL;
	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (rc)
		goto out;
	if (pdev->mode == PDAX_MODE_PAGELESS && !pdax_pageless_align_ok(align)) {
		dev_info_ratelimited(&pdev->dev,
				     "align %lu: this kernel cannot map pageless memory with entries larger than %lu bytes (no PMD/PUD PFNMAP support); use mode compound or a smaller align\n",
				     align, (unsigned long)PDAX_PAGELESS_MAX_ALIGN);
		rc = -EOPNOTSUPP;
		goto out;
	}
	for (i = 0; i < pdev->nr_range; i++) {
		if (!IS_ALIGNED(pdev->ranges[i].start, align) ||
		    !IS_ALIGNED(pdev->ranges[i].len, align)) {
			rc = -EINVAL;
			goto out;
		}
	}
	/* the pagemap's compound order is the align */
	if (align != pdev->align)
		rc = pdax_compound_teardown(pdev, false);
	if (!rc)
		pdev->align = align;
out:
	mutex_unlock(&pdax_lock);
	return rc;
}

int pdax_dev_set_mode(struct pdax_dev *pdev, enum pdax_mode mode)
{
	int rc;

	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (rc)
		goto out;
	if (mode == PDAX_MODE_COMPOUND)
		rc = pdax_compound_check(pdev);
	else if (!pdax_pageless_align_ok(pdev->align)) {
		dev_info_ratelimited(&pdev->dev,
				     "mode pageless: this kernel cannot map pageless memory with %lu byte entries (no PMD/PUD PFNMAP support); set align 4096 first\n",
				     pdev->align);
		rc = -EOPNOTSUPP;
	}
	if (!rc && pdev->mode != mode)
		rc = pdax_compound_teardown(pdev, false);
	if (!rc && pdev->mode != mode) {
		pdax_dev_unmap_all(pdev);
		pdev->mode = mode;
	}
out:
	mutex_unlock(&pdax_lock);
	return rc;
}

/* Physical address of device offset @off if [off, off+len) is contiguous. */
phys_addr_t pdax_dev_off_to_phys(struct pdax_dev *pdev, u64 off, u64 len)
{
	int lo = 0, hi = pdev->nr_range - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		struct pdax_range *r = &pdev->ranges[mid];

		if (off < r->off) {
			hi = mid - 1;
		} else if (off - r->off >= r->len) {
			lo = mid + 1;
		} else {
			if (len > r->len - (off - r->off))
				return (phys_addr_t)-1;
			return r->start + (off - r->off);
		}
	}
	return (phys_addr_t)-1;
}

bool pdax_dev_phys_to_off(struct pdax_dev *pdev, phys_addr_t phys, u64 *off)
{
	int i;

	for (i = 0; i < pdev->nr_range; i++) {
		struct pdax_range *r = &pdev->ranges[i];

		if (phys >= r->start && phys - r->start < r->len) {
			*off = r->off + (phys - r->start);
			return true;
		}
	}
	return false;
}

static int pdax_open(struct inode *inode, struct file *filp)
{
	struct pdax_dev *pdev = container_of(inode->i_cdev, struct pdax_dev,
					     cdev);
	bool first;
	int rc;

	if (mutex_lock_killable(&pdev->open_lock))
		return -EINTR;
	mutex_lock(&pdax_lock);
	if (pdev->dead || pdev->region->dead) {
		mutex_unlock(&pdax_lock);
		mutex_unlock(&pdev->open_lock);
		return -ENODEV;
	}
	first = pdev->open_count++ == 0;
	mutex_unlock(&pdax_lock);

	rc = __pdax_scrub_before_open(pdev);
	if (rc)
		goto fail;
	/* the pagemap may still exist from an earlier open */
	if (first && pdev->mode == PDAX_MODE_COMPOUND) {
		rc = pdax_compound_activate(pdev);
		if (rc)
			goto fail;
	}
	if (first) {
		rc = pdax_poison_dev_open(pdev);
		if (rc)
			goto fail;
	}
	filp->f_mapping = pdev->inode->i_mapping;
	filp->private_data = pdev;
	mutex_unlock(&pdev->open_lock);
	return 0;

fail:
	mutex_lock(&pdax_lock);
	pdev->open_count--;
	mutex_unlock(&pdax_lock);
	mutex_unlock(&pdev->open_lock);
	return rc;
}

static int pdax_release(struct inode *inode, struct file *filp)
{
	struct pdax_dev *pdev = filp->private_data;

	mutex_lock(&pdev->open_lock);
	/*
	 * The compound pagemap stays: a page of it may still be referenced
	 * (pipe, pinned I/O) after the last close; it goes when the
	 * configuration changes and nothing references it.
	 */
	if (pdev->open_count == 1)
		pdax_poison_dev_close(pdev);
	mutex_lock(&pdax_lock);
	pdev->open_count--;
	mutex_unlock(&pdax_lock);
	mutex_unlock(&pdev->open_lock);
	return 0;
}

const struct file_operations pdax_fops = {
	.owner = THIS_MODULE,
	.open = pdax_open,
	.release = pdax_release,
	.mmap = pdax_mmap,
	.get_unmapped_area = pdax_get_unmapped_area,
	.llseek = noop_llseek,
};
