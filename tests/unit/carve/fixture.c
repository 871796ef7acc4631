// SPDX-License-Identifier: LGPL-2.1-or-later
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/*
 * Fixtures live in the source tree: relative to the working directory
 * when run from the top, else relative to the binary (build/bin/).
 */
static void fixture_path(const char *name, char *path, size_t len)
{
	char exe[512], *slash;
	ssize_t n;
	int up;

	snprintf(path, len, FIXTURES "%s", name);
	if (!access(path, F_OK))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (up = 0; up < 5 && (slash = strrchr(exe, '/')); up++) {
		*slash = '\0';
		snprintf(path, len, "%s/" FIXTURES "%s", exe, name);
		if (!access(path, F_OK))
			return;
	}
}

char *fixture_read(const char *name)
{
	char path[512];
	long len;
	char *buf;
	FILE *f;

	fixture_path(name, path, sizeof(path));
	f = fopen(path, "r");
	cr_assert_not_null(f, "fopen %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len, "fread %s", path);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

void fixture_dir(const char *name, char *path, size_t len)
{
	fixture_path(name, path, len);
}

void fixture_iomem(const char *name, struct daxmem_memmap *map)
{
	unsigned int bad = 0;
	char *text = fixture_read(name);
	int rc;

	daxmem_memmap_init(map);
	rc = daxmem_iomem_parse(text, map, &bad);
	free(text);
	cr_assert_eq(rc, 0, "parse %s: %d at line %u", name, rc, bad);
}

void fixture_nodes(const char *name, struct daxmem_node_map *nodes)
{
	unsigned int bad = 0;
	char *text = fixture_read(name);
	int rc;

	daxmem_node_map_init(nodes);
	rc = daxmem_node_map_parse(text, nodes, &bad);
	free(text);
	cr_assert_eq(rc, 0, "parse %s: %d at line %u", name, rc, bad);
}
