// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage setup-header parsing, boot placement and the zero page: the whole
 * of boot_load() into guest RAM of a fuzzed size, with a fuzzed command
 * line and initrd. Input: { mem selector, cmdline length(2), initrd
 * length(2) } then the cmdline, the initrd, and the image.
 */
#include <errno.h>
#include <sys/mman.h>

#include "boot.h"
#include "fuzz.h"

static const uint64_t mem_sizes[] = { MEM_MIN_SIZE, 64 * SZ_1M, 512 * SZ_1M, 5 * SZ_1G };
static uint8_t *mem_host[4];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int sel = (unsigned int)fuzz_take(&in, 1) % 4;
	size_t cmd_len = (size_t)fuzz_take(&in, 2);
	size_t initrd_len = (size_t)fuzz_take(&in, 2);
	struct guest_mem mem;
	struct boot_plan plan;
	struct boot_params *bp;
	const uint8_t *initrd;
	const char *why = NULL;
	char *cmdline;
	int ret;

	if (!mem_host[sel]) {
		mem_host[sel] = mmap(NULL, mem_sizes[sel], PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		fuzz_assert(mem_host[sel] != MAP_FAILED);
	}
	guest_mem_init(&mem, mem_host[sel], mem_sizes[sel]);
	if (cmd_len > in.left)
		cmd_len = in.left;
	cmdline = fuzz_cstr(in.p, cmd_len);
	if (!cmdline)
		return 0;
	cmd_len = strlen(cmdline);
	in.p += cmd_len;
	in.left -= cmd_len;
	if (initrd_len > in.left)
		initrd_len = in.left;
	initrd = in.p;
	in.p += initrd_len;
	in.left -= initrd_len;

	ret = boot_load(&mem, in.p, in.left, cmdline, initrd, initrd_len, &plan, &why);
	if (ret) {
		fuzz_assert(why && *why);
		free(cmdline);
		return 0;
	}
	/* everything placed lies in low RAM and does not overlap */
	fuzz_assert(plan.kernel_end <= mem.low_size);
	fuzz_assert(plan.cmdline_addr + plan.cmdline_len <= plan.kernel_addr);
	fuzz_assert(!plan.initrd_size || (plan.initrd_addr >= plan.kernel_end &&
					  plan.initrd_addr + plan.initrd_size <= mem.low_size));
	bp = guest_mem_ptr(&mem, plan.boot_params_addr, sizeof(*bp));
	fuzz_assert(bp);
	fuzz_assert(bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE);
	fuzz_assert(bp->hdr.cmd_line_ptr == plan.cmdline_addr);
	fuzz_assert(!strcmp((char *)mem.host + plan.cmdline_addr, cmdline));
	fuzz_assert(bp->hdr.ramdisk_size == initrd_len);
	fuzz_assert(!initrd_len || !memcmp(mem.host + plan.initrd_addr, initrd, initrd_len));
	free(cmdline);
	return 0;
}
