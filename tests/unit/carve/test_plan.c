// SPDX-License-Identifier: LGPL-2.1-or-later
/* The carve planner on saved memory maps of real and realistic machines. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static struct daxmem_carve_request request(uint64_t size)
{
	return (struct daxmem_carve_request){
		.size = size,
		.align = GiB,
		.keep = 2 * GiB,
		.node = -1,
	};
}

static void expect_piece(const struct daxmem_carve_plan *plan, size_t i, int node, uint64_t start,
			 uint64_t size)
{
	cr_assert_lt(i, plan->nr_pieces, "piece %zu missing", i);
	cr_expect_eq(plan->pieces[i].node, node, "piece %zu node", i);
	cr_expect_eq(plan->pieces[i].start, start, "piece %zu start %#lx", i,
		     (unsigned long)plan->pieces[i].start);
	cr_expect_eq(plan->pieces[i].end, start + size - 1, "piece %zu end", i);
}

/* No piece overlaps anything but top-level System RAM, nor another piece. */
static void check_invariants(const struct daxmem_memmap *map, const struct daxmem_carve_plan *plan,
			     uint64_t align)
{
	size_t i, j;

	for (i = 0; i < plan->nr_pieces; i++) {
		const struct daxmem_carve_piece *p = &plan->pieces[i];
		bool in_ram = false;

		cr_assert_eq(p->start % align, 0);
		cr_assert_eq((p->end + 1) % align, 0);
		for (j = 0; j < map->nr; j++) {
			const struct daxmem_mem_range *r = &map->ranges[j];
			bool overlap = p->start <= r->end && r->start <= p->end;

			if (r->type == DAXMEM_MEM_RAM && !r->depth) {
				if (r->start <= p->start && p->end <= r->end)
					in_ram = true;
				continue;
			}
			cr_assert_not(overlap, "piece %#lx-%#lx overlaps %s",
				      (unsigned long)p->start, (unsigned long)p->end, r->name);
		}
		cr_assert(in_ram, "piece %zu not inside one System RAM entry", i);
		for (j = 0; j < i; j++)
			cr_assert(p->end < plan->pieces[j].start || plan->pieces[j].end < p->start,
				  "pieces %zu and %zu overlap", i, j);
	}
	for (i = 0; i < plan->nr_nodes; i++)
		cr_assert_geq(plan->nodes[i].ram - plan->nodes[i].carved, plan->nodes[i].keep,
			      "node %d below its keep", plan->nodes[i].node);
}

Test(plan, two_node_server_per_node)
{
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_request req = request(64 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("two-node-server.iomem", &map);
	fixture_nodes("two-node-server.nodes", &nodes);
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), 0);
	cr_assert_eq(plan.nr_nodes, 2);
	cr_assert_eq(plan.nr_pieces, 2);
	/* Node 0: the top of its 4..130 GiB range. */
	expect_piece(&plan, 0, 0, 66 * GiB, 64 * GiB);
	/*
	 * Node 1: 130..188 GiB, a Reserved island, 189..255 GiB, a crash
	 * kernel, 256..258 GiB: the highest extent that holds 64 GiB.
	 */
	expect_piece(&plan, 1, 1, 191 * GiB, 64 * GiB);
	cr_assert_eq(plan.nodes[1].ram, 128 * GiB - MiB);
	cr_assert_eq(plan.nodes[1].carved, 64 * GiB);
	cr_assert_eq(plan.nodes[1].free, 126 * GiB);
	cr_assert_eq(plan.total, 128 * GiB);
	cr_assert(plan.kaslr_safe);
	check_invariants(&map, &plan, GiB);
	daxmem_memmap_release(&map);
	daxmem_node_map_release(&nodes);
}

