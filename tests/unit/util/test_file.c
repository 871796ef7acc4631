// SPDX-License-Identifier: LGPL-2.1
/* util/file: whole-file read, atomic write, mkdir -p, each failure one line. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/file.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/daxmem-util.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(file, .init = setup, .fini = teardown);

static size_t entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	size_t n = 0;

	cr_assert_not_null(dp);
	while ((de = readdir(dp)))
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

Test(file, write_then_read)
{
	char path[128], err[256], *buf;
	size_t len;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/f", dir);
	cr_assert_eq(util_write_atomic(path, "hello\n", 6, 0600, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_eq(util_write_atomic(path, "replaced", 8, 0600, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(util_read_file(path, 1 << 20, &buf, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, 8);
	cr_assert_str_eq(buf, "replaced");
	free(buf);
	/* no temporary file is left behind */
	cr_assert_eq(entries(dir), 1);
}

Test(file, read_empty_and_limits)
{
	char path[128], err[256], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/e", dir);
	cr_assert_eq(util_write_atomic(path, "", 0, 0644, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(util_read_file(path, 16, &buf, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(buf, "");
	free(buf);
	cr_assert_eq(util_write_atomic(path, "0123456789abcdef", 16, 0644, err, sizeof(err)), 0);
	/* exactly max is fine, one byte more is not */
	cr_assert_eq(util_read_file(path, 16, &buf, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, 16);
	free(buf);
	cr_assert_eq(util_read_file(path, 15, &buf, &len, err, sizeof(err)), -EFBIG);
	cr_assert_not_null(strstr(err, "is larger than 15 bytes"), "%s", err);
}

/* /proc files say size 0: read to the end anyway */
Test(file, read_proc)
{
	char err[256], *buf;
	size_t len;

	cr_assert_eq(util_read_file("/proc/self/status", 1 << 20, &buf, &len, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_gt(len, 0);
	cr_assert_not_null(strstr(buf, "Name:"));
	cr_assert_eq(strlen(buf), len);
	free(buf);
}

Test(file, read_missing)
{
	char path[128], err[256], *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/none", dir);
	cr_assert_eq(util_read_file(path, 16, &buf, &len, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "open "), "%s", err);
	cr_assert_not_null(strstr(err, "No such file or directory"), "%s", err);
	cr_assert_null(strchr(err, '\n'));
	cr_assert_null(buf);
}

Test(file, write_fails_cleanly)
{
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/f", dir);
	cr_assert_eq(util_write_atomic(path, "x", 1, 0644, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "open "), "%s", err);
	/* renaming over a directory fails after the write: the temporary file goes */
	snprintf(path, sizeof(path), "%s/d", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/d/sub", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/d", dir);
	cr_assert_lt(util_write_atomic(path, "x", 1, 0644, err, sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "rename "), "%s", err);
	cr_assert_eq(entries(dir), 1);
}

Test(file, mkdir_p_and_parents)
{
	char path[160], err[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	cr_assert_eq(util_mkdir_p(path, 0700, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	/* again: what exists is fine */
	cr_assert_eq(util_mkdir_p(path, 0700, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/x/y/state.json", dir);
	cr_assert_eq(util_mkdir_parents(path, 0755, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &sb), -1);
	path[strlen(path) - strlen("/state.json")] = '\0';
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
}

Test(file, mkdir_under_a_file)
{
	char path[160], err[256];

	snprintf(path, sizeof(path), "%s/f", dir);
	cr_assert_eq(util_write_atomic(path, "x", 1, 0644, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/f/sub", dir);
	cr_assert_eq(util_mkdir_p(path, 0700, err, sizeof(err)), -ENOTDIR);
	cr_assert_not_null(strstr(err, "mkdir "), "%s", err);
	cr_assert_not_null(strstr(err, "/f/sub: Not a directory"), "%s", err);
}

/* larger than one read chunk, and grown past it when the size is not known up front */
Test(file, large_and_unsized)
{
	size_t big = 300000, len, i;
	char path[128], err[256], *data = malloc(big), *buf;
	int fds[2];

	cr_assert_not_null(data);
	for (i = 0; i < big; i++)
		data[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/big", dir);
	cr_assert_eq(util_write_atomic(path, data, big, 0644, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(util_read_file(path, big, &buf, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, big);
	cr_assert_eq(memcmp(buf, data, big), 0);
	free(buf);
	cr_assert_eq(util_read_file(path, big - 1, &buf, &len, err, sizeof(err)), -EFBIG);
	/* a pipe reports no size: 100000 bytes through it */
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], data, 60000), 60000);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	if (fork() == 0) {
		close(fds[0]);
		_exit(write(fds[1], data + 60000, 40000) == 40000 ? 0 : 1);
	}
	close(fds[1]);
	cr_assert_eq(util_read_file(path, big, &buf, &len, err, sizeof(err)), 0, "%s", err);
	wait(NULL);
	cr_assert_eq(len, 100000);
	cr_assert_eq(memcmp(buf, data, len), 0);
	free(buf);
	close(fds[0]);
	free(data);
}
