// SPDX-License-Identifier: LGPL-2.1
/*
 * The live-update metadata device: a small preserved device at a fixed
 * physical range of the carve. Before a kexec it is created (or reused) and
 * the image is written into it; after the kexec it is rebuilt over the same
 * range without being scrubbed, and the image is read back and validated
 * against the running kernel's carve.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <daxmem/metadata.h>

#include "private.h"
#include "util/file.h"

#define IOMEM_MAX_BYTES (4u << 20)

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* whole file into a NUL-terminated malloc()ed buffer */
static int slurp(struct daxmem_ctx *ctx, const char *path, size_t max, char **out, size_t *outlen)
{
	char why[512];
	size_t len;
	int rc = util_read_file(path, max, out, &len, why, sizeof(why));

	if (rc) {
		err(ctx, "%s", why);
		return rc;
	}
	if (outlen)
		*outlen = len;
	return 0;
}

static int carve_read(struct daxmem_ctx *ctx, struct daxmem_meta *m)
{
	char *text;
	int rc;

	rc = slurp(ctx, "/proc/iomem", IOMEM_MAX_BYTES, &text, NULL);
	if (rc)
		return rc;
	rc = daxmem_meta_carve_from_iomem(text, m);
	free(text);
	if (rc)
		err(ctx, "/proc/iomem: cannot read the Soft Reserved ranges: %s", strerror(-rc));
	return rc;
}

static bool overlaps(const struct daxmem_range *a, uint64_t start, uint64_t end)
{
	return a->start <= end && start <= a->end;
}

static struct daxmem_dev *meta_dev(struct daxmem_ctx *ctx)
{
	struct daxmem_dev *dev = daxmem_dev_find(ctx, DAXMEM_META_DEV_NAME);

	return dev && dev->present ? dev : NULL;
}

static bool dev_at(const struct daxmem_dev *dev, const struct daxmem_range *where)
{
	return dev->nr_ranges == 1 && dev->ranges[0].start == where->start &&
	       dev->ranges[0].end == where->end;
}

static struct daxmem_region *region_holding(struct daxmem_ctx *ctx, const struct daxmem_range *r)
{
	size_t i;

	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];

		if (region->start_known && r->start >= region->start &&
		    r->end <= region->start + region->size - 1)
			return region;
	}
	err(ctx,
	    "metadata range %#llx-%#llx lies in no region (is the carve the same, and the "
	    "module loaded if the range is pageless?)",
	    (unsigned long long)r->start, (unsigned long long)r->end);
	return NULL;
}

/* map the whole device; *size gets its size */
static void *meta_map(struct daxmem_ctx *ctx, struct daxmem_dev *dev, uint64_t *size)
{
	char path[96];
	void *map;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", dev->chardev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err(ctx, "metadata: open %s: %s", path, strerror(errno));
		return NULL;
	}
	map = mmap(NULL, dev->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		err(ctx, "metadata: mmap %s (%llu bytes): %s", path, (unsigned long long)dev->size,
		    strerror(errno));
		map = NULL;
	}
	close(fd);
	*size = dev->size;
	return map;
}

/*
 * The device is RAM: stores through the mapping are in memory once munmap()
 * returns (device-dax has no fsync, so msync() would fail with EINVAL), and
 * a kexec keeps the caches coherent with it.
 */
