// SPDX-License-Identifier: LGPL-2.1-or-later
/* Parsers: /proc/iomem text, firmware memmap directories, node files. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

static const struct daxmem_mem_range *find(const struct daxmem_memmap *map, uint64_t start)
{
	size_t i;

	for (i = 0; i < map->nr; i++)
		if (map->ranges[i].start == start)
			return &map->ranges[i];
	return NULL;
}

Test(iomem, nested_ranges_and_types)
{
	struct daxmem_memmap map;
	const struct daxmem_mem_range *r;

	fixture_iomem("two-node-server.iomem", &map);
	cr_assert_eq(map.nr, 41);

	r = find(&map, 0x100000);
	cr_assert_not_null(r);
	cr_assert_eq(r->end, 0x5a0f0fff);
	cr_assert_eq(r->type, DAXMEM_MEM_RAM);
	cr_assert_eq(r->depth, 0);

	r = find(&map, 0x24000000);
	cr_assert_str_eq(r->name, "Kernel code");
	cr_assert_eq(r->type, DAXMEM_MEM_KERNEL);
	cr_assert_eq(r->depth, 1);

	r = find(&map, 0x4e000000);
	cr_assert_eq(r->type, DAXMEM_MEM_KERNEL, "Crash kernel is kernel memory");
	cr_assert_eq(find(&map, 0x6f4ff000)->type, DAXMEM_MEM_NVS);
	cr_assert_eq(find(&map, 0x6fbff000)->type, DAXMEM_MEM_ACPI);

	r = find(&map, 0x90000000);
	cr_assert_str_eq(r->name, "PCI Bus 0000:00");
	cr_assert_eq(r->type, DAXMEM_MEM_OTHER);
	r = find(&map, 0xfed00000);
	cr_assert_eq(r->depth, 1);
	cr_assert_str_eq(r[1].name, "PNP0103:00", "names with colons survive");
	cr_assert_eq(r[1].depth, 2);

	r = find(&map, 0x2080000000ULL);
	cr_assert_eq(r->end, 0x2effffffffULL, "addresses above 4 GiB");
	r = find(&map, 0x38000000000ULL);
	cr_assert_eq(r->end, 0x38fffffffffULL);
	daxmem_memmap_release(&map);
}

Test(iomem, soft_reserved)
{
	struct daxmem_memmap map;

	fixture_iomem("qemu-q35-6g-soft-reserved.iomem", &map);
	cr_assert_eq(find(&map, 0x100000000ULL)->type, DAXMEM_MEM_SOFT_RESERVED);
	cr_assert_eq(find(&map, 0x140000000ULL)->end, 0x1bfffffffULL);
	cr_assert_eq(find(&map, 0x1c0000000ULL)->type, DAXMEM_MEM_RAM);
	daxmem_memmap_release(&map);
}

Test(iomem, hidden_addresses_need_root)
{
	struct daxmem_memmap map;

	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_iomem_parse("00000000-00000000 : Reserved\n"
					"00000000-00000000 : System RAM\n"
					"  00000000-00000000 : Kernel code\n",
					&map, NULL),
		     -EACCES);
	daxmem_memmap_release(&map);
}

Test(iomem, malformed_lines)
{
	static const char *const bad[] = {
		"00000000-0009ffff System RAM\n", /* no " : " */
		"0000zz00-0009ffff : System RAM\n", /* not hex */
		" 00100000-0009ffff : System RAM\n", /* odd indent */
		"00100000-0009ffff : \n", /* no name */
		"00200000-000fffff : System RAM\n", /* start > end */
		"-00000fff : Reserved\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct daxmem_memmap map;
		unsigned int line = 0;
		char text[256];

		snprintf(text, sizeof(text), "00000000-00000fff : Reserved\n%s", bad[i]);
		daxmem_memmap_init(&map);
		cr_expect_eq(daxmem_iomem_parse(text, &map, &line), -EINVAL, "accepted %s", bad[i]);
		cr_expect_eq(line, 2, "line number for %s", bad[i]);
		daxmem_memmap_release(&map);
	}
}

