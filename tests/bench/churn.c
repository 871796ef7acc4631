// SPDX-License-Identifier: GPL-2.0
/*
 * bench-churn: allocator churn on a simulated large host. One request
 * stream (VM create/destroy with sizes from a fixed distribution) is applied
 * to libdaxmem's range allocator and to a model of the kernel's device-dax
 * allocator side by side; prints one TSV row per workload and allocator.
 *
 *   bench-churn [--ops N] [--seed N] [--host-tib N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "kdax_sim.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)
#define TIB (1ULL << 40)
#define MAX_SIZES 8
#define HIST_MAX 4096

struct workload {
	const char *name;
	const char *what;
	size_t nr;
	uint64_t size[MAX_SIZES];
	unsigned int weight[MAX_SIZES];
};

/*
 * Alignment rule for every workload: a VM whose size is a multiple of 1 GiB
 * asks for 1 GiB alignment (guest RAM mapped with 1 GiB pages), any other
 * VM for 2 MiB.
 */
static const struct workload workloads[] = {
	{ "pow2",
	  "powers of two, 2-256 GiB",
	  8,
	  { 2 * GIB, 4 * GIB, 8 * GIB, 16 * GIB, 32 * GIB, 64 * GIB, 128 * GIB, 256 * GIB },
	  { 24, 20, 16, 14, 10, 8, 5, 3 } },
	{ "mixed",
	  "3.75 GiB per vCPU, 1-64 vCPUs (3.75-240 GiB)",
	  7,
	  { 3840 * MIB, 7680 * MIB, 15 * GIB, 30 * GIB, 60 * GIB, 120 * GIB, 240 * GIB },
	  { 24, 20, 18, 14, 12, 8, 4 } },
};

enum { A_DAXMEM, A_KERNEL, NR_ALLOC };
static const char *const alloc_names[NR_ALLOC] = { "daxmem", "device-dax" };

struct vm {
	uint64_t size;
	uint64_t align;
	int held[NR_ALLOC];
	struct daxmem_range *ranges; /* daxmem's */
	size_t nr_ranges;
	struct kdax_dev kdev;
};

struct stats {
	uint64_t creates, created, fail_free, fail_nospace, misaligned, destroys;
	uint64_t ranges_sum, ranges_max, ns;
	uint64_t hist[HIST_MAX + 1];
};

struct sim {
	struct daxmem_space space;
	struct kdax_region region;
	struct vm *vms;
	size_t nr_vms, cap;
	uint64_t logical_used;
	uint32_t next_id;
	uint64_t rng;
	struct stats st[NR_ALLOC];
};

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-churn: %s: %s\n", what, strerror(err));
	exit(1);
}

static void record_ranges(struct stats *st, size_t nr)
{
	st->ranges_sum += nr;
	if (nr > st->ranges_max)
		st->ranges_max = nr;
	st->hist[nr < HIST_MAX ? nr : HIST_MAX]++;
}

static void create_daxmem(struct sim *s, struct vm *vm)
{
	struct stats *st = &s->st[A_DAXMEM];
	uint64_t free_before = s->space.free_bytes, t0 = now_ns();
	size_t bad;
	int rc;

	rc = daxmem_space_alloc(&s->space, vm->size, vm->align, &vm->ranges, &vm->nr_ranges);
	st->ns += now_ns() - t0;
	st->creates++;
	if (rc == -ENOSPC) {
		if (free_before >= vm->size)
			st->fail_free++;
		else
			st->fail_nospace++;
		return;
	}
	if (rc)
		die("daxmem_space_alloc", -rc);
	if (daxmem_ranges_validate(vm->ranges, vm->nr_ranges, vm->align, &bad))
		die("daxmem_ranges_validate (allocator returned a bad placement)", EINVAL);
	vm->held[A_DAXMEM] = 1;
	st->created++;
	record_ranges(st, vm->nr_ranges);
}

