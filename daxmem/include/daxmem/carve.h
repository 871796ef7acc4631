/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Carve planner: read a host's physical memory map and NUMA layout, and
 * plan which System RAM to turn into "Soft Reserved" memory at boot with
 * memmap=SIZE%START-1+0xefffffff (or efi_fake_mem=SIZE@START:0x40000).
 *
 * Everything here is pure: parsers take text (or parsed entries) and the
 * planner takes a parsed map, so a saved /proc/iomem plans offline exactly
 * as the live one does. The few readers that touch the filesystem are
 * marked as such and only gather text for the parsers.
 */
#ifndef DAXMEM_CARVE_H
#define DAXMEM_CARVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kind of a memory map entry, from its /proc/iomem or firmware name. */
enum daxmem_mem_type {
	DAXMEM_MEM_RAM, /* "System RAM" */
	DAXMEM_MEM_RESERVED, /* "Reserved", "reserved", "Unusable memory" */
	DAXMEM_MEM_ACPI, /* "ACPI Tables" */
	DAXMEM_MEM_NVS, /* "ACPI Non-volatile Storage" */
	DAXMEM_MEM_SOFT_RESERVED, /* "Soft Reserved" */
	DAXMEM_MEM_KERNEL, /* "Kernel code/rodata/data/bss", "Crash kernel" */
	DAXMEM_MEM_PMEM, /* "Persistent Memory", "Persistent Memory (legacy)" */
	DAXMEM_MEM_OTHER, /* PCI windows, device MMIO, anything else */
};

/*
 * One entry of a memory map. @start and @end are inclusive, as in
 * /proc/iomem. @depth is the nesting level (0 = top level); firmware maps
 * are flat.
 */
struct daxmem_mem_range {
	uint64_t start;
	uint64_t end;
	enum daxmem_mem_type type;
	unsigned int depth;
	char name[64];
};

struct daxmem_memmap {
	struct daxmem_mem_range *ranges;
	size_t nr;
	size_t cap;
};

/* A physical address range that belongs to a NUMA node (inclusive end). */
struct daxmem_node_range {
	int node;
	uint64_t start;
	uint64_t end;
};

struct daxmem_node_map {
	struct daxmem_node_range *ranges;
	size_t nr;
	size_t cap;
};

/* Classify an /proc/iomem or /sys/firmware/memmap type name. */
enum daxmem_mem_type daxmem_mem_type_from_name(const char *name);
const char *daxmem_mem_type_name(enum daxmem_mem_type type);

void daxmem_memmap_init(struct daxmem_memmap *map);
void daxmem_memmap_release(struct daxmem_memmap *map);
/* Append one entry; -EINVAL if start > end, -ENOMEM. */
int daxmem_memmap_add(struct daxmem_memmap *map, uint64_t start, uint64_t end, unsigned int depth,
		      const char *name);

/*
 * Parse the text of /proc/iomem. Returns 0, -EINVAL on a malformed line
 * (*bad_line, if not NULL, gets its 1-based number), -EACCES when every
 * address reads as zero (the file was read without CAP_SYS_ADMIN), or
 * -ENODATA when it holds no System RAM.
 */
int daxmem_iomem_parse(const char *text, struct daxmem_memmap *map, unsigned int *bad_line);

/*
 * Read a /sys/firmware/memmap style directory (entries N/{start,end,type})
 * into @map (depth 0). Filesystem reader; returns negative errno.
 */
int daxmem_firmware_memmap_read(const char *dir, struct daxmem_memmap *map);

/*
 * The memory type KVM gives guest RAM at [start, end] (inclusive) when the
 * host maps it without struct page (pdax, VM_PFNMAP). On Intel (EPT) KVM
 * takes a pfn without struct page for MMIO, and maps it uncached, unless
 * the firmware's e820 table says RAM for it (kvm_is_mmio_pfn()); memmap=
 * and efi_fake_mem edit only the kernel's copy, so carved RAM stays
 * write-back, while memory the firmware itself reports as Soft Reserved
 * (EFI_MEMORY_SP: HBM, CXL) would run uncached. AMD (NPT) takes the host's
 * type and is not affected. @firmware is /sys/firmware/memmap, which shows
 * that firmware table. Pure.
 */
enum daxmem_kvm_memtype {
	DAXMEM_KVM_MEMTYPE_WB, /* write-back, as for any guest RAM */
	DAXMEM_KVM_MEMTYPE_UC, /* uncached: the firmware map does not say RAM */
};

enum daxmem_kvm_memtype daxmem_kvm_memtype(const struct daxmem_memmap *firmware, uint64_t start,
					   uint64_t end, bool intel);
const char *daxmem_kvm_memtype_name(enum daxmem_kvm_memtype type);

/*
 * Whether every byte of [start, end] lies in entries of @type (entries in
 * any order, adjacent or overlapping). On false, *gap (if not NULL) gets
 * the first address that does not.
 */
