// SPDX-License-Identifier: LGPL-2.1
/* The device core's test fixture: context, fake kernel, state directory, log. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

struct core core;

static void keep_log(struct daxmem_ctx *ctx, int priority, const char *fmt, va_list args)
{
	char line[512];
	size_t n = strlen(core.log);

	vsnprintf(line, sizeof(line), fmt, args);
	if (priority <= LOG_ERR) {
		if (!core.nr_errors++)
			snprintf(core.first_error, sizeof(core.first_error), "%s", line);
	}
	snprintf(core.log + n, sizeof(core.log) - n, "%d: %s\n", priority, line);
}

void core_setup(void)
{
	memset(&core, 0, sizeof(core));
	snprintf(core.dir, sizeof(core.dir), "/tmp/daxmem-core.XXXXXX");
	cr_assert_not_null(mkdtemp(core.dir));
	snprintf(core.state, sizeof(core.state), "%s/state.json", core.dir);
	cr_assert_eq(daxmem_new(&core.ctx), 0);
	daxmem_set_log_fn(core.ctx, keep_log);
	daxmem_set_log_priority(core.ctx, LOG_INFO);
	cr_assert_eq(daxmem_set_state_path(core.ctx, core.state), 0);
	daxmem_set_lock_timeout(core.ctx, 100);
	cr_assert_eq(fake_kernel_attach(&core.k, core.ctx), 0);
	cr_assert_not_null(
		fake_region_add(&core.k, DAXMEM_BACKEND_DEVDAX, 0, R0_START, SZ_1G, SZ_2M));
	cr_assert_not_null(
		fake_region_add(&core.k, DAXMEM_BACKEND_DEVDAX, 1, R1_START, 2 * SZ_1G, SZ_2M));
	cr_assert_not_null(
		fake_region_add(&core.k, DAXMEM_BACKEND_PAGELESS, 2, R2_START, SZ_1G, SZ_4K));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void core_teardown(void)
{
	daxmem_unref(core.ctx);
	core.ctx = NULL;
	nftw(core.dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void core_log_reset(void)
{
	core.log[0] = '\0';
	core.nr_errors = 0;
	core.first_error[0] = '\0';
}

void core_expect_error(const char *what)
{
	cr_assert_eq(core.nr_errors, 1, "expected one error line, got %u:\n%s", core.nr_errors,
		     core.log);
	cr_assert_not_null(strstr(core.first_error, what), "error \"%s\" does not say \"%s\"",
			   core.first_error, what);
	cr_assert_null(strchr(core.first_error, '\n'), "error is more than one line");
	core_log_reset();
}

void core_expect_no_error(void)
{
	cr_assert_eq(core.nr_errors, 0, "unexpected errors:\n%s", core.log);
}

struct daxmem_region *core_region(enum daxmem_backend backend, int id)
{
	struct daxmem_region *region = NULL;

	cr_assert_eq(daxmem_region_find(core.ctx, backend, id, &region), 0, "%s", core.log);
	return region;
}

int core_create(enum daxmem_backend backend, int id, const struct daxmem_dev_spec *spec,
		struct daxmem_dev **dev)
{
	struct daxmem_dev *d = NULL;
	int rc = daxmem_refresh(core.ctx);

	if (!rc)
		rc = daxmem_dev_create(core_region(backend, id), spec, &d);
	if (dev)
		*dev = d;
	else
		daxmem_dev_unref(d);
	return rc;
}

int core_destroy(const char *name)
{
	struct daxmem_dev *dev;
	int rc = daxmem_refresh(core.ctx);

	if (rc)
		return rc;
	dev = daxmem_dev_find(core.ctx, name);
	cr_assert_not_null(dev, "no device %s", name);
	return daxmem_dev_destroy(dev);
}

char *core_state_text(void)
{
	FILE *f = fopen(core.state, "re");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	cr_assert_geq(getdelim(&text, &len, '\0', f), 0);
	fclose(f);
	return text;
}

size_t core_state_nr_devs(void)
{
	struct daxmem_state st;
	size_t n;

	cr_assert_eq(daxmem_state_load(core.ctx, core.state, &st), 0);
	n = st.nr_devs;
	daxmem_state_clear(&st);
	return n;
}

size_t core_nr_devs(void)
{
	struct daxmem_region *region;
	struct daxmem_dev *dev;
	size_t n = 0;

	cr_assert_eq(daxmem_refresh(core.ctx), 0, "%s", core.log);
	daxmem_region_foreach(core.ctx, region)
		daxmem_dev_foreach(region, dev)
			n++;
	return n;
}