static int meta_unmap(struct daxmem_ctx *ctx, void *map, uint64_t size)
{
	if (munmap(map, size)) {
		err(ctx, "metadata: munmap: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int daxmem_meta_save(struct daxmem_ctx *ctx, const struct daxmem_range *where,
		     struct daxmem_meta *m)
{
	struct daxmem_dev_spec spec = {
		.name = DAXMEM_META_DEV_NAME,
		.label = "live-update metadata",
		.ranges = where,
		.nr_ranges = 1,
		.preserve = true,
	};
	struct daxmem_region *region;
	struct daxmem_dev *dev;
	size_t state_len, nr = m->nr_records;
	uint64_t size;
	char *state;
	void *map;
	int rc;

	rc = daxmem_scan(ctx);
	if (rc)
		return rc;
	dev = daxmem_dev_find(ctx, DAXMEM_META_DEV_NAME);
	if (dev && (!dev->present || !dev_at(dev, where))) {
		err(ctx, "metadata: device %s is %s, not at %#llx-%#llx", DAXMEM_META_DEV_NAME,
		    dev->present ? "elsewhere" : "recorded but not present",
		    (unsigned long long)where->start, (unsigned long long)where->end);
		return -EEXIST;
	}
	if (!dev) {
		region = region_holding(ctx, where);
		if (!region)
			return -ENXIO;
		rc = daxmem_dev_create(region, &spec, &dev);
		if (rc)
			return rc;
		info(ctx, "metadata: created %s at %#llx-%#llx", dev->chardev,
		     (unsigned long long)where->start, (unsigned long long)where->end);
		daxmem_dev_unref(dev);
	}
	rc = daxmem_save(ctx, NULL);
	if (rc < 0)
		return rc;
	rc = slurp(ctx, ctx->state_path, 64u << 20, &state, &state_len);
	if (rc)
		return rc;
	rc = carve_read(ctx, m);
	if (!rc)
		rc = daxmem_meta_add_record(m, DAXMEM_META_STATE, "state.json", state, state_len);
	if (rc)
		goto out;
	dev = meta_dev(ctx);
	if (!dev) {
		err(ctx, "metadata: device %s vanished", DAXMEM_META_DEV_NAME);
		rc = -ENODEV;
		goto out;
	}
	m->saved_realtime_ns = clock_ns(CLOCK_REALTIME);
	m->saved_boottime_ns = clock_ns(CLOCK_BOOTTIME);
	m->flags = 0;
	m->capacity = dev->size;
	if (daxmem_meta_image_size(m) > dev->size) {
		err(ctx, "metadata: the image needs %llu bytes, %s holds %llu: give a larger range",
		    (unsigned long long)daxmem_meta_image_size(m), dev->chardev,
		    (unsigned long long)dev->size);
		rc = -ENOSPC;
		goto out;
	}
	map = meta_map(ctx, dev, &size);
	if (!map) {
		rc = -EIO;
		goto out;
	}
	m->image_size = daxmem_meta_image_size(m);
	rc = daxmem_meta_encode(m, map, size);
	if (!rc)
		rc = meta_unmap(ctx, map, size);
	else
		munmap(map, size);
	if (!rc)
		info(ctx, "metadata: %llu bytes written to %s", (unsigned long long)m->image_size,
		     dev->chardev);
out:
	m->nr_records = nr;
	free(state);
	return rc;
}

/* empty devices the kernel made by itself (nobody recorded them) over [start, end] */
static int release_boot_devs(struct daxmem_ctx *ctx, uint64_t start, uint64_t end,
			     const struct daxmem_state *keep)
{
	size_t i, j, k;
	int rc;

	for (i = 0; i < ctx->nr_regions; i++) {
		struct daxmem_region *region = ctx->regions[i];

		for (j = 0; j < region->nr_devs; j++) {
			struct daxmem_dev *dev = region->devs[j];
			bool hit = false, wanted = false;

			for (k = 0; k < dev->nr_ranges; k++)
				hit |= overlaps(&dev->ranges[k], start, end);
			if (!dev->present || !hit)
				continue;
			for (k = 0; keep && k < keep->nr_devs; k++)
				wanted |= daxmem_ranges_equal(dev->ranges, dev->nr_ranges,
							      keep->devs[k].ranges,
							      keep->devs[k].nr_ranges);
			if (wanted)
				continue;
			if (dev->recorded) {
				err(ctx,
				    "%#llx-%#llx is held by %s (device %s), not by what was saved",
				    (unsigned long long)start, (unsigned long long)end,
				    dev->chardev, dev->name);
				return -EBUSY;
			}
			rc = daxmem_backend_ops(ctx, region->backend)
				     ->dev_destroy(region, dev->chardev);
			if (rc)
				return rc;
			info(ctx, "emptied %s: the kernel made it at boot over saved memory",
			     dev->chardev);
			rc = daxmem_scan(ctx);
			if (rc)
				return rc;
			/* the scan replaced the lists: start over */
			return release_boot_devs(ctx, start, end, keep);
		}
	}
	return 0;
}

/* under the lock: the metadata device at where, rebuilt without a scrub if needed */
static int meta_reassemble(struct daxmem_ctx *ctx, const struct daxmem_range *where, bool *created)
{
	struct daxmem_range r = { .start = where->start, .end = where->end, .page_offset = 0 };
	struct daxmem_state_dev rec;
	struct daxmem_region *region;
	struct daxmem_dev *dev;
	char chardev[64];
	int rc;

	*created = false;
	dev = meta_dev(ctx);
	if (dev) {
		if (dev_at(dev, where))
			return 0;
		err(ctx, "metadata: %s holds %s at %#llx, not at %#llx", dev->chardev,
		    DAXMEM_META_DEV_NAME, (unsigned long long)dev->ranges[0].start,
		    (unsigned long long)where->start);
		return -EEXIST;
	}
	rc = release_boot_devs(ctx, where->start, where->end, NULL);
	if (rc)
		return rc;
	region = region_holding(ctx, where);
	if (!region)
		return -ENXIO;
	rc = daxmem_ranges_check(region, &r, 1, region->align, "metadata");
	if (rc)
		return rc;
	rec = (struct daxmem_state_dev){
		.name = DAXMEM_META_DEV_NAME,
		.label = "live-update metadata",
		.backend = region->backend,
		.region = region->id,
		.align = region->align,
		.mode = region->backend == DAXMEM_BACKEND_DEVDAX ? DAXMEM_MODE_DEVDAX :
								   DAXMEM_MODE_PAGELESS,
		.preserved = true,
		.ranges = &r,
		.nr_ranges = 1,
	};
	rc = daxmem_dev_build(ctx, region->backend, region->id, &rec, true, chardev,
			      sizeof(chardev));
	if (!rc)
		rc = daxmem_state_store(ctx, ctx->state_path, &ctx->state);
	if (!rc)
		rc = daxmem_scan(ctx);
	if (!rc)
		*created = true;
	return rc;
}

static void meta_forget(struct daxmem_ctx *ctx)
{
	struct daxmem_dev *dev = meta_dev(ctx);
	long i;

	if (!dev ||
	    daxmem_backend_ops(ctx, dev->region->backend)->dev_destroy(dev->region, dev->chardev))
		return;
	i = daxmem_state_find_dev(&ctx->state, DAXMEM_META_DEV_NAME);
	if (i >= 0)
		daxmem_state_remove_dev(&ctx->state, (size_t)i);
	daxmem_state_store(ctx, ctx->state_path, &ctx->state);
}

static int meta_read(struct daxmem_ctx *ctx, const struct daxmem_range *where, bool again,
		     struct daxmem_meta *m, void **image)
{
	struct daxmem_meta now;
	char why[1200];
	uint64_t size, len;
	void *map, *copy;
	int rc;

	map = meta_map(ctx, meta_dev(ctx), &size);
	if (!map)
		return -EIO;
	len = daxmem_meta_image_length(map, size);
	if (!len)
		len = size < DAXMEM_META_HEADER_SIZE ? size : DAXMEM_META_HEADER_SIZE;
	copy = malloc(len ? len : 1);
	if (!copy) {
		munmap(map, size);
		return -ENOMEM;
	}
	memcpy(copy, map, len);
	munmap(map, size);
	rc = daxmem_meta_decode(copy, len, m, why, sizeof(why));
	if (rc) {
		err(ctx, "metadata at %#llx-%#llx: %s", (unsigned long long)where->start,
		    (unsigned long long)where->end, why);
		free(copy);
		return rc;
	}
	daxmem_meta_init(&now);
	rc = carve_read(ctx, &now);
	if (!rc)
		rc = daxmem_meta_carve_compare(m, &now, why, sizeof(why));
	if (rc == -ESTALE)
		err(ctx, "metadata at %#llx: %s; boot with the same memmap= arguments",
		    (unsigned long long)where->start, why);
	if (!rc && (m->flags & DAXMEM_META_RESTORED) && !again) {
		time_t t = (time_t)(m->saved_realtime_ns / 1000000000ULL);
		char when[32] = "?";
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		err(ctx,
		    "metadata at %#llx (saved %s) was restored already; restoring its "
		    "guests twice would run them from stale state",
		    (unsigned long long)where->start, when);
		rc = -EALREADY;
	}
	if (rc) {
		daxmem_meta_release(m);
		free(copy);
		return rc;
	}
	*image = copy;
	return 0;
}

int daxmem_meta_load(struct daxmem_ctx *ctx, const struct daxmem_range *where, bool again,
		     struct daxmem_meta *m, void **image)
{
	bool created;
	int rc;

	daxmem_meta_init(m);
	*image = NULL;
	rc = daxmem_lock_scan(ctx);
	if (rc)
		return rc;
	rc = meta_reassemble(ctx, where, &created);
	if (!rc) {
		rc = meta_read(ctx, where, again, m, image);
		if (rc && created)
			meta_forget(ctx);
	}
	daxmem_state_unlock(ctx);
	daxmem_scan(ctx);
	return rc;
}

static int write_file(struct daxmem_ctx *ctx, const char *path, const void *data, uint64_t len)
{
	uint64_t done = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "open %s: %s", path, strerror(errno));
		return rc;
	}
	while (done < len) {
		n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			err(ctx, "write %s: %s", path, strerror(errno));
			break;
		}
		done += (uint64_t)n;
	}
	if (close(fd) && !rc) {
		rc = -errno;
		err(ctx, "close %s: %s", path, strerror(errno));
	}
	return rc;
}

