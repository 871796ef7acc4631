/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the carve unit tests: load fixtures from disk. */
#ifndef DAXMEM_TEST_CARVE_FIXTURE_H
#define DAXMEM_TEST_CARVE_FIXTURE_H

#include <stddef.h>

#include <daxmem/carve.h>

#define FIXTURES "tests/unit/carve/fixtures/"
#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define KiB (1ULL << 10)

/* Read a whole file (NUL-terminated); aborts the test on failure. */
char *fixture_read(const char *name);
/* Path of a fixture (file or directory). */
void fixture_dir(const char *name, char *path, size_t len);
/* Parse FIXTURES/<name> as /proc/iomem text; aborts the test on failure. */
void fixture_iomem(const char *name, struct daxmem_memmap *map);
/* Parse FIXTURES/<name> as a node file; aborts the test on failure. */
void fixture_nodes(const char *name, struct daxmem_node_map *nodes);

#endif
