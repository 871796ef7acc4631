// SPDX-License-Identifier: GPL-2.0
/*
 * What daxmemctl reads of the host beyond the dax devices: the firmware's
 * memory map and the CPU vendor, which decide the memory type KVM gives
 * guest RAM without struct page (see daxmem_kvm_memtype()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daxmemctl.h"

#define FIRMWARE_MEMMAP "/sys/firmware/memmap"

/* "vendor_id : GenuineIntel" in /proc/cpuinfo (or $DAXMEM_CPU_VENDOR) */
static bool host_is_intel(void)
{
	const char *env = getenv("DAXMEM_CPU_VENDOR");
	char line[256];
	bool intel = false;
	FILE *f;

	if (env)
		return !strcmp(env, "GenuineIntel");
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "vendor_id", 9)) {
			intel = strstr(line, "GenuineIntel") != NULL;
			break;
		}
	}
	fclose(f);
	return intel;
}

void ctl_host_read(struct ctl_host *host)
{
	const char *dir = getenv("DAXMEM_FIRMWARE_MEMMAP");

	daxmem_memmap_init(&host->firmware);
	host->have_firmware =
		daxmem_firmware_memmap_read(dir ? dir : FIRMWARE_MEMMAP, &host->firmware) == 0;
	host->intel = host_is_intel();
}

void ctl_host_release(struct ctl_host *host)
{
	daxmem_memmap_release(&host->firmware);
}
