// SPDX-License-Identifier: LGPL-2.1
/* State document: round trip, corrupt and torn input, the file, its lock. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

#define M2 (2ULL << 20)
#define BASE 0x140000000ULL

static void sample(struct daxmem_state *st)
{
	struct daxmem_range r1[] = { { BASE + 8 * M2, BASE + 10 * M2 - 1, 0 },
				     { BASE, BASE + 4 * M2 - 1, 2 * M2 } };
	struct daxmem_range r2[] = { { BASE + 1ULL * (1 << 30), BASE + 2ULL * (1 << 30) - 1, 0 } };
	struct daxmem_state_dev d1 = { .name = "vm1",
				       .chardev = "dax1.1",
				       .label = "guest \"one\"",
				       .backend = DAXMEM_BACKEND_DEVDAX,
				       .region = 1,
				       .align = M2,
				       .mode = DAXMEM_MODE_DEVDAX,
				       .preserved = true,
				       .ranges = r1,
				       .nr_ranges = 2 };
	struct daxmem_state_dev d2 = { .name = "vm2",
				       .chardev = "pdax0.3",
				       .backend = DAXMEM_BACKEND_PAGELESS,
				       .region = 0,
				       .align = 1UL << 30,
				       .mode = DAXMEM_MODE_COMPOUND,
				       .ranges = r2,
				       .nr_ranges = 1 };
	struct daxmem_state_region reg = { DAXMEM_BACKEND_DEVDAX, 1, BASE, 2ULL << 30 };

	daxmem_state_init(st);
	cr_assert_eq(daxmem_state_put_dev(st, &d1), 0);
	cr_assert_eq(daxmem_state_put_dev(st, &d2), 0);
	cr_assert_eq(daxmem_state_put_region(st, &reg), 0);
	cr_assert_eq(daxmem_state_add_poison(st, BASE + 0x5000, BASE + 0x5fff), 0);
	cr_assert_eq(daxmem_state_add_poison(st, BASE + 0x7000, BASE + 0x7fff), 0);
	cr_assert_eq(daxmem_state_add_poison(st, BASE + 0x6000, BASE + 0x6fff), 0); /* joins */
}

static void assert_same(const struct daxmem_state *a, const struct daxmem_state *b)
{
	size_t i, j;

	cr_assert_eq(a->nr_devs, b->nr_devs);
	for (i = 0; i < a->nr_devs; i++) {
		const struct daxmem_state_dev *x = &a->devs[i], *y = &b->devs[i];

		cr_assert_str_eq(x->name, y->name);
		cr_assert_str_eq(x->chardev, y->chardev);
		cr_assert_eq(!x->label, !y->label);
		if (x->label)
			cr_assert_str_eq(x->label, y->label);
		cr_assert_eq(x->backend, y->backend);
		cr_assert_eq(x->region, y->region);
		cr_assert_eq(x->align, y->align);
		cr_assert_eq(x->mode, y->mode);
		cr_assert_eq(x->preserved, y->preserved);
		cr_assert_eq(x->nr_ranges, y->nr_ranges);
		for (j = 0; j < x->nr_ranges; j++) {
			cr_assert_eq(x->ranges[j].start, y->ranges[j].start);
			cr_assert_eq(x->ranges[j].end, y->ranges[j].end);
			cr_assert_eq(x->ranges[j].page_offset, y->ranges[j].page_offset);
		}
	}
	cr_assert_eq(a->nr_regions, b->nr_regions);
	cr_assert_eq(a->regions[0].start, b->regions[0].start);
	cr_assert_eq(a->nr_poisoned, b->nr_poisoned);
	for (i = 0; i < a->nr_poisoned; i++) {
		cr_assert_eq(a->poisoned[i].start, b->poisoned[i].start);
		cr_assert_eq(a->poisoned[i].end, b->poisoned[i].end);
	}
}

Test(state, round_trip)
{
	struct daxmem_state st, back;
	char err[128];
	char *text;

	sample(&st);
	cr_assert_eq(st.nr_poisoned, 1);
	text = daxmem_state_format(&st);
	cr_assert_not_null(text);
	cr_assert_eq(daxmem_state_parse(text, strlen(text), &back, err, sizeof(err)), 0, "%s", err);
	assert_same(&st, &back);
	/* page_offset is in pages, as device-dax */
	cr_assert_not_null(strstr(text, "\"page_offset\": 1024"));
	free(text);
	daxmem_state_clear(&st);
	daxmem_state_clear(&back);
}