Test(iomem, no_ram_and_crlf)
{
	struct daxmem_memmap map;

	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_iomem_parse("00000000-00000fff : Reserved\n", &map, NULL), -ENODATA);
	daxmem_memmap_release(&map);

	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_iomem_parse("100000000-13fffffff : System RAM\r\n"
					"\n",
					&map, NULL),
		     0);
	cr_assert_str_eq(map.ranges[0].name, "System RAM");
	daxmem_memmap_release(&map);
}

Test(iomem, kmem_ram_is_not_top_level_ram)
{
	struct daxmem_memmap map;

	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_iomem_parse("100000000-1ffffffff : System RAM\n"
					"200000000-23fffffff : Soft Reserved\n"
					"  200000000-23fffffff : dax0.0\n"
					"    200000000-23fffffff : System RAM (kmem)\n",
					&map, NULL),
		     0);
	cr_assert_eq(map.ranges[3].type, DAXMEM_MEM_OTHER);
	cr_assert_eq(map.ranges[3].depth, 2);
	daxmem_memmap_release(&map);
}

Test(firmware_memmap, reads_directory)
{
	struct daxmem_memmap map;
	char dir[512];
	const struct daxmem_mem_range *r;

	fixture_dir("fwmap-q35", dir, sizeof(dir));
	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_firmware_memmap_read(dir, &map), 0);
	cr_assert_eq(map.nr, 10);
	r = find(&map, 0x100000000ULL);
	cr_assert_not_null(r);
	cr_assert_eq(r->end, 0x1ffffffffULL, "firmware map predates memmap=");
	cr_assert_eq(r->type, DAXMEM_MEM_RAM);
	cr_assert_eq(find(&map, 0xfd00000000ULL)->type, DAXMEM_MEM_RESERVED);
	daxmem_memmap_release(&map);

	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_firmware_memmap_read("/nonexistent/memmap", &map), -ENOENT);
	daxmem_memmap_release(&map);
}

/*
 * What KVM on an Intel host would map uncached: the detection runs on saved
 * firmware maps, since the testbed's AMD CPU and its memmap= carve (the
 * firmware map still says RAM) cannot show the Intel case.
 */
Test(firmware_memmap, kvm_memtype_of_carved_ram_is_wb)
{
	struct daxmem_memmap map;
	char dir[512];

	fixture_dir("fwmap-q35", dir, sizeof(dir));
	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_firmware_memmap_read(dir, &map), 0);
	/* the testbed's memmap=1G%0x140000000 carve: RAM in the firmware map */
	cr_assert_eq(daxmem_kvm_memtype(&map, 0x140000000ULL, 0x17fffffffULL, true),
		     DAXMEM_KVM_MEMTYPE_WB);
	cr_assert_str_eq(daxmem_kvm_memtype_name(DAXMEM_KVM_MEMTYPE_WB), "wb");
	daxmem_memmap_release(&map);
}

Test(firmware_memmap, kvm_memtype_of_firmware_soft_reserved_is_uc_on_intel)
{
	struct daxmem_memmap map;
	uint64_t gap = 0;
	char dir[512];

	fixture_dir("fwmap-hbm", dir, sizeof(dir));
	daxmem_memmap_init(&map);
	cr_assert_eq(daxmem_firmware_memmap_read(dir, &map), 0);
	cr_assert_eq(daxmem_kvm_memtype(&map, 0x200000000ULL, 0x23fffffffULL, true),
		     DAXMEM_KVM_MEMTYPE_UC);
	cr_assert_str_eq(daxmem_kvm_memtype_name(DAXMEM_KVM_MEMTYPE_UC), "uc");
	/* AMD's NPT takes the host's memory type */
	cr_assert_eq(daxmem_kvm_memtype(&map, 0x200000000ULL, 0x23fffffffULL, false),
		     DAXMEM_KVM_MEMTYPE_WB);
	/* two adjacent RAM entries count as one */
	cr_assert_eq(daxmem_kvm_memtype(&map, 0x170000000ULL, 0x18fffffffULL, true),
		     DAXMEM_KVM_MEMTYPE_WB);
	/* one page past the RAM is enough to make the range suspect */
	cr_assert_eq(daxmem_kvm_memtype(&map, 0x1f0000000ULL, 0x200000fffULL, true),
		     DAXMEM_KVM_MEMTYPE_UC);
	cr_assert(!daxmem_memmap_covers(&map, 0x1f0000000ULL, 0x200000fffULL, DAXMEM_MEM_RAM,
					&gap));
	cr_assert_eq(gap, 0x200000000ULL);
	/* a hole (no entry at all) is not RAM either */
	cr_assert(!daxmem_memmap_covers(&map, 0x7ff00000ULL, 0x100000fffULL, DAXMEM_MEM_RAM, &gap));
	cr_assert_eq(gap, 0x7ffe0000ULL);
	cr_assert(daxmem_memmap_covers(&map, 0x200000000ULL, 0x3ffffffffULL,
				       DAXMEM_MEM_SOFT_RESERVED, NULL));
	daxmem_memmap_release(&map);
}

