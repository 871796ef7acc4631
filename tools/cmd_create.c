// SPDX-License-Identifier: GPL-2.0
/* daxmemctl create */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daxmemctl.h"

static const char create_usage[] =
	"usage: daxmemctl create --region ID (--size SIZE | --ranges START-END,...) [options]\n"
	"\n"
	"Create a device in a region and print it as JSON. Without --ranges, daxmem\n"
	"places it: one free extent when one is large enough (the smallest that is),\n"
	"else the fewest ranges. The device is zeroed before it is handed out\n"
	"(device-dax does not clear memory between owners).\n"
	"\n"
	"  -r, --region ID       region to allocate from\n"
	"  -s, --size SIZE       bytes, with K/M/G/T suffixes (binary)\n"
	"  -a, --align ALIGN     4K, 2M or 1G (default: the region's align)\n"
	"      --ranges LIST     exact placement: START-END (END inclusive) or\n"
	"                        START+SIZE, comma separated, in page_offset order\n"
	"  -n, --name NAME       name in the state file (default: the chardev)\n"
	"  -l, --label TEXT      free text kept in the state file\n"
	"  -p, --preserve        from now on the contents are kept: restore\n"
	"                        rebuilds the device over them without zeroing\n"
	"  -b, --backend NAME    devdax or pageless, when both have region ID\n"
	"  -m, --mode MODE       pageless or compound (pageless backend only); pageless\n"
	"                        memory is not for VFIO passthrough (the IOMMU keeps\n"
	"                        access after close): use compound or devdax there\n"
	"  -u, --human           human-readable sizes, hexadecimal addresses\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

enum { OPT_RANGES = 256, OPT_STATE };

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "align", required_argument, NULL, 'a' },
		{ "ranges", required_argument, NULL, OPT_RANGES },
		{ "name", required_argument, NULL, 'n' },
		{ "label", required_argument, NULL, 'l' },
		{ "preserve", no_argument, NULL, 'p' },
		{ "backend", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "human", no_argument, NULL, 'u' },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daxmem_dev_spec spec = { .mode = DAXMEM_MODE_DEFAULT };
	enum daxmem_backend backend = DAXMEM_BACKEND_ANY;
	struct daxmem_range *ranges = NULL;
	struct daxmem_region *region;
	struct daxmem_dev *dev = NULL;
	struct daxmem_ctx *ctx;
	struct json_object *out;
	unsigned int flags = 0;
	long region_id = -1;
	uint64_t v;
	char *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "r:s:a:n:l:pb:m:uh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			region_id = strtol(optarg, &end, 10);
			if (*end || region_id < 0)
				return ctl_error("create: --region %s: want a region id", optarg);
			break;
		case 's':
			if (daxmem_parse_size(optarg, &spec.size) || !spec.size)
				return ctl_error(
					"create: --size %s: want a size such as 512M or 4G",
					optarg);
			break;
		case 'a':
			if (daxmem_parse_size(optarg, &v) ||
			    (v != 4096 && v != (2ULL << 20) && v != (1ULL << 30)))
				return ctl_error("create: --align %s: want 4K, 2M or 1G", optarg);
			spec.align = v;
			break;
		case OPT_RANGES:
			free(ranges);
			ranges = NULL;
			if (daxmem_parse_ranges(optarg, &ranges, &spec.nr_ranges))
				return ctl_error(
					"create: --ranges %s: want START-END[,START-END...] (END inclusive) or START+SIZE, not overlapping",
					optarg);
			spec.ranges = ranges;
			break;
		case 'n':
			if (!*optarg || strchr(optarg, '/'))
				return ctl_error(
					"create: --name \"%s\": want a non-empty name without '/'",
					optarg);
			spec.name = optarg;
			break;
		case 'l':
			spec.label = optarg;
			break;
		case 'p':
			spec.preserve = true;
			break;
		case 'b':
			if (daxmem_backend_from_name(optarg, &backend))
				return ctl_error("create: --backend %s: want devdax or pageless",
						 optarg);
			break;
		case 'm':
			if (daxmem_mode_from_name(optarg, &spec.mode))
				return ctl_error(
					"create: --mode %s: want devdax, pageless or compound",
					optarg);
			break;
		case 'u':
			flags |= CTL_JSON_HUMAN;
			break;
		case OPT_STATE:
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(create_usage, stdout);
			return 0;
		default:
			free(ranges);
			return ctl_error("create: bad option (see daxmemctl create --help)");
		}
	}
	if (optind != argc) {
		free(ranges);
		return ctl_error("create: unexpected argument %s", argv[optind]);
	}
	if (region_id < 0 || (!spec.size && !spec.nr_ranges)) {
		free(ranges);
		return ctl_error("create: --region and --size (or --ranges) are required");
	}
	ctx = ctl_ctx();
	if (!ctx) {
		free(ranges);
		return 1;
	}
	rc = daxmem_region_find(ctx, backend, (int)region_id, &region);
	if (!rc)
		rc = daxmem_dev_create(region, &spec, &dev);
	if (!rc) {
		out = json_object_new_array();
		json_object_array_add(out, ctl_json_dev(dev, flags));
		ctl_json_print(out);
		daxmem_dev_unref(dev);
	}
	free(ranges);
	daxmem_unref(ctx);
	return rc ? 1 : 0;
}
