/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * File I/O shared by libdaxmem, daxmemctl and tinyvmm: whole-file read,
 * atomic replacement, directory creation. Nothing here logs: a failure
 * returns -errno and puts one line saying which call failed on which path
 * into err (errlen bytes), for the caller's own logger.
 */
#ifndef _UTIL_FILE_H_
#define _UTIL_FILE_H_

#include <stddef.h>
#include <sys/types.h>

/*
 * The whole of path (read to its end: /proc files report size 0) into a
 * NUL-terminated malloc()ed *buf of *len bytes; -EFBIG past max bytes.
 */
int util_read_file(const char *path, size_t max, char **buf, size_t *len, char *err, size_t errlen);

/*
 * Replace path with data so that readers see the old or the new contents:
 * write "<path>.tmp.<pid>" (created with mode), fsync it, rename it over
 * path, fsync the directory. The temporary file is removed on failure.
 */
int util_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
		      size_t errlen);

/* dir and every missing directory above it, each created with mode */
int util_mkdir_p(const char *dir, mode_t mode, char *err, size_t errlen);

/* every missing directory above path's last component, each created with mode */
int util_mkdir_parents(const char *path, mode_t mode, char *err, size_t errlen);

#endif /* _UTIL_FILE_H_ */
