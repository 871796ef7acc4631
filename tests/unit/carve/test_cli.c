// SPDX-License-Identifier: LGPL-2.1-or-later
/* daxmemctl carve and savings, run in-process on the fixtures. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

int cmd_carve(int argc, char **argv);
int cmd_savings(int argc, char **argv);

struct run {
	int rc;
	char out[16384];
	char err[1024];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run a command with stdout and stderr captured; argv is NULL-terminated. */
static struct run *run(int (*cmd)(int, char **), char **argv)
{
	static struct run r;
	FILE *out = tmpfile(), *err = tmpfile();
	int argc = 0, saved_out, saved_err;

	cr_assert(out && err);
	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r.rc = cmd(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(out, r.out, sizeof(r.out));
	slurp(err, r.err, sizeof(r.err));
	return &r;
}

static char *fixture_arg(const char *name)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];

	fixture_dir(name, p, 512);
	return p;
}

Test(cli, carve_json_per_node)
{
	char *argv[] = { "carve",   "64G",
			 "--from",  fixture_arg("two-node-server.iomem"),
			 "--nodes", fixture_arg("two-node-server.nodes"),
			 NULL };
	struct run *r = run(cmd_carve, argv);

	cr_assert_eq(r->rc, 0, "stderr: %s", r->err);
	cr_assert_str_empty(r->err);
	cr_assert_not_null(strstr(r->out, "\"memmap\":\"memmap=64G%0x1080000000-1+0xefffffff\""),
			   "%s", r->out);
	cr_assert_not_null(strstr(r->out, "\"efi_fake_mem\":\"64G@0x2fc0000000:0x40000\""));
	cr_assert_not_null(strstr(r->out, "\"cmdline\":\"memmap=64G%0x1080000000-1+0xefffffff "
					  "memmap=64G%0x2fc0000000-1+0xefffffff\""));
	cr_assert_not_null(strstr(r->out, "\"kaslr_safe\":true"));
}

Test(cli, carve_human_and_nokaslr)
{
	char *argv[] = { "carve", "20G", "-u", "--from", fixture_arg("acpi-islands.iomem"), NULL };
	struct run *r = run(cmd_carve, argv);

	cr_assert_eq(r->rc, 0, "stderr: %s", r->err);
	cr_assert_not_null(strstr(r->out, "memmap=20G%0x380000000-1+0xefffffff nokaslr"), "%s",
			   r->out);
	cr_assert_not_null(strstr(r->out, "efi_fake_mem=20G@0x380000000:0x40000"));
}

Test(cli, carve_impossible_names_the_largest_fit)
{
	char *argv[] = { "carve",   "126G",
			 "--from",  fixture_arg("two-node-server.iomem"),
			 "--nodes", fixture_arg("two-node-server.nodes"),
			 NULL };
	struct run *r = run(cmd_carve, argv);

	cr_assert_eq(r->rc, 1);
	cr_assert_str_empty(r->out);
	cr_assert_str_eq(r->err, "daxmemctl carve: 126.00 GiB per node does not fit: node 0 can "
				 "give at most 125.00 GiB (1.00 GiB aligned, keeping 2.00 GiB of "
				 "System RAM)\n");
}

