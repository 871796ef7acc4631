// SPDX-License-Identifier: GPL-2.0
/*
 * Scrub: zero a device's memory through temporary kernel mappings, one
 * chunk at a time, before its first open (unless preserved) or on request.
 * A chunk's mapping exists only between pdax_kmap_begin() and _end().
 */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "pdax.h"

#define PDAX_SCRUB_CHUNK (8UL << 20)

static const char *const pdax_scrub_names[] = {
	[PDAX_SCRUB_NONE] = "none",
	[PDAX_SCRUB_RUNNING] = "running",
	[PDAX_SCRUB_DONE] = "done",
	[PDAX_SCRUB_SKIPPED] = "skipped",
	[PDAX_SCRUB_FAILED] = "failed",
};

/* Zero [start, start+len) through a temporary mapping. */
static int pdax_scrub_zero(struct device *dev, phys_addr_t start, u64 len)
{
	void *va;

	/* the only kernel mapping of region memory, for one chunk at a time */
	pdax_kmap_begin();
	va = memremap(start, len, MEMREMAP_WB);
	if (!va) {
		pdax_kmap_end();
		dev_err(dev, "scrub: memremap(%#llx, %llu) failed\n",
			(u64)start, len);
		return -ENOMEM;
	}
	memset(va, 0, len);
	memunmap(va);
	pdax_kmap_end();
	return 0;
}

/*
 * Zero [start, start+len) except the pages on the region's poison list:
 * writing a known-bad line from the kernel could raise a machine check in
 * the kernel. Counts the skipped pages in @skipped.
 */
static int pdax_scrub_span(struct device *dev, struct xarray *poison,
			   phys_addr_t start, u64 len, u64 *skipped)
{
	phys_addr_t end = start + len;
	int rc;

	while (start < end) {
		unsigned long pfn = PHYS_PFN(start);
		phys_addr_t stop = end;
		void *bad;

		bad = xa_find(poison, &pfn, PHYS_PFN(end - 1), XA_PRESENT);
		if (bad)
			stop = PFN_PHYS(pfn);
		if (stop > start) {
			rc = pdax_scrub_zero(dev, start, stop - start);
			if (rc)
				return rc;
		}
		if (!bad)
			break;
		(*skipped)++;
		start = stop + PAGE_SIZE;
	}
	return 0;
}

/*
 * Zero every range but its poisoned pages; -EINTR when stopped or killed,
 * -ENOMEM on memremap. DONE counts skipped pages as done.
 */
static int pdax_scrub_ranges(struct pdax_dev *pdev, bool killable)
{
	ktime_t t0 = ktime_get();
	u64 skipped = 0;
	int i, rc = 0;

	for (i = 0; i < pdev->nr_range; i++) {
		struct pdax_range *r = &pdev->ranges[i];
		u64 done;

		for (done = 0; done < r->len && !rc; done += PDAX_SCRUB_CHUNK) {
			u64 n = min_t(u64, PDAX_SCRUB_CHUNK, r->len - done);

			if (READ_ONCE(pdev->scrub_stop) ||
			    (killable && fatal_signal_pending(current))) {
				rc = -EINTR;
				break;
			}
			rc = pdax_scrub_span(&pdev->dev, &pdev->region->poison,
					     r->start + done, n, &skipped);
			if (rc)
				break;
			atomic64_add(n, &pdev->scrub_done);
			WRITE_ONCE(pdev->scrub_us,
				   ktime_us_delta(ktime_get(), t0));
			cond_resched();
		}
		if (rc)
			break;
	}
	if (skipped)
		dev_info(&pdev->dev, "scrub: %llu poisoned page(s) skipped, not written\n",
			 skipped);
	return rc;
}

/*
 * Zero a region that is being released, but its poisoned pages, so that
 * the next owner (dax_hmem and device-dax, or the page allocator) never
 * reads a tenant's data. The region is dead: no device can map it.
 */
int pdax_region_scrub(struct pdax_region *region)
{
	ktime_t t0 = ktime_get();
	u64 done, skipped = 0;
	int rc = 0;

	for (done = 0; done < region->size && !rc; done += PDAX_SCRUB_CHUNK) {
		u64 n = min_t(u64, PDAX_SCRUB_CHUNK, region->size - done);

		rc = pdax_scrub_span(&region->dev, &region->poison,
				     region->start + done, n, &skipped);
		cond_resched();
	}
	if (!rc)
		dev_info(&region->dev, "release: %llu MiB scrubbed in %lld ms, %llu poisoned page(s) skipped\n",
			 region->size >> 20,
			 ktime_ms_delta(ktime_get(), t0), skipped);
	return rc;
}

