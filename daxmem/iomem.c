// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory map parsers for the carve planner: /proc/iomem text,
 * /sys/firmware/memmap directories and NUMA node layouts (the node file
 * format, or sysfs memory blocks).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxmem/carve.h>

static const struct {
	const char *name;
	enum daxmem_mem_type type;
} mem_type_names[] = {
	{ "System RAM", DAXMEM_MEM_RAM },
	{ "Reserved", DAXMEM_MEM_RESERVED },
	{ "reserved", DAXMEM_MEM_RESERVED },
	{ "Unusable memory", DAXMEM_MEM_RESERVED },
	{ "ACPI Tables", DAXMEM_MEM_ACPI },
	{ "ACPI Non-volatile Storage", DAXMEM_MEM_NVS },
	{ "Soft Reserved", DAXMEM_MEM_SOFT_RESERVED },
	{ "Kernel code", DAXMEM_MEM_KERNEL },
	{ "Kernel rodata", DAXMEM_MEM_KERNEL },
	{ "Kernel data", DAXMEM_MEM_KERNEL },
	{ "Kernel bss", DAXMEM_MEM_KERNEL },
	{ "Crash kernel", DAXMEM_MEM_KERNEL },
	{ "Persistent Memory", DAXMEM_MEM_PMEM },
	{ "Persistent Memory (legacy)", DAXMEM_MEM_PMEM },
};

enum daxmem_mem_type daxmem_mem_type_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(mem_type_names) / sizeof(mem_type_names[0]); i++)
		if (!strcmp(name, mem_type_names[i].name))
			return mem_type_names[i].type;
	return DAXMEM_MEM_OTHER;
}

const char *daxmem_mem_type_name(enum daxmem_mem_type type)
{
	switch (type) {
	case DAXMEM_MEM_RAM:
		return "ram";
	case DAXMEM_MEM_RESERVED:
		return "reserved";
	case DAXMEM_MEM_ACPI:
		return "acpi";
	case DAXMEM_MEM_NVS:
		return "acpi-nvs";
	case DAXMEM_MEM_SOFT_RESERVED:
		return "soft-reserved";
	case DAXMEM_MEM_KERNEL:
		return "kernel";
	case DAXMEM_MEM_PMEM:
		return "pmem";
	case DAXMEM_MEM_OTHER:
		break;
	}
	return "other";
}

void daxmem_memmap_init(struct daxmem_memmap *map)
{
	memset(map, 0, sizeof(*map));
}

void daxmem_memmap_release(struct daxmem_memmap *map)
{
	free(map->ranges);
	memset(map, 0, sizeof(*map));
}

int daxmem_memmap_add(struct daxmem_memmap *map, uint64_t start, uint64_t end, unsigned int depth,
		      const char *name)
{
	struct daxmem_mem_range *r;

	if (start > end)
		return -EINVAL;
	if (map->nr == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;

		r = realloc(map->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		map->ranges = r;
		map->cap = cap;
	}
	r = &map->ranges[map->nr++];
	r->start = start;
	r->end = end;
	r->depth = depth;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->type = daxmem_mem_type_from_name(r->name);
	return 0;
}

static int parse_hex(const char *s, const char **endp, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno)
		return -ERANGE;
	*out = v;
	*endp = end;
	return 0;
}

/* "  00100000-09afefff : System RAM" -> depth 1, range, name. */
static int iomem_parse_line(const char *line, size_t len, struct daxmem_memmap *map)
{
	char name[64];
	const char *p = line, *end;
	uint64_t start, last;
	size_t spaces = 0, n;

	while (p < line + len && *p == ' ') {
		p++;
		spaces++;
	}
	if (spaces % 2)
		return -EINVAL;
	if (parse_hex(p, &end, &start) || *end != '-')
		return -EINVAL;
	/* " : " must lie within the line, not in the trailing blanks trimmed off it */
	if (parse_hex(end + 1, &end, &last) || line + len - end < 3 || strncmp(end, " : ", 3))
		return -EINVAL;
	end += 3;
	n = (size_t)(line + len - end);
	if (!n)
		return -EINVAL;
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, end, n);
	name[n] = '\0';
	return daxmem_memmap_add(map, start, last, spaces / 2, name);
}

/*
 * Top-level entries of /proc/iomem never overlap; a file where the last one
 * added does would make the planner carve the same memory twice. Zeroed
 * addresses (read without CAP_SYS_ADMIN) are reported later as -EACCES.
 */
static bool top_level_overlap(const struct daxmem_memmap *map)
{
	const struct daxmem_mem_range *last = &map->ranges[map->nr - 1];
	size_t i;

	if (last->depth || (!last->start && !last->end))
		return false;
	for (i = 0; i + 1 < map->nr; i++) {
		const struct daxmem_mem_range *r = &map->ranges[i];

		if (!r->depth && (r->start || r->end) && r->start <= last->end &&
		    last->start <= r->end)
			return true;
	}
	return false;
}