Test(cli, carve_bad_input_is_one_line)
{
	char *iomem = fixture_arg("small-vm.iomem");
	char *cases[][8] = {
		{ "carve", NULL },
		{ "carve", "1X", "--from", iomem, NULL },
		{ "carve", "3G", "--align", "2G", "--from", iomem, NULL },
		{ "carve", "1G", "--align", "3M", "--from", iomem, NULL },
		{ "carve", "1G", "--keep", "101%", "--from", iomem, NULL },
		{ "carve", "1G", "--node", "x", "--from", iomem, NULL },
		{ "carve", "1G", "--node", "3", "--from", iomem, NULL },
		{ "carve", "1G", "--bogus", NULL },
		{ "carve", "1G", "--from", "/nonexistent/iomem", NULL },
		{ "carve", "1G", "--from", iomem, "--nodes", iomem, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run *r = run(cmd_carve, cases[i]);
		char *nl = strchr(r->err, '\n');

		cr_expect_eq(r->rc, 1, "case %zu exit %d", i, r->rc);
		cr_expect(nl && !nl[1], "case %zu: not one line: %s", i, r->err);
		cr_expect(!strncmp(r->err, "daxmemctl carve: ", 17), "case %zu: %s", i, r->err);
	}
}

Test(cli, carve_help)
{
	char *argv[] = { "carve", "--help", NULL };
	struct run *r = run(cmd_carve, argv);

	cr_assert_eq(r->rc, 0);
	cr_assert_not_null(strstr(r->out, "usage: daxmemctl carve SIZE"));
}

Test(cli, savings_json_and_errors)
{
	char *ok[] = { "savings", "1T", "--backend", "devdax", "--align", "4K", NULL };
	char *none[] = { "savings", "--backend", "devdax", "--mode", "pageless", NULL };
	char *odd[] = { "savings", "3M", "--align", "2M", NULL };
	struct run *r = run(cmd_savings, ok);

	cr_assert_eq(r->rc, 0, "stderr: %s", r->err);
	cr_assert_not_null(strstr(r->out, "\"struct_page_bytes\":17179869184"), "%s", r->out);
	cr_assert_not_null(strstr(r->out, "\"measured\":null"));
	cr_assert_not_null(strstr(r->out, "\"host_size\":70368744177664"));
	r = run(cmd_savings, none);
	cr_assert_eq(r->rc, 1);
	cr_assert_not_null(strstr(r->err, "no such combination"));
	r = run(cmd_savings, odd);
	cr_assert_eq(r->rc, 1);
}

Test(cli, savings_option_errors)
{
	char *reps0[] = { "savings", "--measure", "--reps", "0", NULL };
	char *reps10[] = { "savings", "--measure", "--reps", "10", NULL };
	char *region[] = { "savings", "--region", "0", NULL };
	char *region_bad[] = { "savings", "--measure", "--region", "-1", NULL };
	char *twice[] = { "savings", "1G", "--size", "2G", NULL };
	char *size_bad[] = { "savings", "--measure", "--size", "12345", NULL };
	char *settle_bad[] = { "savings", "--measure", "--settle", "soon", NULL };
	char *align_odd[] = { "savings", "--measure", "--size", "512M", "--align", "1G", NULL };
	char **bad[] = { reps0, reps10, region, region_bad, twice, size_bad, settle_bad, align_odd };
	const char *want[] = { "--reps 0: want a number from 1 to 9",
			       "--reps 10: want a number from 1 to 9",
			       "--region 0: only with --measure",
			       "--region -1: want a number",
			       "SIZE given twice",
			       "--size 12345: want a multiple of 4K",
			       "--settle soon: want a number",
			       "not a multiple of the selected alignment" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run *r = run(cmd_savings, bad[i]);

		cr_assert_eq(r->rc, 1, "%s", want[i]);
		cr_assert_not_null(strstr(r->err, want[i]), "want '%s', got: %s", want[i], r->err);
		cr_assert_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1, "one line: %s",
			     r->err);
		cr_assert_str_empty(r->out);
	}
}

Test(cli, savings_size_option_is_the_argument)
{
	char *arg[] = { "savings", "2G", "--backend", "devdax", "--align", "2M", NULL };
	char *opt[] = { "savings", "--size", "2G", "--backend", "devdax", "--align", "2M", NULL };
	char first[16384];

	strcpy(first, run(cmd_savings, arg)->out);
	cr_assert_str_eq(run(cmd_savings, opt)->out, first);
	cr_assert_not_null(strstr(first, "\"size\":2147483648"));
}

/*
 * Where the machine has no dax region (a build host: no carve, no pdax),
 * --measure reports every mode as skipped with its reason, succeeds, and
 * neither creates nor changes the state file.
 */
Test(cli, savings_measure_skips_what_the_machine_lacks)
{
	char dir[] = "/tmp/unit-savings.XXXXXX", state[64];
	char *argv[] = { "savings", "--measure", "--size", "512M", NULL };
	char *human[] = { "savings", "--measure", "-u", NULL };
	struct run *r;
	struct stat st;

	if (!access("/sys/bus/pdax", F_OK) || !access("/sys/bus/dax/devices/dax0.0", F_OK))
		cr_skip_test("this machine has dax regions: measured in the testbed instead");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state.json", dir);
	setenv("DAXMEM_STATE", state, 1);
	r = run(cmd_savings, argv);
	cr_assert_eq(r->rc, 0, "stderr: %s", r->err);
	cr_assert_str_empty(r->err);
	cr_assert_not_null(strstr(r->out, "\"measure\":{"));
	cr_assert_not_null(strstr(r->out, "\"reason\":\"pdax module not loaded"), "%s", r->out);
	cr_assert_not_null(strstr(r->out, "\"reason\":\"no device-dax region"));
	cr_assert_not_null(strstr(r->out, "\"reason\":\"512.00 MiB is not a multiple of the 1G"));
	cr_assert_null(strstr(r->out, "\"status\":\"measured\""));
	cr_assert_null(strstr(r->out, "\"measured\":null"), "every row has a status");
	r = run(cmd_savings, human);
	cr_assert_eq(r->rc, 0);
	cr_assert_not_null(strstr(r->out, "median of 3"));
	cr_assert_not_null(strstr(r->out, "skipped: pdax module not loaded"));
	cr_assert_neq(stat(state, &st), 0, "the state file was created");
	cr_assert_eq(rmdir(dir), 0, "the run left files behind");
	unsetenv("DAXMEM_STATE");
}