Test(plan, two_node_server_fragmented_node)
{
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_request req = request(125 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("two-node-server.iomem", &map);
	fixture_nodes("two-node-server.nodes", &nodes);
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), 0);
	cr_assert_eq(plan.nr_pieces, 4);
	expect_piece(&plan, 0, 0, 5 * GiB, 125 * GiB);
	/* No single extent of node 1 holds 125 GiB: highest extents first. */
	expect_piece(&plan, 1, 1, 256 * GiB, 2 * GiB);
	expect_piece(&plan, 2, 1, 189 * GiB, 66 * GiB);
	expect_piece(&plan, 3, 1, 131 * GiB, 57 * GiB);
	check_invariants(&map, &plan, GiB);
	daxmem_memmap_release(&map);
	daxmem_node_map_release(&nodes);
}

Test(plan, two_node_server_impossible_says_largest)
{
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_request req = request(126 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("two-node-server.iomem", &map);
	fixture_nodes("two-node-server.nodes", &nodes);
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 125 * GiB);
	cr_assert_eq(plan.failed_node, 0);
	cr_assert_eq(plan.nr_pieces, 0);
	daxmem_memmap_release(&map);
	daxmem_node_map_release(&nodes);
}

Test(plan, two_node_server_one_node_and_total)
{
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_request req = request(8 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("two-node-server.iomem", &map);
	fixture_nodes("two-node-server.nodes", &nodes);
	req.node = 1;
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), 0);
	cr_assert_eq(plan.nr_nodes, 1);
	cr_assert_eq(plan.nr_pieces, 1);
	expect_piece(&plan, 0, 1, 247 * GiB, 8 * GiB);

	req.node = 7;
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), -ENOENT);

	req = request(200 * GiB);
	req.total = true;
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), 0);
	cr_assert_eq(plan.total, 200 * GiB);
	check_invariants(&map, &plan, GiB);
	cr_assert_eq(plan.nodes[0].carved + plan.nodes[1].carved, 200 * GiB);

	req.size = 251 * GiB;
	cr_assert_eq(daxmem_carve_plan(&map, &nodes, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 250 * GiB);
	daxmem_memmap_release(&map);
	daxmem_node_map_release(&nodes);
}

Test(plan, qemu_q35_6g)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(3 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("qemu-q35-6g.iomem", &map);
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	cr_assert_eq(plan.nr_nodes, 1);
	cr_assert_eq(plan.nodes[0].node, 0);
	cr_assert_eq(plan.nodes[0].free, 4 * GiB, "low RAM has no whole GiB");
	expect_piece(&plan, 0, 0, 5 * GiB, 3 * GiB);
	check_invariants(&map, &plan, GiB);

	req.size = 4 * GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 3 * GiB, "keeps 2 GiB of System RAM");

	req.keep = GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 4 * GiB, 4 * GiB);
	cr_assert(plan.kaslr_safe, "start 4 GiB >= size 4 GiB");

	/* 2 MiB alignment reaches into low memory, highest first. */
	req = request(4 * GiB + 512 * MiB);
	req.align = 2 * MiB;
	req.keep = 0;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	cr_assert_eq(plan.nr_pieces, 2);
	expect_piece(&plan, 0, 0, 4 * GiB, 4 * GiB);
	expect_piece(&plan, 1, 0, 0x7fe00000 - 512 * MiB, 512 * MiB);
	check_invariants(&map, &plan, 2 * MiB);
	daxmem_memmap_release(&map);
}

Test(plan, existing_soft_reserved_is_never_replanned)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("qemu-q35-6g-soft-reserved.iomem", &map);
	/* 3 GiB of System RAM left: keeping 2 GiB leaves nothing whole. */
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 0);

	req.keep = 512 * MiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 7 * GiB, GiB);
	check_invariants(&map, &plan, GiB);

	req.size = 2 * GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, GiB);
	daxmem_memmap_release(&map);
}

Test(plan, firmware_map_ignores_the_active_carve)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(3 * GiB);
	struct daxmem_carve_plan plan;
	char dir[512];

	fixture_dir("fwmap-q35", dir, sizeof(dir));
	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_firmware_memmap_read(dir, &map), 0);
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 5 * GiB, 3 * GiB);
	daxmem_memmap_release(&map);
}

