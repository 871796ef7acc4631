/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the testbed benchmarks: clocks, sysfs, meminfo. */
#ifndef _BENCH_UTIL_H_
#define _BENCH_UTIL_H_

#include <stddef.h>
#include <stdint.h>

uint64_t bench_now_ns(void);
/* write a string to a sysfs attribute; 0 or -errno (message printed) */
int bench_sysfs_write(const char *path, const char *val);
int bench_sysfs_writef(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* read an attribute without its trailing newline; 0 or -errno */
int bench_sysfs_read(const char *path, char *buf, size_t len);
/* "MemFree" etc. from /proc/meminfo in bytes, -1 if absent */
int64_t bench_meminfo(const char *key);
/* MemFree plus the pages parked on per-CPU free lists, bytes */
int64_t bench_free_bytes(void);
/* a counter from /proc/vmstat, -1 if absent */
int64_t bench_vmstat(const char *key);
/* "4096", "4K", "2M", "1G", "0x1000"; 0 on error */
uint64_t bench_parse_size(const char *s);
/* empty the page cache and slab caches so memory deltas are not noise */
void bench_settle(void);

#endif /* _BENCH_UTIL_H_ */