Test(state, every_truncation_is_rejected)
{
	struct daxmem_state st, back;
	char err[128];
	size_t len, cut;
	char *text;

	sample(&st);
	text = daxmem_state_format(&st);
	len = strlen(text);
	/* a torn write: every proper prefix that is not just trailing whitespace */
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	for (cut = 0; cut < len; cut++) {
		int rc = daxmem_state_parse(text, cut, &back, err, sizeof(err));

		cr_assert_eq(rc, -EBADMSG, "prefix of %zu bytes accepted", cut);
		cr_assert_eq(back.nr_devs, 0);
	}
	free(text);
	daxmem_state_clear(&st);
}

static int parse_str(const char *s, char *err, size_t len)
{
	struct daxmem_state st;
	int rc = daxmem_state_parse(s, strlen(s), &st, err, len);

	daxmem_state_clear(&st);
	return rc;
}

Test(state, invalid_documents)
{
	static const char *const bad[] = {
		"[]",
		"{\"format\":\"other\",\"version\":1,\"devices\":[]}",
		"{\"format\":\"daxmem-state\",\"devices\":[]}",
		"{\"format\":\"daxmem-state\",\"version\":0,\"devices\":[]}",
		"{\"format\":\"daxmem-state\",\"version\":1}",
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{}]}",
		/* end below start */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{\"name\":\"a\",\"chardev\":\"dax0.1\",\"backend\":\"devdax\",\"region\":0,\"align\":4096,\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[{\"page_offset\":0,\"start\":8192,\"end\":4095}]}]}",
		/* page_offset gap */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{\"name\":\"a\",\"chardev\":\"dax0.1\",\"backend\":\"devdax\",\"region\":0,\"align\":4096,\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[{\"page_offset\":1,\"start\":0,\"end\":4095}]}]}",
		/* wrong type */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{\"name\":\"a\",\"chardev\":\"dax0.1\",\"backend\":\"devdax\",\"region\":0,\"align\":\"2M\",\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[]}]}",
		/* unknown backend */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{\"name\":\"a\",\"chardev\":\"x\",\"backend\":\"nvme\",\"region\":0,\"align\":4096,\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[]}]}",
		/* negative address */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[],\"poisoned\":[{\"start\":-4096,\"end\":0}]}",
		/* duplicate name */
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[{\"name\":\"a\",\"chardev\":\"x\",\"backend\":\"devdax\",\"region\":0,\"align\":4096,\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[]},{\"name\":\"a\",\"chardev\":\"y\",\"backend\":\"devdax\",\"region\":0,\"align\":4096,\"mode\":\"devdax\",\"preserved\":false,\"ranges\":[]}]}",
		"{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[]} trailing",
		"\x7f"
		"ELF",
	};
	char err[160];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(parse_str(bad[i], err, sizeof(err)), -EBADMSG, "document %zu accepted",
			     i);
		cr_assert_neq(err[0], '\0', "document %zu: no reason given", i);
	}
	cr_assert_eq(parse_str("{\"format\":\"daxmem-state\",\"version\":7,\"devices\":[]}", err,
			       sizeof(err)),
		     -EPROTONOSUPPORT);
	cr_assert_eq(parse_str("{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[]}", err,
			       sizeof(err)),
		     0);
}

/* --- the file: atomic replacement, corrupt files left alone, the lock --- */

static char dir[64];
static char path[128];

static void quiet(struct daxmem_ctx *ctx, int prio, const char *fmt, va_list ap)
{
}

static struct daxmem_ctx *new_ctx(void)
{
	struct daxmem_ctx *ctx;

	strcpy(dir, "/tmp/daxmem-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/state.json", dir);
	cr_assert_eq(daxmem_new(&ctx), 0);
	daxmem_set_log_fn(ctx, quiet);
	cr_assert_eq(daxmem_set_state_path(ctx, path), 0);
	return ctx;
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char *buf = calloc(1, 1 << 16);

	cr_assert(f && buf);
	fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(state_file, store_load_and_no_leftovers)
{
	struct daxmem_ctx *ctx = new_ctx();
	struct daxmem_state st, back;
	char sub[160];
	int n = 0;
	FILE *ls;

	sample(&st);
	cr_assert_eq(daxmem_state_store(ctx, path, &st), 0);
	cr_assert_eq(daxmem_state_load(ctx, path, &back), 0);
	assert_same(&st, &back);
	snprintf(sub, sizeof(sub), "ls %s/sub", dir);
	ls = popen(sub, "r");
	while (fgets(sub, sizeof(sub), ls))
		n++;
	pclose(ls);
	cr_assert_eq(n, 1, "temporary files left behind");
	daxmem_state_clear(&st);
	daxmem_state_clear(&back);
	daxmem_unref(ctx);
	cleanup();
}

Test(state_file, missing_file_is_empty_state)
{
	struct daxmem_ctx *ctx = new_ctx();
	struct daxmem_state st;

	cr_assert_eq(daxmem_state_load(ctx, path, &st), 0);
	cr_assert_eq(st.nr_devs, 0);
	daxmem_unref(ctx);
	cleanup();
}

Test(state_file, corrupt_file_is_never_overwritten)
{
	struct daxmem_ctx *ctx = new_ctx();
	struct daxmem_state st;
	char *before, *after, *text;

	sample(&st);
	text = daxmem_state_format(&st);
	/* a torn file: half of a valid document */
	text[strlen(text) / 2] = '\0';
	cr_assert_eq(daxmem_state_store(ctx, path, &(struct daxmem_state){ .version = 1 }), 0);
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	before = slurp(path);
	cr_assert_eq(daxmem_poison_add(ctx, BASE, BASE + 4095), -EBADMSG);
	cr_assert_eq(daxmem_save(ctx, NULL), -EBADMSG);
	cr_assert_eq(daxmem_refresh(ctx), -EBADMSG);
	after = slurp(path);
	cr_assert_str_eq(before, after);
	free(before);
	free(after);
	free(text);
	daxmem_state_clear(&st);
	daxmem_unref(ctx);
	cleanup();
}

Test(state_file, poison_is_recorded)
{
	struct daxmem_ctx *ctx = new_ctx();
	struct daxmem_state st;

	cr_assert_eq(daxmem_poison_add(ctx, BASE + 0x3000, BASE + 0x3fff), 0);
	cr_assert_eq(daxmem_poison_add(ctx, BASE + 0x4000, BASE + 0x4fff), 0);
	cr_assert_eq(daxmem_state_load(ctx, path, &st), 0);
	cr_assert_eq(st.nr_poisoned, 1);
	cr_assert_eq(st.poisoned[0].start, BASE + 0x3000);
	cr_assert_eq(st.poisoned[0].end, BASE + 0x4fff);
	daxmem_state_clear(&st);
	daxmem_unref(ctx);
	cleanup();
}

Test(state_file, second_writer_times_out)
{
	struct daxmem_ctx *ctx = new_ctx();
	struct timespec t0, t1;
	char lock[160];
	long ms;
	int fd;

	cr_assert_eq(daxmem_poison_add(ctx, BASE, BASE + 4095), 0);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	fd = open(lock, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	daxmem_set_lock_timeout(ctx, 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(daxmem_poison_add(ctx, BASE + 8192, BASE + 12287), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_assert_geq(ms, 300);
	cr_assert_lt(ms, 3000);
	flock(fd, LOCK_UN);
	close(fd);
	cr_assert_eq(daxmem_poison_add(ctx, BASE + 8192, BASE + 12287), 0);
	daxmem_unref(ctx);
	cleanup();
}

/* concurrent writers serialise on the lock; a reader without the lock never sees a torn file */
Test(state_file, concurrent_writers_and_reader, .timeout = 60)
{
	struct daxmem_ctx *ctx = new_ctx();
	const int writers = 4, each = 40;
	int w, status, reads = 0, live;
	struct daxmem_state st;

	cr_assert_eq(daxmem_poison_add(ctx, BASE, BASE + 4095), 0);
	for (w = 0; w < writers; w++) {
		if (fork() == 0) {
			struct daxmem_ctx *c;
			int i;

			if (daxmem_new(&c))
				_exit(1);
			daxmem_set_log_fn(c, quiet);
			daxmem_set_state_path(c, path);
			daxmem_set_lock_timeout(c, 30000);
			/* pages two apart never merge: every add stays one entry */
			for (i = 0; i < each; i++) {
				uint64_t a = BASE + ((uint64_t)(1 + w * each + i) * 2) * 4096;

				if (daxmem_poison_add(c, a, a + 4095))
					_exit(2);
			}
			daxmem_unref(c);
			_exit(0);
		}
	}
	live = writers;
	while (live) {
		cr_assert_eq(daxmem_state_load(ctx, path, &st), 0, "reader saw a bad file");
		daxmem_state_clear(&st);
		reads++;
		while (live && waitpid(-1, &status, WNOHANG) > 0) {
			cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer failed");
			live--;
		}
	}
	cr_assert_eq(daxmem_state_load(ctx, path, &st), 0);
	cr_assert_eq(st.nr_poisoned, 1 + writers * each, "lost updates: %zu entries",
		     st.nr_poisoned);
	cr_log_info("concurrent: %d writers x %d updates, %d unlocked reads, all whole", writers,
		    each, reads);
	daxmem_state_clear(&st);
	daxmem_unref(ctx);
	cleanup();
}
