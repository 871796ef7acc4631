// SPDX-License-Identifier: GPL-2.0
/* daxmemctl destroy */
#include <getopt.h>
#include <stdio.h>

#include "daxmemctl.h"

static const char destroy_usage[] =
	"usage: daxmemctl destroy NAME... [options]\n"
	"\n"
	"Disable and delete each device (by name or chardev) and remove it from the\n"
	"state file. A recorded device the kernel does not hold is only forgotten.\n"
	"Fails, changing nothing for that device, while it is open or mapped.\n"
	"\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daxmem_ctx *ctx;
	int c, i, done = 0, failed = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(destroy_usage, stdout);
			return 0;
		default:
			return ctl_error("destroy: bad option (see daxmemctl destroy --help)");
		}
	}
	if (optind == argc)
		return ctl_error("destroy: name at least one device");
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	if (daxmem_refresh(ctx)) {
		daxmem_unref(ctx);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		struct daxmem_dev *dev = daxmem_dev_find(ctx, argv[i]);

		if (!dev) {
			ctl_error("destroy: unknown device %s", argv[i]);
			failed++;
			continue;
		}
		if (daxmem_dev_destroy(dev))
			failed++;
		else
			done++;
	}
	if (done)
		fprintf(stderr, "destroyed %d device%s\n", done, done == 1 ? "" : "s");
	daxmem_unref(ctx);
	return failed ? 1 : 0;
}