static void pdax_scrub_finish(struct pdax_dev *pdev, int rc)
{
	u64 us = pdev->scrub_us ? pdev->scrub_us : 1;

	mutex_lock(&pdax_lock);
	pdev->scrub_state = rc ? PDAX_SCRUB_FAILED : PDAX_SCRUB_DONE;
	mutex_unlock(&pdax_lock);
	if (rc)
		dev_info(&pdev->dev, "scrub stopped after %lld of %llu bytes: %d\n",
			 (s64)atomic64_read(&pdev->scrub_done),
			 pdev->scrub_total, rc);
	else
		dev_info(&pdev->dev, "scrubbed %llu bytes in %llu us (%llu MiB/s)\n",
			 pdev->scrub_total, us,
			 (pdev->scrub_total >> 20) * 1000000 / us);
	wake_up_all(&pdev->scrub_wq);
}

/* Caller holds pdax_lock and saw a state other than running. */
static void __pdax_scrub_begin(struct pdax_dev *pdev)
{
	pdev->scrub_state = PDAX_SCRUB_RUNNING;
	pdev->scrub_stop = false;
	pdev->scrub_total = pdev->size;
	pdev->scrub_us = 0;
	atomic64_set(&pdev->scrub_done, 0);
}

static void pdax_scrub_work(struct work_struct *work)
{
	struct pdax_dev *pdev = container_of(work, struct pdax_dev, scrub_work);

	pdax_scrub_finish(pdev, pdax_scrub_ranges(pdev, false));
	put_device(&pdev->dev);
}

void pdax_scrub_init(struct pdax_dev *pdev)
{
	pdev->scrub_state = PDAX_SCRUB_NONE;
	atomic64_set(&pdev->scrub_done, 0);
	init_waitqueue_head(&pdev->scrub_wq);
	INIT_WORK(&pdev->scrub_work, pdax_scrub_work);
}

/* The ranges changed (pdax_lock held, idle): the memory needs a scrub. */
void pdax_scrub_reset(struct pdax_dev *pdev)
{
	lockdep_assert_held(&pdax_lock);
	pdev->scrub_state = PDAX_SCRUB_NONE;
	pdev->scrub_total = pdev->size;
	pdev->scrub_us = 0;
	atomic64_set(&pdev->scrub_done, 0);
}

/* sysfs "scrub" write: scrub in the background. */
int pdax_scrub_start(struct pdax_dev *pdev)
{
	int rc;

	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (!rc) {
		__pdax_scrub_begin(pdev);
		get_device(&pdev->dev);
		queue_work(system_unbound_wq, &pdev->scrub_work);
	}
	mutex_unlock(&pdax_lock);
	return rc;
}

/*
 * Called by open with open_count already raised (so the configuration is
 * fixed): wait for a running scrub, or scrub now if the memory was never
 * scrubbed and is not preserved.
 */
int __pdax_scrub_before_open(struct pdax_dev *pdev)
{
	bool run = false;
	int rc;

	if (wait_event_killable(pdev->scrub_wq,
				READ_ONCE(pdev->scrub_state) !=
					PDAX_SCRUB_RUNNING))
		return -EINTR;
	mutex_lock(&pdax_lock);
	if (pdev->scrub_state == PDAX_SCRUB_NONE ||
	    pdev->scrub_state == PDAX_SCRUB_FAILED) {
		if (pdev->preserved) {
			pdev->scrub_state = PDAX_SCRUB_SKIPPED;
		} else {
			__pdax_scrub_begin(pdev);
			run = true;
		}
	}
	mutex_unlock(&pdax_lock);
	if (!run)
		return 0;
	rc = pdax_scrub_ranges(pdev, true);
	pdax_scrub_finish(pdev, rc);
	return rc;
}

/*
 * Stop a background scrub and wait until its work function has returned
 * (the device or the module is going away). The caller holds a reference.
 */
void pdax_scrub_cancel(struct pdax_dev *pdev)
{
	WRITE_ONCE(pdev->scrub_stop, true);
	flush_work(&pdev->scrub_work);
}

ssize_t pdax_scrub_show(struct pdax_dev *pdev, char *buf)
{
	enum pdax_scrub_state st;
	u64 total, us;

	mutex_lock(&pdax_lock);
	st = pdev->scrub_state;
	total = pdev->scrub_total;
	us = READ_ONCE(pdev->scrub_us);
	mutex_unlock(&pdax_lock);
	return sysfs_emit(buf, "%s %lld %llu %llu\n", pdax_scrub_names[st],
			  (s64)atomic64_read(&pdev->scrub_done), total, us);
}
