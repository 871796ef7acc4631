// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/iomem and NUMA node-map parsing, and the carve planner over what
 * they parse. Input: a 16-byte request header, then the iomem text, then
 * (after the first NUL, if any) the node-map text.
 */
#include <errno.h>

#include <daxmem/carve.h>

#include "fuzz.h"

static void check_plan(const struct daxmem_memmap *map, const struct daxmem_carve_plan *plan,
		       uint64_t align)
{
	uint64_t total = 0;
	char buf[128];

	fuzz_assert(plan->nr_pieces <= DAXMEM_CARVE_MAX_PIECES);
	fuzz_assert(plan->nr_nodes <= DAXMEM_CARVE_MAX_NODES);
	for (size_t i = 0; i < plan->nr_pieces; i++) {
		const struct daxmem_carve_piece *p = &plan->pieces[i];
		bool in_ram = false;

		fuzz_assert(p->start <= p->end);
		fuzz_assert(p->start % align == 0 && (p->end - p->start + 1) % align == 0);
		for (size_t j = 0; j < i; j++)
			fuzz_assert(plan->pieces[j].end < p->start ||
				    p->end < plan->pieces[j].start);
		/* a carve lies inside System RAM and overlaps nothing reserved */
		for (size_t j = 0; j < map->nr; j++) {
			const struct daxmem_mem_range *m = &map->ranges[j];

			if (m->type == DAXMEM_MEM_RAM && m->depth == 0 && m->start <= p->start &&
			    p->end <= m->end)
				in_ram = true;
		}
		fuzz_assert(in_ram);
		for (size_t j = 0; j < map->nr; j++) {
			const struct daxmem_mem_range *m = &map->ranges[j];

			if (m->type != DAXMEM_MEM_RAM || m->depth)
				fuzz_assert(m->end < p->start || p->end < m->start);
		}
		total += p->end - p->start + 1;
		fuzz_assert(daxmem_carve_memmap_arg(p, buf, sizeof(buf)) >= 0);
		daxmem_carve_efi_fake_mem_arg(p, buf, sizeof(buf));
	}
	fuzz_assert(total == plan->total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct daxmem_carve_request req = { 0 };
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_plan *plan;
	unsigned int bad, shift;
	char *text, *node_text;
	char buf[4096];
	uint8_t flags;
	int rc;

	flags = (uint8_t)fuzz_take(&in, 1);
	shift = 21 + (unsigned int)fuzz_take(&in, 1) % 10; /* 2 MiB .. 1 GiB */
	req.align = 1ULL << shift;
	req.size = fuzz_take(&in, 2) << shift;
	req.keep = fuzz_take(&in, 4) << 20;
	req.keep_percent = (unsigned int)fuzz_take(&in, 1) % 101;
	req.total = flags & 1;
	req.node = flags & 2 ? (int)(fuzz_take(&in, 1) % 4) : -1;
	fuzz_take(&in, 6);

	text = fuzz_cstr(in.p, in.left);
	if (!text)
		return 0;
	node_text = text + strlen(text) + 1 <= text + in.left ? text + strlen(text) + 1 : NULL;

	daxmem_memmap_init(&map);
	daxmem_node_map_init(&nodes);
	if (daxmem_iomem_parse(text, &map, &bad))
		goto out;
	for (size_t i = 0; i < map.nr; i++)
		fuzz_assert(map.ranges[i].start <= map.ranges[i].end);
	if (node_text && node_text < text + in.left) {
		if (daxmem_node_map_parse(node_text, &nodes, &bad))
			goto out;
		rc = daxmem_node_map_format(&nodes, buf, sizeof(buf));
		fuzz_assert(rc < 0 || (size_t)rc < sizeof(buf));
	}
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		goto out;
	rc = daxmem_carve_plan(&map, &nodes, &req, plan);
	if (!rc)
		check_plan(&map, plan, req.align);
	free(plan);
out:
	daxmem_node_map_release(&nodes);
	daxmem_memmap_release(&map);
	free(text);
	return 0;
}