int daxmem_iomem_parse(const char *text, struct daxmem_memmap *map, unsigned int *bad_line)
{
	const char *line = text;
	unsigned int lineno = 0;
	bool any_address = false, any_ram = false;
	size_t i;
	int rc;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		lineno++;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len) {
			rc = iomem_parse_line(line, len, map);
			if (!rc && top_level_overlap(map))
				rc = -EINVAL;
			if (rc) {
				if (bad_line)
					*bad_line = lineno;
				return rc == -ENOMEM ? rc : -EINVAL;
			}
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	for (i = 0; i < map->nr; i++) {
		if (map->ranges[i].start || map->ranges[i].end)
			any_address = true;
		if (map->ranges[i].type == DAXMEM_MEM_RAM && !map->ranges[i].depth)
			any_ram = true;
	}
	if (map->nr && !any_address)
		return -EACCES;
	if (!any_ram)
		return -ENODATA;
	return 0;
}

/* Read a small sysfs-like file into @buf, stripping the trailing newline. */
static int read_small_file(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int read_hex_file(int dirfd, const char *path, uint64_t *out)
{
	const char *end;
	char buf[64];
	int rc;

	rc = read_small_file(dirfd, path, buf, sizeof(buf));
	if (rc)
		return rc;
	if (!strncmp(buf, "0x", 2) || !strncmp(buf, "0X", 2))
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
	if (parse_hex(buf, &end, out) || *end)
		return -EINVAL;
	return 0;
}

int daxmem_firmware_memmap_read(const char *dir, struct daxmem_memmap *map)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[300], type[64];
		uint64_t start, end;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/start", de->d_name);
		rc = read_hex_file(dirfd(d), path, &start);
		if (rc)
			break;
		snprintf(path, sizeof(path), "%s/end", de->d_name);
		rc = read_hex_file(dirfd(d), path, &end);
		if (rc)
			break;
		snprintf(path, sizeof(path), "%s/type", de->d_name);
		rc = read_small_file(dirfd(d), path, type, sizeof(type));
		if (rc)
			break;
		rc = daxmem_memmap_add(map, start, end, 0, type);
		if (rc)
			break;
	}
	closedir(d);
	if (!rc && !map->nr)
		rc = -ENODATA;
	return rc;
}

bool daxmem_memmap_covers(const struct daxmem_memmap *map, uint64_t start, uint64_t end,
			  enum daxmem_mem_type type, uint64_t *gap)
{
	uint64_t next = start;
	bool moved = true;
	size_t i;

	/* Walk forward from @start through entries that contain the next byte. */
	while (moved) {
		moved = false;
		for (i = 0; i < map->nr; i++) {
			const struct daxmem_mem_range *r = &map->ranges[i];

			if (r->type != type || r->start > next || r->end < next)
				continue;
			if (r->end >= end)
				return true;
			next = r->end + 1;
			moved = true;
		}
	}
	if (gap)
		*gap = next;
	return false;
}

enum daxmem_kvm_memtype daxmem_kvm_memtype(const struct daxmem_memmap *firmware, uint64_t start,
					   uint64_t end, bool intel)
{
	if (!intel || daxmem_memmap_covers(firmware, start, end, DAXMEM_MEM_RAM, NULL))
		return DAXMEM_KVM_MEMTYPE_WB;
	return DAXMEM_KVM_MEMTYPE_UC;
}

const char *daxmem_kvm_memtype_name(enum daxmem_kvm_memtype type)
{
	return type == DAXMEM_KVM_MEMTYPE_UC ? "uc" : "wb";
}

void daxmem_node_map_init(struct daxmem_node_map *nodes)
{
	memset(nodes, 0, sizeof(*nodes));
}

void daxmem_node_map_release(struct daxmem_node_map *nodes)
{
	free(nodes->ranges);
	memset(nodes, 0, sizeof(*nodes));
}