int daxmem_meta_restore(struct daxmem_ctx *ctx, const struct daxmem_meta *m, const char *doc_path,
			daxmem_restore_fn fn, void *arg)
{
	const struct daxmem_meta_record *rec = daxmem_meta_find(m, DAXMEM_META_STATE, NULL);
	struct daxmem_state doc;
	char why[256];
	size_t i, j;
	int rc;

	if (!rec)
		return -ENOENT;
	rc = daxmem_state_parse(rec->data, rec->len, &doc, why, sizeof(why));
	if (rc) {
		err(ctx, "metadata: the saved state document is invalid: %s", why);
		return rc;
	}
	rc = write_file(ctx, doc_path, rec->data, rec->len);
	if (!rc)
		rc = daxmem_state_lock(ctx);
	if (rc)
		goto out;
	rc = daxmem_scan(ctx);
	for (i = 0; !rc && i < doc.nr_devs; i++)
		for (j = 0; !rc && j < doc.devs[i].nr_ranges; j++)
			rc = release_boot_devs(ctx, doc.devs[i].ranges[j].start,
					       doc.devs[i].ranges[j].end, &doc);
	daxmem_state_unlock(ctx);
	if (!rc)
		rc = daxmem_restore(ctx, doc_path, fn, arg);
out:
	daxmem_state_clear(&doc);
	return rc;
}

int daxmem_meta_mark_restored(struct daxmem_ctx *ctx, const struct daxmem_range *where)
{
	struct daxmem_meta m;
	struct daxmem_dev *dev;
	uint64_t size;
	char why[256];
	uint8_t *map;
	int rc;

	rc = daxmem_scan(ctx);
	if (rc)
		return rc;
	dev = meta_dev(ctx);
	if (!dev || !dev_at(dev, where)) {
		err(ctx, "metadata: no %s at %#llx", DAXMEM_META_DEV_NAME,
		    (unsigned long long)where->start);
		return -ENODEV;
	}
	map = meta_map(ctx, dev, &size);
	if (!map)
		return -EIO;
	rc = daxmem_meta_decode(map, size, &m, why, sizeof(why));
	if (rc) {
		err(ctx, "metadata at %#llx: %s", (unsigned long long)where->start, why);
		munmap(map, size);
		return rc;
	}
	daxmem_meta_release(&m);
	daxmem_meta_set_flags(map, size, DAXMEM_META_RESTORED);
	return meta_unmap(ctx, map, size);
}
