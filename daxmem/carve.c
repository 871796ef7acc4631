// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Carve planner: choose System RAM to soft-reserve at boot, per NUMA node
 * or in total, away from every reserved, ACPI, kernel or device range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/carve.h>

/* Half-open [start, end) extent; physical addresses never reach 2^64. */
struct extent {
	uint64_t start;
	uint64_t end;
	int node;
};

struct extent_list {
	struct extent *e;
	size_t nr;
	size_t cap;
};

static int extents_push(struct extent_list *l, uint64_t start, uint64_t end, int node)
{
	if (start >= end)
		return 0;
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct extent *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->nr++] = (struct extent){ start, end, node };
	return 0;
}

static uint64_t excl_end(uint64_t inclusive_end)
{
	return inclusive_end == UINT64_MAX ? UINT64_MAX : inclusive_end + 1;
}

static bool is_top_ram(const struct daxmem_mem_range *r)
{
	return r->type == DAXMEM_MEM_RAM && r->depth == 0;
}

/* Remove [start, end) from every extent of @l, splitting where needed. */
static int extents_subtract(struct extent_list *l, uint64_t start, uint64_t end)
{
	size_t i, n = l->nr;
	int rc;

	for (i = 0; i < n; i++) {
		struct extent *x = &l->e[i];
		uint64_t xs = x->start, xe = x->end;

		if (end <= xs || start >= xe)
			continue;
		if (start > xs && end < xe) {
			x->end = start;
			rc = extents_push(l, end, xe, x->node);
			if (rc)
				return rc;
			continue;
		}
		if (start <= xs)
			l->e[i].start = end < xe ? end : xe;
		else
			l->e[i].end = start;
	}
	return 0;
}

static int extent_cmp_desc(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	if (x->start != y->start)
		return x->start > y->start ? -1 : 1;
	return 0;
}

/*
 * Carvable extents: top-level System RAM minus every other entry that
 * overlaps it (its children: kernel image, crash kernel; and any
 * reserved, ACPI, Soft Reserved or device entry listed anywhere).
 */
