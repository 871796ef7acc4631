// SPDX-License-Identifier: LGPL-2.1
/* Writing one kernel attribute (sysfs), with the error logged: shared by the
 * pageless backend and the reconfiguration of regions. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

int daxmem_sysfs_write(struct daxmem_ctx *ctx, const char *path, const char *val)
{
	ssize_t n;
	int fd, rc;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "open %s: %s", path, strerror(errno));
		return rc;
	}
	n = write(fd, val, strlen(val));
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc)
		err(ctx, "write \"%s\" to %s: %s", val, path, strerror(-rc));
	return rc;
}