Test(plan, acpi_islands_in_high_ram)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(13 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("acpi-islands.iomem", &map);
	/* Extents: 4..34, 35..48, 49..62, 63..66 GiB. */
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 49 * GiB, 13 * GiB);
	check_invariants(&map, &plan, GiB);

	req.size = 20 * GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 14 * GiB, 20 * GiB);
	cr_assert_not(plan.kaslr_safe, "starts below its size");

	req.size = 40 * GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	cr_assert_eq(plan.nr_pieces, 4);
	expect_piece(&plan, 0, 0, 63 * GiB, 3 * GiB);
	expect_piece(&plan, 1, 0, 49 * GiB, 13 * GiB);
	expect_piece(&plan, 2, 0, 35 * GiB, 13 * GiB);
	expect_piece(&plan, 3, 0, 23 * GiB, 11 * GiB);
	cr_assert(plan.kaslr_safe, "every start >= the smallest piece");
	check_invariants(&map, &plan, GiB);

	req.size = 60 * GiB;
	req.keep_percent = 10;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 57 * GiB);
	daxmem_memmap_release(&map);
}

Test(plan, bad_requests)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("small-vm.iomem", &map);
	req.size = 0;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -EINVAL);
	req.size = GiB + 2 * MiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -EINVAL,
		     "size must be a multiple of align");
	req.size = GiB;
	req.align = 3 * MiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -EINVAL);
	req.align = GiB;
	req.keep_percent = 101;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -EINVAL);
	daxmem_memmap_release(&map);
}

Test(plan, small_vm_impossible)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(2 * GiB);
	struct daxmem_carve_plan plan;

	fixture_iomem("small-vm.iomem", &map);
	/* 4 GiB VM: 1 GiB above 4 GiB, 2 GiB kept. */
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, GiB);
	req.size = GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 4 * GiB, GiB);
	daxmem_memmap_release(&map);
}

Test(args, memmap_and_efi_fake_mem)
{
	struct daxmem_carve_piece p = { 0, 5 * GiB, 7 * GiB - 1 };
	char buf[128];

	cr_assert_eq(daxmem_carve_memmap_arg(&p, buf, sizeof(buf)), 34);
	cr_assert_str_eq(buf, "memmap=2G%0x140000000-1+0xefffffff");
	cr_assert_gt(daxmem_carve_efi_fake_mem_arg(&p, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2G@0x140000000:0x40000");
	p.end = p.start + 1536 * MiB - 1;
	daxmem_carve_memmap_arg(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "memmap=1536M%0x140000000-1+0xefffffff");
	cr_assert_eq(daxmem_carve_memmap_arg(&p, buf, 10), -ENOSPC);
}

Test(args, sizes)
{
	char buf[32];

	daxmem_carve_size_arg(4096, buf, sizeof(buf));
	cr_assert_str_eq(buf, "4K");
	daxmem_carve_size_arg(1ULL << 40, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1T");
	daxmem_carve_size_arg(4097, buf, sizeof(buf));
	cr_assert_str_eq(buf, "4097");
}

Test(plan, nested_soft_reserved_of_linux_6_1)
{
	struct daxmem_memmap map;
	struct daxmem_carve_request req = request(GiB);
	struct daxmem_carve_plan plan;

	/* 6.1 nests Soft Reserved under hmem.0, with the dax device inside. */
	fixture_iomem("qemu-q35-6g-hmem-6.1.iomem", &map);
	req.keep = GiB;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), 0);
	expect_piece(&plan, 0, 0, 7 * GiB, GiB);
	check_invariants(&map, &plan, GiB);
	req.size = 3 * GiB;
	req.keep = 0;
	cr_assert_eq(daxmem_carve_plan(&map, NULL, &req, &plan), -ENOSPC);
	cr_assert_eq(plan.largest, 2 * GiB, "only 6..8 GiB is whole System RAM");
	daxmem_memmap_release(&map);
}