static int free_extents(const struct daxmem_memmap *map, struct extent_list *out)
{
	size_t i;
	int rc;

	for (i = 0; i < map->nr; i++) {
		const struct daxmem_mem_range *r = &map->ranges[i];

		if (is_top_ram(r)) {
			rc = extents_push(out, r->start, excl_end(r->end), -1);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < map->nr; i++) {
		const struct daxmem_mem_range *r = &map->ranges[i];

		if (is_top_ram(r))
			continue;
		rc = extents_subtract(out, r->start, excl_end(r->end));
		if (rc)
			return rc;
	}
	return 0;
}

/* Intersect @in with the node map into @out, tagging each piece's node. */
static int split_by_node(const struct extent_list *in, const struct daxmem_node_map *nodes,
			 struct extent_list *out)
{
	size_t i, j;
	int rc;

	for (i = 0; i < in->nr; i++) {
		const struct extent *x = &in->e[i];

		if (!nodes || !nodes->nr) {
			rc = extents_push(out, x->start, x->end, 0);
			if (rc)
				return rc;
			continue;
		}
		for (j = 0; j < nodes->nr; j++) {
			const struct daxmem_node_range *n = &nodes->ranges[j];
			uint64_t s = x->start > n->start ? x->start : n->start;
			uint64_t ne = excl_end(n->end);
			uint64_t e = x->end < ne ? x->end : ne;

			rc = extents_push(out, s, e, n->node);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static struct daxmem_carve_node *plan_node(struct daxmem_carve_plan *plan, int node)
{
	size_t i;

	for (i = 0; i < plan->nr_nodes; i++)
		if (plan->nodes[i].node == node)
			return &plan->nodes[i];
	return NULL;
}

static int add_piece(struct daxmem_carve_plan *plan, int node, uint64_t start, uint64_t size)
{
	struct daxmem_carve_piece *p;

	if (plan->nr_pieces == DAXMEM_CARVE_MAX_PIECES)
		return -E2BIG;
	p = &plan->pieces[plan->nr_pieces++];
	p->node = node;
	p->start = start;
	p->end = start + size - 1;
	plan_node(plan, node)->carved += size;
	plan->total += size;
	return 0;
}

static uint64_t node_budget(const struct daxmem_carve_node *n, uint64_t align)
{
	uint64_t b = n->ram > n->keep ? n->ram - n->keep : 0;

	b -= b % align;
	if (b > n->free)
		b = n->free;
	return b;
}

static uint64_t node_left(const struct daxmem_carve_node *n, uint64_t align)
{
	return node_budget(n, align) - n->carved;
}

/*
 * Take @size from the extents (sorted high to low) of @node, or of any
 * node when @node < 0, within each node's budget: the highest extent that
 * holds all of it, else the highest extents in turn.
 */
static int take(struct daxmem_carve_plan *plan, struct extent_list *ext, int node, uint64_t size,
		uint64_t align)
{
	size_t i;
	int rc;

	for (i = 0; i < ext->nr; i++) {
		struct extent *x = &ext->e[i];
		struct daxmem_carve_node *n = plan_node(plan, x->node);

		if ((node >= 0 && x->node != node) || !n)
			continue;
		if (x->end - x->start >= size && node_left(n, align) >= size) {
			x->end -= size;
			return add_piece(plan, x->node, x->end, size);
		}
	}
	for (i = 0; i < ext->nr && size; i++) {
		struct extent *x = &ext->e[i];
		struct daxmem_carve_node *n = plan_node(plan, x->node);
		uint64_t chunk;

		if ((node >= 0 && x->node != node) || !n)
			continue;
		chunk = x->end - x->start;
		if (chunk > size)
			chunk = size;
		if (chunk > node_left(n, align))
			chunk = node_left(n, align);
		if (!chunk)
			continue;
		x->end -= chunk;
		rc = add_piece(plan, x->node, x->end, chunk);
		if (rc)
			return rc;
		size -= chunk;
	}
	return size ? -ENOSPC : 0;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int plan_nodes(const struct daxmem_memmap *map, const struct daxmem_node_map *nodes,
		      const struct daxmem_carve_request *req, const struct extent_list *aligned,
		      struct daxmem_carve_plan *plan)
{
	size_t i, j;

	for (i = 0; i < map->nr; i++) {
		const struct daxmem_mem_range *r = &map->ranges[i];
		uint64_t rs = r->start, re = excl_end(r->end);

		if (!is_top_ram(r))
			continue;
		for (j = 0; j < (nodes && nodes->nr ? nodes->nr : 1); j++) {
			uint64_t ns = 0, ne = UINT64_MAX, s, e;
			struct daxmem_carve_node *n;
			int id = 0;

			if (nodes && nodes->nr) {
				ns = nodes->ranges[j].start;
				ne = excl_end(nodes->ranges[j].end);
				id = nodes->ranges[j].node;
			}
			s = rs > ns ? rs : ns;
			e = re < ne ? re : ne;
			if (s >= e || (req->node >= 0 && id != req->node))
				continue;
			n = plan_node(plan, id);
			if (!n) {
				if (plan->nr_nodes == DAXMEM_CARVE_MAX_NODES)
					return -E2BIG;
				n = &plan->nodes[plan->nr_nodes++];
				n->node = id;
			}
			n->ram += e - s;
		}
	}
	if (!plan->nr_nodes)
		return -ENOENT;
	for (i = 0; i < plan->nr_nodes; i++) {
		struct daxmem_carve_node *n = &plan->nodes[i];

		n->keep = req->keep_percent ?
				  (uint64_t)((unsigned __int128)n->ram * req->keep_percent / 100) :
				  req->keep;
		for (j = 0; j < aligned->nr; j++)
			if (aligned->e[j].node == n->node)
				n->free += aligned->e[j].end - aligned->e[j].start;
	}
	/* Report nodes in id order. */
	for (i = 1; i < plan->nr_nodes; i++)
		for (j = i; j > 0 && plan->nodes[j - 1].node > plan->nodes[j].node; j--) {
			struct daxmem_carve_node t = plan->nodes[j];

			plan->nodes[j] = plan->nodes[j - 1];
			plan->nodes[j - 1] = t;
		}
	return 0;
}

static void check_kaslr(struct daxmem_carve_plan *plan)
{
	uint64_t min_size = UINT64_MAX;
	size_t i;

	for (i = 0; i < plan->nr_pieces; i++) {
		uint64_t sz = plan->pieces[i].end - plan->pieces[i].start + 1;

		if (sz < min_size)
			min_size = sz;
	}
	plan->kaslr_safe = true;
	for (i = 0; i < plan->nr_pieces; i++)
		if (plan->pieces[i].start < min_size)
			plan->kaslr_safe = false;
}

int daxmem_carve_plan(const struct daxmem_memmap *map, const struct daxmem_node_map *nodes,
		      const struct daxmem_carve_request *req, struct daxmem_carve_plan *plan)
{
	struct extent_list free_ram = { 0 }, by_node = { 0 }, aligned = { 0 };
	size_t i;
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->failed_node = -1;
	if (!req->size || !is_pow2(req->align) || req->align < 4096 || req->size % req->align ||
	    req->keep_percent > 100)
		return -EINVAL;

	rc = free_extents(map, &free_ram);
	if (!rc)
		rc = split_by_node(&free_ram, nodes, &by_node);
	for (i = 0; !rc && i < by_node.nr; i++) {
		const struct extent *x = &by_node.e[i];
		uint64_t s = (x->start + req->align - 1) / req->align * req->align;
		uint64_t e = x->end / req->align * req->align;

		if (s < x->start) /* wrapped */
			continue;
		rc = extents_push(&aligned, s, e, x->node);
	}
	if (rc)
		goto out;
	if (aligned.nr)
		qsort(aligned.e, aligned.nr, sizeof(*aligned.e), extent_cmp_desc);

	rc = plan_nodes(map, nodes, req, &aligned, plan);
	if (rc)
		goto out;

	if (req->total) {
		uint64_t avail = 0;

		for (i = 0; i < plan->nr_nodes; i++)
			avail += node_budget(&plan->nodes[i], req->align);
		if (req->size > avail) {
			plan->largest = avail;
			rc = -ENOSPC;
			goto out;
		}
		rc = take(plan, &aligned, -1, req->size, req->align);
		goto out;
	}

	plan->largest = UINT64_MAX;
	for (i = 0; i < plan->nr_nodes; i++) {
		uint64_t avail = node_budget(&plan->nodes[i], req->align);

		if (avail < plan->largest)
			plan->largest = avail;
		if (avail < req->size && plan->failed_node < 0)
			plan->failed_node = plan->nodes[i].node;
	}
	if (plan->failed_node >= 0) {
		rc = -ENOSPC;
		goto out;
	}
	plan->largest = 0;
	for (i = 0; !rc && i < plan->nr_nodes; i++)
		rc = take(plan, &aligned, plan->nodes[i].node, req->size, req->align);
out:
	if (!rc)
		check_kaslr(plan);
	free(free_ram.e);
	free(by_node.e);
	free(aligned.e);
	return rc;
}

int daxmem_carve_size_arg(uint64_t size, char *buf, size_t len)
{
	static const char suffix[] = "KMGTPE";
	int shift = 0, n;

	while (shift < 6 && size && !(size % ((uint64_t)1024 << (10 * shift))))
		shift++;
	if (shift)
		n = snprintf(buf, len, "%" PRIu64 "%c", size >> (10 * shift), suffix[shift - 1]);
	else
		n = snprintf(buf, len, "%" PRIu64, size);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int daxmem_carve_memmap_arg(const struct daxmem_carve_piece *piece, char *buf, size_t len)
{
	char size[32];
	int n;

	if (daxmem_carve_size_arg(piece->end - piece->start + 1, size, sizeof(size)) < 0)
		return -ENOSPC;
	/* Retype E820 RAM (1) to Soft Reserved (0xefffffff). */
	n = snprintf(buf, len, "memmap=%s%%0x%" PRIx64 "-1+0xefffffff", size, piece->start);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int daxmem_carve_efi_fake_mem_arg(const struct daxmem_carve_piece *piece, char *buf, size_t len)
{
	char size[32];
	int n;

	if (daxmem_carve_size_arg(piece->end - piece->start + 1, size, sizeof(size)) < 0)
		return -ENOSPC;
	/* 0x40000 is EFI_MEMORY_SP, the "specific purpose" attribute. */
	n = snprintf(buf, len, "%s@0x%" PRIx64 ":0x40000", size, piece->start);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
