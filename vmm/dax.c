// SPDX-License-Identifier: GPL-2.0
/*
 * Open and map a dax character device (/dev/daxR.N or /dev/pdaxR.N).
 * The only sysfs read is the device's own size and align attributes under
 * /sys/dev/char/MAJ:MIN, which both backends provide.
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

int dax_open(struct dax_dev *d, const char *path)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->path = path;
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