static void create_kernel(struct sim *s, struct vm *vm)
{
	struct stats *st = &s->st[A_KERNEL];
	uint64_t avail = kdax_region_avail(&s->region), t0 = now_ns();
	int rc;

	vm->kdev = (struct kdax_dev){ .id = s->next_id, .align = vm->align };
	rc = kdax_dev_grow(&s->region, &vm->kdev, vm->size);
	st->ns += now_ns() - t0;
	st->creates++;
	if (rc == -ENOSPC) {
		if (avail >= vm->size)
			st->fail_free++;
		else
			st->fail_nospace++;
		return;
	}
	if (rc)
		die("kdax_dev_grow", -rc);
	if (!kdax_dev_aligned(&vm->kdev)) {
		/* the kernel accepts it, but it cannot be mapped at its page size: given back */
		st->misaligned++;
		t0 = now_ns();
		kdax_dev_release(&s->region, &vm->kdev);
		st->ns += now_ns() - t0;
		return;
	}
	vm->held[A_KERNEL] = 1;
	st->created++;
	record_ranges(st, vm->kdev.nr_range);
}

static void destroy(struct sim *s, size_t i)
{
	struct vm *vm = &s->vms[i];
	uint64_t t0;
	size_t j;

	if (vm->held[A_DAXMEM]) {
		t0 = now_ns();
		for (j = 0; j < vm->nr_ranges; j++) {
			int rc = daxmem_space_give(&s->space, vm->ranges[j].start,
						   daxmem_range_size(&vm->ranges[j]));

			if (rc)
				die("daxmem_space_give", -rc);
		}
		s->st[A_DAXMEM].ns += now_ns() - t0;
		s->st[A_DAXMEM].destroys++;
	}
	free(vm->ranges);
	if (vm->held[A_KERNEL]) {
		t0 = now_ns();
		kdax_dev_release(&s->region, &vm->kdev);
		s->st[A_KERNEL].ns += now_ns() - t0;
		s->st[A_KERNEL].destroys++;
	}
	s->logical_used -= vm->size;
	s->vms[i] = s->vms[--s->nr_vms];
}

static void draw(const struct workload *w, uint64_t *rng, uint64_t *size, uint64_t *align)
{
	unsigned int total = 0, pick;
	size_t i;

	for (i = 0; i < w->nr; i++)
		total += w->weight[i];
	pick = (unsigned int)(rng_next(rng) % total);
	for (i = 0; pick >= w->weight[i]; i++)
		pick -= w->weight[i];
	*size = w->size[i];
	*align = w->size[i] % GIB ? 2 * MIB : GIB;
}

static void create(struct sim *s, uint64_t size, uint64_t align)
{
	struct vm *vm;

	if (s->nr_vms == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct vm *n = realloc(s->vms, cap * sizeof(*n));

		if (!n)
			die("realloc", ENOMEM);
		s->vms = n;
		s->cap = cap;
	}
	vm = &s->vms[s->nr_vms];
	memset(vm, 0, sizeof(*vm));
	vm->size = size;
	vm->align = align;
	s->next_id++;
	create_daxmem(s, vm);
	create_kernel(s, vm);
	if (!vm->held[A_DAXMEM] && !vm->held[A_KERNEL])
		return;
	s->logical_used += size;
	s->nr_vms++;
}

static uint64_t percentile(const struct stats *st, unsigned int pct)
{
	uint64_t want = (st->created * pct + 99) / 100, seen = 0;
	size_t i;

	for (i = 0; i <= HIST_MAX; i++) {
		seen += st->hist[i];
		if (seen >= want && seen)
			return i;
	}
	return 0;
}

static uint64_t hist_sum(const struct stats *st, size_t lo, size_t hi)
{
	uint64_t n = 0;

	for (; lo <= hi && lo <= HIST_MAX; lo++)
		n += st->hist[lo];
	return n;
}

static void report(const struct workload *w, const struct sim *s)
{
	int a;

	for (a = 0; a < NR_ALLOC; a++) {
		const struct stats *st = &s->st[a];
		uint64_t ops = st->creates + st->destroys;
		double mean = st->created ? (double)st->ranges_sum / (double)st->created : 0;

		printf("churn\t%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.3f\t%llu\t%llu"
		       "\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.0f\n",
		       w->name, alloc_names[a], (unsigned long long)st->creates,
		       (unsigned long long)st->created, (unsigned long long)st->fail_free,
		       (unsigned long long)st->fail_nospace, (unsigned long long)st->misaligned,
		       (unsigned long long)st->destroys, mean,
		       (unsigned long long)percentile(st, 99), (unsigned long long)st->ranges_max,
		       (unsigned long long)hist_sum(st, 1, 1),
		       (unsigned long long)hist_sum(st, 2, 2),
		       (unsigned long long)hist_sum(st, 3, 4),
		       (unsigned long long)hist_sum(st, 5, 8),
		       (unsigned long long)hist_sum(st, 9, 16),
		       (unsigned long long)hist_sum(st, 17, HIST_MAX),
		       st->ns ? (double)ops * 1e9 / (double)st->ns : 0.0);
	}
}

