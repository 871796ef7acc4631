// SPDX-License-Identifier: GPL-2.0
/* daxmemctl list */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daxmemctl.h"

static const char list_usage[] =
	"usage: daxmemctl list [options]\n"
	"\n"
	"List devices (default) or regions with their devices (-R), as JSON.\n"
	"Devices recorded in the state file but not held by the kernel are listed\n"
	"with \"present\": false.\n"
	"\n"
	"  -R, --regions         list regions, each with its devices and the memory\n"
	"                        type KVM gives their memory (kvm_memtype: wb, or uc\n"
	"                        where the firmware map does not say RAM on Intel)\n"
	"  -r, --region ID       only this region\n"
	"  -b, --backend NAME    only this backend (devdax, pageless)\n"
	"  -d, --device NAME     only this device (name or chardev)\n"
	"  -u, --human           human-readable sizes, hexadecimal addresses\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "regions", no_argument, NULL, 'R' },
		{ "region", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "device", required_argument, NULL, 'd' },
		{ "human", no_argument, NULL, 'u' },
		{ "state", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum daxmem_backend backend = DAXMEM_BACKEND_ANY;
	const char *device = NULL;
	bool regions = false, found = false;
	unsigned int flags = 0;
	struct daxmem_region *region;
	struct ctl_host host;
	struct daxmem_dev *dev;
	struct daxmem_ctx *ctx;
	struct json_object *out;
	long region_id = -1;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "Rr:b:d:uh", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			regions = true;
			break;
		case 'r':
			region_id = strtol(optarg, &end, 10);
			if (*end || region_id < 0)
				return ctl_error("list: --region %s: want a region id", optarg);
			break;
		case 'b':
			if (daxmem_backend_from_name(optarg, &backend))
				return ctl_error("list: --backend %s: want devdax or pageless",
						 optarg);
			break;
		case 'd':
			device = optarg;
			break;
		case 'u':
			flags |= CTL_JSON_HUMAN;
			break;
		case 'S':
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(list_usage, stdout);
			return 0;
		default:
			return ctl_error("list: bad option (see daxmemctl list --help)");
		}
	}
	if (optind != argc)
		return ctl_error("list: unexpected argument %s", argv[optind]);
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	rc = daxmem_refresh(ctx);
	if (rc) {
		daxmem_unref(ctx);
		return 1;
	}
	if (regions)
		ctl_host_read(&host);
	out = json_object_new_array();
	daxmem_region_foreach(ctx, region) {
		if (region_id >= 0 && daxmem_region_get_id(region) != region_id)
			continue;
		if (backend != DAXMEM_BACKEND_ANY && daxmem_region_get_backend(region) != backend)
			continue;
		found = true;
		if (regions && !device) {
			json_object_array_add(out, ctl_json_region(region, flags, true, &host));
			continue;
		}
		daxmem_dev_foreach(region, dev) {
			if (device && strcmp(device, daxmem_dev_get_name(dev)) &&
			    strcmp(device, daxmem_dev_get_chardev(dev)))
				continue;
			json_object_array_add(out, ctl_json_dev(dev, flags));
		}
	}
	if (regions)
		ctl_host_release(&host);
	daxmem_unref(ctx);
	if (region_id >= 0 && !found) {
		json_object_put(out);
		return ctl_error("list: unknown region %ld", region_id);
	}
	if (device && json_object_array_length(out) == 0) {
		json_object_put(out);
		return ctl_error("list: unknown device %s", device);
	}
	ctl_json_print(out);
	return 0;
}
