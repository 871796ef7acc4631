// SPDX-License-Identifier: GPL-2.0
/*
 * Open, lock and map a dax character device (/dev/daxR.N or /dev/pdaxR.N).
 * The only sysfs reads are the device's own size, align and mappingN/
 * attributes under /sys/dev/char/MAJ:MIN, which both backends provide.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dax.h"
#include "layout.h"
#include "vmm.h"

static int read_u64_attr(dev_t rdev, const char *name, uint64_t *v)
{
	static const char *const sub[] = { "", "device/" };
	char path[128], buf[64], *end;
	ssize_t n;
	int fd;

	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/%s%s", major(rdev), minor(rdev),
			 sub[i], name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		errno = 0;
		*v = strtoull(buf, &end, 0);
		if (!errno && end != buf)
			return 0;
	}
	return -ENOENT;
}

/* mappingN/{start,end,page_offset}: the physical memory behind the device. */
static void read_ranges(struct dax_dev *d)
{
	char name[64];
	int i;

	for (i = 0; i < DAX_MAX_RANGES; i++) {
		struct dax_range *r = &d->ranges[i];

		snprintf(name, sizeof(name), "mapping%d/start", i);
		if (read_u64_attr(d->rdev, name, &r->start))
			break;
		snprintf(name, sizeof(name), "mapping%d/end", i);
		if (read_u64_attr(d->rdev, name, &r->end))
			break;
		snprintf(name, sizeof(name), "mapping%d/page_offset", i);
		if (read_u64_attr(d->rdev, name, &r->page_offset))
			break;
	}
	d->nr_ranges = i;
}

/* A descriptor from the tinyvmm before a live restart: use it if it is @path. */
static int adopt_inherited(struct dax_dev *d, int fd)
{
	struct stat a, b;

	if (fd < 0)
		return -1;
	if (fstat(fd, &a) || stat(d->path, &b) || !S_ISCHR(a.st_mode) || a.st_rdev != b.st_rdev) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int dax_open(struct dax_dev *d, const char *path, int inherited)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = adopt_inherited(d, inherited);
	d->adopted = d->fd >= 0;
	if (d->fd < 0)
		d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		pr_err("open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(d->fd, &st) < 0) {
		pr_err("fstat %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISCHR(st.st_mode)) {
		pr_err("%s: not a dax character device", path);
		return -ENODEV;
	}
	d->rdev = st.st_rdev;
	if (read_u64_attr(d->rdev, "size", &d->size) || !d->size) {
		pr_err("%s: cannot read the device size from /sys/dev/char/%u:%u/size", path,
		       major(d->rdev), minor(d->rdev));
		return -ENODEV;
	}
	if (read_u64_attr(d->rdev, "align", &d->align) || !d->align)
		d->align = SZ_2M;
	if (d->align & (d->align - 1) || d->align < 0x1000) {
		pr_err("%s: device align %" PRIu64 " is not a power of two", path, d->align);
		return -EINVAL;
	}
	read_ranges(d);
	return 0;
}

int dax_lock(struct dax_dev *d)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	/* Our own lock (inherited across exec) is granted again. */
	if (fcntl(d->fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES) {
		pr_err("lock %s (F_SETLK): %s", d->path, strerror(errno));
		return -errno;
	}
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(d->fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		pr_err("%s is in use by pid %d: one tinyvmm per device, refused", d->path,
		       (int)fl.l_pid);
	else
		pr_err("%s is in use by another tinyvmm: refused", d->path);
	return -EBUSY;
}

int dax_keep_across_exec(struct dax_dev *d, int keep)
{
	if (fcntl(d->fd, F_SETFD, keep ? 0 : FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int dax_check_size(const struct dax_dev *d, uint64_t want, uint64_t *out, const char **why)
{
	uint64_t size = want ? want : d->size;

	if (size > d->size) {
		*why = "--mem is larger than the device";
		return -ENOSPC;
	}
	if (size < MEM_MIN_SIZE) {
		*why = "guest RAM must be at least 32 MiB";
		return -ENOSPC;
	}
	if (size % d->align || size % SZ_2M) {
		*why = "guest RAM size is not a multiple of the device's align (and of 2 MiB)";
		return -EINVAL;
	}
	*out = size;
	return 0;
}

int dax_map(struct dax_dev *d, uint64_t len)
{
	uint64_t align = d->align > SZ_2M ? d->align : SZ_2M;
	uint8_t *res, *p;
	uintptr_t aligned;

	/* Reserve len + align of address space, then map the device at an
	 * aligned address inside it so the host can use 2M/1G page entries. */
	res = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		pr_err("mmap reserve %" PRIu64 " bytes: %s", len + align, strerror(errno));
		return -errno;
	}
	aligned = ((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1);
	p = mmap((void *)aligned, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, d->fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		pr_err("mmap %s (%" PRIu64 " bytes, align %" PRIu64 "): %s", d->path, len, align,
		       strerror(err));
		munmap(res, len + align);
		return -err;
	}
	if (aligned > (uintptr_t)res)
		munmap(res, aligned - (uintptr_t)res);
	if ((uintptr_t)res + len + align > aligned + len)
		munmap((void *)(aligned + len), (uintptr_t)res + len + align - (aligned + len));
	d->map = p;
	d->map_len = len;
	return 0;
}

void dax_close(struct dax_dev *d)
{
	if (d->map)
		munmap(d->map, d->map_len);
	if (d->fd >= 0)
		close(d->fd);
	d->map = NULL;
	d->fd = -1;
}
