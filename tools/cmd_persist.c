// SPDX-License-Identifier: GPL-2.0
/* daxmemctl save, restore, check */
#include <getopt.h>
#include <stdio.h>

#include "daxmemctl.h"

static const char save_usage[] =
	"usage: daxmemctl save [options]\n"
	"\n"
	"Record every device the kernel holds, with its ranges in page_offset order,\n"
	"into the state file (or FILE). Devices already recorded keep their name,\n"
	"label and preserved flag; devices nobody recorded are recorded under their\n"
	"chardev name. Recorded devices the kernel does not hold stay recorded.\n"
	"\n"
	"  -o, --output FILE     write the document to FILE instead of the state file\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

static const char restore_usage[] =
	"usage: daxmemctl restore [options]\n"
	"\n"
	"Rebuild every device recorded in the state file (or FILE) that the kernel\n"
	"does not hold, with exactly the recorded ranges in the recorded order (same\n"
	"page_offsets), and print all of them as JSON with \"restored\": true for the\n"
	"ones rebuilt. Preserved devices keep their contents; the others are zeroed.\n"
	"Everything is checked first: if any range is no longer free, a region is\n"
	"missing or a name is taken by a device with other ranges, nothing is\n"
	"created and the conflict is named. First, each Soft Reserved range that\n"
	"reconfigure-region recorded goes back to its backend (pdax is loaded if\n"
	"needed), as after a module reload or a reboot.\n"
	"\n"
	"  -i, --input FILE      read the devices from FILE (a state document)\n"
	"  -u, --human           human-readable sizes, hexadecimal addresses\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

static const char check_usage[] =
	"usage: daxmemctl check [options]\n"
	"\n"
	"Compare the state file with what the kernel holds and print one JSON entry\n"
	"per device: status ok, missing (recorded, not held: restore rebuilds it),\n"
	"mismatch (recorded ranges held by another device) or unrecorded (held, not\n"
	"recorded: save records it). Exits 1 when anything is not ok.\n"
	"\n"
	"      --state FILE      state file\n"
	"  -h, --help            this help\n";

enum { OPT_STATE = 256 };

/* the options save, restore and check share; returns -1 after --help */
static int parse(int argc, char **argv, const char *shortopts, const struct option *opts,
		 const char *usage, const char **file, unsigned int *flags)
{
	int c;

	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case 'o':
		case 'i':
			*file = optarg;
			break;
		case 'u':
			*flags |= CTL_JSON_HUMAN;
			break;
		case OPT_STATE:
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return ctl_error("%s: bad option (see daxmemctl %s --help)", argv[0],
					 argv[0]);
		}
	}
	if (optind != argc)
		return ctl_error("%s: unexpected argument %s", argv[0], argv[optind]);
	return 0;
}

int cmd_save(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	unsigned int flags = 0;
	struct daxmem_ctx *ctx;
	int rc;

	rc = parse(argc, argv, "o:h", opts, save_usage, &file, &flags);
	if (rc)
		return rc < 0 ? 0 : rc;
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	rc = daxmem_save(ctx, file);
	if (rc >= 0)
		fprintf(stderr, "saved %d device%s to %s\n", rc, rc == 1 ? "" : "s",
			file ? file : daxmem_get_state_path(ctx));
	daxmem_unref(ctx);
	return rc < 0 ? 1 : 0;
}

static void restored(struct daxmem_dev *dev, bool created, void *arg)
{
	struct json_object *out = arg;
	unsigned int flags = (unsigned int)json_object_get_int(json_object_array_get_idx(out, 0));
	struct json_object *o = ctl_json_dev(dev, flags);

	json_object_object_add(o, "restored", json_object_new_boolean(created));
	json_object_array_add(out, o);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "human", no_argument, NULL, 'u' },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *out, *devs;
	const char *file = NULL;
	unsigned int flags = 0;
	struct daxmem_ctx *ctx;
	size_t i, n;
	int rc;

	rc = parse(argc, argv, "i:uh", opts, restore_usage, &file, &flags);
	if (rc)
		return rc < 0 ? 0 : rc;
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	/* slot 0 carries the flags to the callback and is dropped before printing */
	out = json_object_new_array();
	json_object_array_add(out, json_object_new_int((int)flags));
	rc = daxmem_restore(ctx, file, restored, out);
	if (rc >= 0) {
		devs = json_object_new_array();
		n = json_object_array_length(out);
		for (i = 1; i < n; i++)
			json_object_array_add(devs,
					      json_object_get(json_object_array_get_idx(out, i)));
		ctl_json_print(devs);
		fprintf(stderr, "restored %d device%s\n", rc, rc == 1 ? "" : "s");
	}
	json_object_put(out);
	daxmem_unref(ctx);
	return rc < 0 ? 1 : 0;
}

static const char *const check_names[] = {
	[DAXMEM_CHECK_OK] = "ok",
	[DAXMEM_CHECK_MISSING] = "missing",
	[DAXMEM_CHECK_MISMATCH] = "mismatch",
	[DAXMEM_CHECK_UNRECORDED] = "unrecorded",
};

static void checked(enum daxmem_check_kind kind, const char *name, const char *chardev,
		    const char *detail, void *arg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "chardev", json_object_new_string(chardev));
	json_object_object_add(o, "status", json_object_new_string(check_names[kind]));
	if (detail && *detail)
		json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(arg, o);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	unsigned int flags = 0;
	struct daxmem_ctx *ctx;
	struct json_object *out;
	int rc;

	rc = parse(argc, argv, "h", opts, check_usage, &file, &flags);
	if (rc)
		return rc < 0 ? 0 : rc;
	ctx = ctl_ctx();
	if (!ctx)
		return 1;
	out = json_object_new_array();
	rc = daxmem_check(ctx, checked, out);
	if (rc >= 0)
		ctl_json_print(out);
	else
		json_object_put(out);
	daxmem_unref(ctx);
	if (rc > 0)
		return ctl_error("check: %d device%s not as recorded", rc, rc == 1 ? "" : "s");
	return rc < 0 ? 1 : 0;
}
