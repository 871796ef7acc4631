// SPDX-License-Identifier: GPL-2.0
/* daxmemctl reconfigure-region: which backend owns a Soft Reserved range */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "daxmemctl.h"

static const char reconfigure_usage[] =
	"usage: daxmemctl reconfigure-region START --backend pageless|devdax [options]\n"
	"\n"
	"Hand the Soft Reserved range that starts at START (hex, as in /proc/iomem)\n"
	"to the pageless module (pdax, loaded with modprobe if needed) or back to\n"
	"device-dax (dax_hmem), and record the choice in the state file: 'restore'\n"
	"hands the range to the same backend again (after a module reload or a\n"
	"reboot) before it rebuilds devices. Refuses, changing nothing, while a\n"
	"device of the range is open or mapped, onlined as System RAM, or recorded\n"
	"in the state file. Prints the region that owns the range afterwards.\n"
	"\n"
	"  -b, --backend NAME    pageless or devdax\n"
	"  -u, --human           sizes for humans\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

int cmd_reconfigure(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "human", no_argument, NULL, 'u' },
		{ "state", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum daxmem_backend backend = DAXMEM_BACKEND_ANY;
	struct daxmem_region *region;
	struct daxmem_ctx *ctx;
	unsigned int flags = 0;
	const char *name = NULL;
	uint64_t start;
	int c, rc;

	while ((c = getopt_long(argc, argv, "b:uh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			name = optarg;
			break;
		case 'u':
			flags |= CTL_JSON_HUMAN;
			break;
		case 'S':
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(reconfigure_usage, stdout);
			return 0;
		default:
			return ctl_error(
				"reconfigure-region: bad option (see daxmemctl reconfigure-region --help)");
		}
	}
	if (optind + 1 != argc)
		return ctl_error("reconfigure-region: name one range by its start (see --help)");
	if (daxmem_parse_size(argv[optind], &start))
		return ctl_error("reconfigure-region: bad start address '%s'", argv[optind]);
	if (!name)
		return ctl_error("reconfigure-region: --backend pageless|devdax is required");
	if (daxmem_backend_from_name(name, &backend) || backend == DAXMEM_BACKEND_ANY)
		return ctl_error("reconfigure-region: unknown backend '%s' (pageless or devdax)",
				 name);
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	rc = daxmem_region_reconfigure(ctx, start, backend, &region);
	if (!rc) {
		ctl_json_print(ctl_json_region(region, flags, false, NULL));
		daxmem_region_unref(region);
	}
	daxmem_unref(ctx);
	return rc ? 1 : 0;
}