Test(nodes, parse_merge_and_format)
{
	struct daxmem_node_map nodes;
	unsigned int line = 0;
	char buf[256];

	daxmem_node_map_init(&nodes);
	cr_assert_eq(daxmem_node_map_parse("# comment\n"
					   "node 1 0x100000000-0x17fffffff\n"
					   "\n"
					   "node 0 0-7fffffff\n"
					   "  node 1 180000000-1ffffffff  \n",
					   &nodes, &line),
		     0);
	cr_assert_eq(nodes.nr, 2, "adjacent ranges of node 1 merge");
	cr_assert_eq(daxmem_node_map_format(&nodes, buf, sizeof(buf)), 45);
	cr_assert_str_eq(buf, "node 0 0-7fffffff\nnode 1 100000000-1ffffffff\n");
	cr_assert_eq(daxmem_node_map_format(&nodes, buf, 10), -ENOSPC);
	daxmem_node_map_release(&nodes);
}

Test(nodes, rejects_bad_lines)
{
	static const char *const bad[] = {
		"nod 0 0-fff\n",       "node x 0-fff\n",
		"node 0 0-fff junk\n", "node 0 fff-0\n",
		"node 64 0-fff\n",     "node 0 0-fff\nnode 1 800-1fff\n", /* overlap, other node */
		"# nothing\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct daxmem_node_map nodes;

		daxmem_node_map_init(&nodes);
		cr_expect_eq(daxmem_node_map_parse(bad[i], &nodes, NULL), -EINVAL, "accepted %s",
			     bad[i]);
		daxmem_node_map_release(&nodes);
	}
}

Test(nodes, reads_sysfs_memory_blocks)
{
	struct daxmem_node_map nodes;
	char root[] = "/tmp/daxmem-nodes-XXXXXX", path[512];
	static const char *const dirs[] = {
		"node0",	  "node0/memory0",  "node0/memory1",
		"node0/memory3",  "node0/memory2",  "node1",
		"node1/memory40", "node1/memory41", "node1/memory_failure",
		"possible",
	};
	size_t i;

	cr_assert_not_null(mkdtemp(root));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		cr_assert_eq(mkdir(path, 0755), 0, "mkdir %s", path);
	}
	daxmem_node_map_init(&nodes);
	cr_assert_eq(daxmem_node_map_read_sysfs(root, 128 * MiB, &nodes), 0);
	cr_assert_eq(nodes.nr, 2);
	cr_assert_eq(nodes.ranges[0].node, 0);
	cr_assert_eq(nodes.ranges[0].start, 0);
	cr_assert_eq(nodes.ranges[0].end, 512 * MiB - 1);
	cr_assert_eq(nodes.ranges[1].node, 1);
	cr_assert_eq(nodes.ranges[1].start, 40 * 128 * MiB);
	cr_assert_eq(nodes.ranges[1].end, 42 * 128 * MiB - 1);
	daxmem_node_map_release(&nodes);
	for (i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		rmdir(path);
	}
	rmdir(root);
}