bool daxmem_memmap_covers(const struct daxmem_memmap *map, uint64_t start, uint64_t end,
			  enum daxmem_mem_type type, uint64_t *gap);

void daxmem_node_map_init(struct daxmem_node_map *nodes);
void daxmem_node_map_release(struct daxmem_node_map *nodes);
/* Append a node range, merging it with an adjacent range of the same node. */
int daxmem_node_map_add(struct daxmem_node_map *nodes, int node, uint64_t start, uint64_t end);

/*
 * Parse the node file format: one "node N START-END" per line, START and
 * END in hex (0x optional) with END inclusive, as /proc/iomem writes them;
 * blank lines and lines starting with '#' are ignored. Returns 0 or
 * -EINVAL (*bad_line set).
 */
int daxmem_node_map_parse(const char *text, struct daxmem_node_map *nodes, unsigned int *bad_line);

/*
 * Build the node map from sysfs: @node_dir is /sys/devices/system/node
 * (nodeN/memoryM links), @block_size is the memory block size (from
 * /sys/devices/system/memory/block_size_bytes). Filesystem reader.
 */
int daxmem_node_map_read_sysfs(const char *node_dir, uint64_t block_size,
			       struct daxmem_node_map *nodes);

/* Write @nodes in the node file format. Returns bytes written or -errno. */
int daxmem_node_map_format(const struct daxmem_node_map *nodes, char *buf, size_t len);

/* What to plan. */
struct daxmem_carve_request {
	uint64_t size; /* per node, or in total with @total */
	uint64_t align; /* start and size alignment, default 1 GiB */
	uint64_t keep; /* System RAM each node keeps, in bytes ... */
	unsigned int keep_percent; /* ... or, when non-zero, in % of the node's RAM */
	bool total; /* @size is the total over all nodes */
	int node; /* only this node (-1: every node with RAM) */
};

/* One contiguous carve: becomes one memmap= argument. */
struct daxmem_carve_piece {
	int node;
	uint64_t start;
	uint64_t end; /* inclusive */
};

struct daxmem_carve_node {
	int node;
	uint64_t ram; /* System RAM of the node now */
	uint64_t carved; /* planned for this node */
	uint64_t keep; /* the minimum it keeps, in bytes */
	uint64_t free; /* carvable now: aligned, outside reserved islands */
};

#define DAXMEM_CARVE_MAX_PIECES 32
#define DAXMEM_CARVE_MAX_NODES 64

struct daxmem_carve_plan {
	struct daxmem_carve_piece pieces[DAXMEM_CARVE_MAX_PIECES];
	size_t nr_pieces;
	struct daxmem_carve_node nodes[DAXMEM_CARVE_MAX_NODES];
	size_t nr_nodes;
	uint64_t total;
	/*
	 * The x86 boot decompressor reads memmap=SIZE%... as a memory limit
	 * of SIZE for KASLR, so the kernel image lands below the smallest
	 * carve size; the plan is safe when every piece starts at or above
	 * that. When false, boot with nokaslr.
	 */
	bool kaslr_safe;
	/* On -ENOSPC: the largest size (per node, or total) that would fit. */
	uint64_t largest;
	int failed_node; /* on -ENOSPC in per-node mode, the node that failed */
};

/*
 * Plan @req on @map (with @nodes, or one node 0 covering everything when
 * @nodes is NULL or empty). Never plans over anything but top-level System
 * RAM, never over a child of it (kernel image, crash kernel, ...), never
 * over another entry that overlaps it, keeps req->keep (or keep_percent)
 * of each node's System RAM, and prefers the highest addresses (so memory
 * above 4 GiB before memory below it). Returns 0, -EINVAL for a bad
 * request, -ENOENT when the requested node has no RAM, -ENOSPC when it
 * does not fit (plan->largest says what would), -E2BIG when it would take
 * more than DAXMEM_CARVE_MAX_PIECES ranges.
 */
int daxmem_carve_plan(const struct daxmem_memmap *map, const struct daxmem_node_map *nodes,
		      const struct daxmem_carve_request *req, struct daxmem_carve_plan *plan);

/*
 * Kernel arguments for one piece: "memmap=2G%0x140000000-1+0xefffffff"
 * and "2G@0x140000000:0x40000" (the efi_fake_mem value, without the
 * "efi_fake_mem=" prefix so several join with commas). Return the length
 * or -ENOSPC.
 */
int daxmem_carve_memmap_arg(const struct daxmem_carve_piece *piece, char *buf, size_t len);
int daxmem_carve_efi_fake_mem_arg(const struct daxmem_carve_piece *piece, char *buf, size_t len);

/*
 * Size with the largest exact kernel memparse suffix: 1073741824 -> "1G",
 * 0x1800000 -> "24M", 4097 -> "4097".
 */
int daxmem_carve_size_arg(uint64_t size, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* DAXMEM_CARVE_H */