static void run(const struct workload *w, uint64_t ops, uint64_t seed, uint64_t region_start,
		uint64_t region_size)
{
	uint64_t low = region_size / 100 * 85, high = region_size / 100 * 95, op;
	struct sim *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		die("calloc", ENOMEM);
	s->rng = seed;
	rc = daxmem_space_init(&s->space, region_start, region_size);
	if (rc)
		die("daxmem_space_init", -rc);
	rc = kdax_region_init(&s->region, region_start, region_size);
	if (rc)
		die("kdax_region_init", -rc);

	for (op = 0; op < ops; op++) {
		uint64_t size, align;
		int do_create;

		draw(w, &s->rng, &size, &align);
		if (!s->nr_vms || s->logical_used + size <= low)
			do_create = 1;
		else if (s->logical_used + size > high)
			do_create = 0;
		else
			do_create = rng_next(&s->rng) & 1;
		if (do_create)
			create(s, size, align);
		else
			destroy(s, rng_next(&s->rng) % s->nr_vms);
	}
	report(w, s);
	while (s->nr_vms)
		destroy(s, s->nr_vms - 1);
	if (s->space.free_bytes != region_size || kdax_region_avail(&s->region) != region_size)
		die("free space after destroying every VM", EFAULT);
	daxmem_space_fini(&s->space);
	kdax_region_fini(&s->region);
	free(s->vms);
	free(s);
}

static uint64_t parse_u64(const char *opt, const char *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || end == v || *end || !x) {
		fprintf(stderr, "bench-churn: bad %s '%s' (a positive number)\n", opt, v);
		exit(2);
	}
	return x;
}

int main(int argc, char **argv)
{
	uint64_t ops = 1000000, seed = 1, host_tib = 64;
	uint64_t region_start, region_size;
	size_t w, i;
	int a;

	for (a = 1; a < argc; a++) {
		if (a + 1 < argc && !strcmp(argv[a], "--ops"))
			ops = parse_u64("--ops", argv[++a]);
		else if (a + 1 < argc && !strcmp(argv[a], "--seed"))
			seed = parse_u64("--seed", argv[++a]);
		else if (a + 1 < argc && !strcmp(argv[a], "--host-tib"))
			host_tib = parse_u64("--host-tib", argv[++a]);
		else {
			fprintf(stderr, "usage: bench-churn [--ops N] [--seed N] [--host-tib N]\n");
			return 2;
		}
	}
	if (host_tib < 2 || host_tib > 4096) {
		fprintf(stderr, "bench-churn: --host-tib must be 2..4096\n");
		return 2;
	}
	/* the host keeps 1/32 of its RAM (2 TiB of 64); the rest is one carved region at 4 GiB */
	region_start = 4 * GIB;
	region_size = host_tib * TIB - host_tib * TIB / 32;

	printf("#host\t%llu\tregion_start\t%llu\tregion_size\t%llu\tops\t%llu\tseed\t%llu\n",
	       (unsigned long long)(host_tib * TIB), (unsigned long long)region_start,
	       (unsigned long long)region_size, (unsigned long long)ops, (unsigned long long)seed);
	for (w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		printf("#workload\t%s\t%s", workloads[w].name, workloads[w].what);
		for (i = 0; i < workloads[w].nr; i++)
			printf("\t%llu:%u", (unsigned long long)workloads[w].size[i],
			       workloads[w].weight[i]);
		printf("\n");
	}
	printf("#churn\tworkload\tallocator\tcreates\tcreated\tfail_free\tfail_nospace"
	       "\tmisaligned\tdestroys\tranges_mean\tranges_p99\tranges_max\tr1\tr2\tr3_4"
	       "\tr5_8\tr9_16\tr17p\tops_per_s\n");
	fflush(stdout);
	for (w = 0; w < sizeof(workloads) / sizeof(workloads[0]); w++) {
		run(&workloads[w], ops, seed, region_start, region_size);
		fflush(stdout);
	}
	return 0;
}
