// SPDX-License-Identifier: GPL-2.0
/* daxmemctl: global options and the command table. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daxmemctl.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "list", cmd_list, "list regions and devices" },
	{ "create", cmd_create, "create a device from a region's free space or exact ranges" },
	{ "destroy", cmd_destroy, "destroy devices and forget them" },
	{ "save", cmd_save, "record every device the kernel holds" },
	{ "restore", cmd_restore, "rebuild recorded devices with their exact ranges" },
	{ "reconfigure-region", cmd_reconfigure,
	  "hand a Soft Reserved range to pdax (pageless) or dax_hmem (devdax)" },
	{ "check", cmd_check, "reconcile the state file with the kernel" },
	{ "carve", cmd_carve, "plan the boot-time carve of memory per NUMA node" },
	{ "savings", cmd_savings, "struct page / vmemmap cost per mode" },
	{ "liveupdate", cmd_liveupdate, "carry devices and VMM state across a host kexec" },
};

static const char *opt_state;
static int opt_verbose;
static long opt_lock_timeout = -1;

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: daxmemctl [--state FILE] [--lock-timeout MS] [-v] COMMAND [ARGS]\n"
	      "       daxmemctl COMMAND --help\n"
	      "       daxmemctl --version\n\n"
	      "  --state FILE        state file (default $" DAXMEM_STATE_ENV
	      ", else " DAXMEM_STATE_PATH_DEFAULT ")\n"
	      "  --lock-timeout MS   wait at most MS for the state lock (default 10000)\n"
	      "  -v, --verbose       log what the library does\n\ncommands:\n",
	      f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
}

int ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("daxmemctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static void ctl_log(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args)
{
	fputs("daxmemctl: ", stderr);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

void ctl_set_state(const char *path)
{
	opt_state = path;
}

struct daxmem_ctx *ctl_ctx(void)
{
	struct daxmem_ctx *ctx;
	int rc;

	rc = daxmem_new(&ctx);
	if (rc) {
		ctl_error("daxmem_new: %s", strerror(-rc));
		return NULL;
	}
	daxmem_set_log_fn(ctx, ctl_log);
	daxmem_set_log_priority(ctx, opt_verbose > 1 ? LOG_DEBUG :
				     opt_verbose     ? LOG_INFO :
						       LOG_ERR);
	if (opt_lock_timeout >= 0)
		daxmem_set_lock_timeout(ctx, (unsigned int)opt_lock_timeout);
	if (opt_state && daxmem_set_state_path(ctx, opt_state)) {
		ctl_error("--state %s: invalid path", opt_state);
		daxmem_unref(ctx);
		return NULL;
	}
	return ctx;
}

int main(int argc, char **argv)
{
	int i = 1;
	size_t c;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("daxmemctl %s\n", DAXMEM_VERSION);
			return 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			opt_verbose++;
		} else if (!strcmp(a, "--state") && i + 1 < argc) {
			opt_state = argv[++i];
		} else if (!strncmp(a, "--state=", 8)) {
			opt_state = a + 8;
		} else if (!strcmp(a, "--lock-timeout") && i + 1 < argc) {
			char *end;

			opt_lock_timeout = strtol(argv[++i], &end, 10);
			if (*end || opt_lock_timeout < 0)
				return ctl_error("--lock-timeout %s: want milliseconds", argv[i]);
		} else {
			return ctl_error("unknown option %s (see daxmemctl --help)", a);
		}
	}
	if (i == argc) {
		usage(stderr);
		return 1;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i) ? 1 : 0;
	return ctl_error("unknown command %s (see daxmemctl --help)", argv[i]);
}