int daxmem_node_map_add(struct daxmem_node_map *nodes, int node, uint64_t start, uint64_t end)
{
	struct daxmem_node_range *r;
	size_t i;

	if (start > end || node < 0 || node >= DAXMEM_CARVE_MAX_NODES)
		return -EINVAL;
	for (i = 0; i < nodes->nr; i++) {
		r = &nodes->ranges[i];
		if (start > r->end || r->start > end)
			continue;
		if (r->node != node)
			return -EEXIST;
	}
	for (i = 0; i < nodes->nr; i++) {
		r = &nodes->ranges[i];
		if (r->node != node)
			continue;
		/* Overlapping or adjacent ranges of one node become one. */
		if ((r->end == UINT64_MAX || start <= r->end + 1) &&
		    (end == UINT64_MAX || r->start <= end + 1)) {
			if (start < r->start)
				r->start = start;
			if (end > r->end)
				r->end = end;
			return 0;
		}
	}
	if (nodes->nr == nodes->cap) {
		size_t cap = nodes->cap ? nodes->cap * 2 : 16;

		r = realloc(nodes->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		nodes->ranges = r;
		nodes->cap = cap;
	}
	r = &nodes->ranges[nodes->nr++];
	r->node = node;
	r->start = start;
	r->end = end;
	return 0;
}

static int node_range_cmp(const void *a, const void *b)
{
	const struct daxmem_node_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Sort by address and join adjacent ranges of the same node. */
static void node_map_normalize(struct daxmem_node_map *nodes)
{
	size_t i, out = 0;

	if (!nodes->nr)
		return;
	qsort(nodes->ranges, nodes->nr, sizeof(*nodes->ranges), node_range_cmp);
	for (i = 1; i < nodes->nr; i++) {
		struct daxmem_node_range *last = &nodes->ranges[out];
		const struct daxmem_node_range *r = &nodes->ranges[i];

		if (r->node == last->node && last->end != UINT64_MAX && last->end + 1 >= r->start) {
			if (r->end > last->end)
				last->end = r->end;
			continue;
		}
		nodes->ranges[++out] = *r;
	}
	nodes->nr = out + 1;
}

static int node_parse_line(const char *p, struct daxmem_node_map *nodes)
{
	uint64_t start, end;
	const char *q;
	char *e;
	long node;

	if (strncmp(p, "node", 4) || !isspace((unsigned char)p[4]))
		return -EINVAL;
	p += 4;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	node = strtol(p, &e, 10);
	if (errno || node >= DAXMEM_CARVE_MAX_NODES || !isspace((unsigned char)*e))
		return -EINVAL;
	p = e;
	while (isspace((unsigned char)*p))
		p++;
	if (!strncmp(p, "0x", 2) || !strncmp(p, "0X", 2))
		p += 2;
	if (parse_hex(p, &q, &start) || *q != '-')
		return -EINVAL;
	p = q + 1;
	if (!strncmp(p, "0x", 2) || !strncmp(p, "0X", 2))
		p += 2;
	if (parse_hex(p, &q, &end))
		return -EINVAL;
	while (isspace((unsigned char)*q))
		q++;
	if (*q)
		return -EINVAL;
	return daxmem_node_map_add(nodes, (int)node, start, end);
}

int daxmem_node_map_parse(const char *text, struct daxmem_node_map *nodes, unsigned int *bad_line)
{
	const char *line = text;
	unsigned int lineno = 0;
	char buf[256];
	int rc;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *p;

		lineno++;
		if (len >= sizeof(buf)) {
			rc = -EINVAL;
			goto bad;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		p = buf;
		while (isspace((unsigned char)*p))
			p++;
		if (*p && *p != '#') {
			rc = node_parse_line(p, nodes);
			if (rc)
				goto bad;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!nodes->nr) {
		rc = -EINVAL;
		goto bad;
	}
	node_map_normalize(nodes);
	return 0;
bad:
	if (bad_line)
		*bad_line = lineno;
	return rc == -ENOMEM ? rc : -EINVAL;
}

int daxmem_node_map_read_sysfs(const char *node_dir, uint64_t block_size,
			       struct daxmem_node_map *nodes)
{
	struct dirent *de, *me;
	DIR *d, *nd;
	int rc = 0;

	if (!block_size)
		return -EINVAL;
	d = opendir(node_dir);
	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		char *e;
		long node;
		int fd;

		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		node = strtol(de->d_name + 4, &e, 10);
		if (*e || node >= DAXMEM_CARVE_MAX_NODES)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		nd = fdopendir(fd);
		if (!nd) {
			rc = -errno;
			close(fd);
			break;
		}
		while ((me = readdir(nd))) {
			unsigned long long block;

			if (strncmp(me->d_name, "memory", 6) ||
			    !isdigit((unsigned char)me->d_name[6]))
				continue;
			block = strtoull(me->d_name + 6, &e, 10);
			if (*e)
				continue;
			rc = daxmem_node_map_add(nodes, (int)node, block * block_size,
						 (block + 1) * block_size - 1);
			if (rc)
				break;
		}
		closedir(nd);
	}
	closedir(d);
	if (!rc && !nodes->nr)
		rc = -ENODATA;
	if (!rc)
		node_map_normalize(nodes);
	return rc;
}

int daxmem_node_map_format(const struct daxmem_node_map *nodes, char *buf, size_t len)
{
	struct daxmem_node_range *sorted;
	size_t i, off = 0;
	int n;

	sorted = malloc((nodes->nr ? nodes->nr : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, nodes->ranges, nodes->nr * sizeof(*sorted));
	qsort(sorted, nodes->nr, sizeof(*sorted), node_range_cmp);
	if (len)
		buf[0] = '\0';
	for (i = 0; i < nodes->nr; i++) {
		n = snprintf(buf + off, len > off ? len - off : 0,
			     "node %d %" PRIx64 "-%" PRIx64 "\n", sorted[i].node, sorted[i].start,
			     sorted[i].end);
		off += (size_t)n;
	}
	free(sorted);
	if (off >= len)
		return -ENOSPC;
	return (int)off;
}
