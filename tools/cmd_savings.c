// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxmemctl savings: what struct pages and their vmemmap cost for a given
 * size in each way daxmem can expose memory, and extrapolated to whole
 * hosts. The model is daxmem/savings_model.c; docs/savings.md derives it.
 * With --measure the same size is created in each mode and measured
 * (savings_measure.c), and reported beside the model (savings_report.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_savings.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

static const char savings_usage[] =
	"usage: daxmemctl savings [SIZE] [options]\n"
	"       daxmemctl savings --measure [--size SIZE] [--region ID] [options]\n"
	"Model the struct page and vmemmap memory that SIZE (default 1T) costs the host\n"
	"kernel in each mode, and the same for whole hosts of 1, 2, 8 and 64 TiB.\n"
	"With --measure, create SIZE (default 1G) in each mode this machine offers,\n"
	"measure the host memory it consumes and the time to create and first map it,\n"
	"destroy it, and report the measurement beside the model.\n"
	"\n"
	"  --size SIZE                 the same as the SIZE argument\n"
	"  --measure                   measure (root; creates and destroys devices)\n"
	"  --region ID                 measure in region ID of each backend only\n"
	"  --reps N                    repetitions per mode, median taken (1-9, default 3)\n"
	"  --settle MS                 sleep after dropping caches and compacting, before\n"
	"                              each reading (default 200)\n"
	"  --backend devdax|pageless   only this backend\n"
	"  --mode devdax|compound|pageless\n"
	"                              only this mode (devdax: kernel device-dax;\n"
	"                              compound/pageless: the pdax module's modes)\n"
	"  --align 4K|2M|1G            only this alignment (compound unit size)\n"
	"  -u, --human                 a table instead of JSON\n"
	"  -h, --help                  this text\n"
	"\n"
	"See docs/savings.md for the formulas.\n";

/*
 * device-dax sets vmemmap_shift from the device's align, so its 2M and 1G
 * devices always get compound, deduplicated struct pages.
 */
static const struct savings_config configs[] = {
	{ "devdax", "devdax", 4 * KiB, DAXMEM_MEMMAP_FULL },
	{ "devdax", "devdax", 2 * MiB, DAXMEM_MEMMAP_COMPOUND },
	{ "devdax", "devdax", GiB, DAXMEM_MEMMAP_COMPOUND },
	{ "pageless", "compound", 2 * MiB, DAXMEM_MEMMAP_COMPOUND },
	{ "pageless", "compound", GiB, DAXMEM_MEMMAP_COMPOUND },
	{ "pageless", "pageless", 4 * KiB, DAXMEM_MEMMAP_NONE },
	{ "pageless", "pageless", 2 * MiB, DAXMEM_MEMMAP_NONE },
	{ "pageless", "pageless", GiB, DAXMEM_MEMMAP_NONE },
};

static const uint64_t host_sizes[SAVINGS_NR_HOSTS] = { TiB, 2 * TiB, 8 * TiB, 64 * TiB };

static const char formula_full[] =
	"memmap = size / 4096 * 64; page tables = ceil(memmap / 1 GiB) PMD tables * 4096";
static const char formula_compound[] =
	"memmap = size / align * 2 * 4096; page tables = (ceil(size / 4096 * 64 / 2 MiB) PTE "
	"tables + ceil(size / 4096 * 64 / 1 GiB) PMD tables) * 4096";
static const char formula_pageless[] = "memmap = 0; page tables = 0";

struct savings_opts {
	uint64_t size;
	const char *backend;
	const char *mode;
	uint64_t align;
	bool human;
	bool measure;
	struct savings_measure_opts m;
};

int savings_error(const char *fmt, ...)
{
	va_list ap;

	fputs("daxmemctl savings: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool config_selected(const struct savings_opts *o, const struct savings_config *c)
{
	if (o->backend && strcmp(o->backend, c->backend))
		return false;
	if (o->mode && strcmp(o->mode, c->mode))
		return false;
	if (o->align && o->align != c->align)
		return false;
	return true;
}

static bool config_selected_any(const struct savings_opts *o)
{
	size_t i;

	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		if (config_selected(o, &configs[i]))
			return true;
	return false;
}

static const char *formula(enum daxmem_memmap_kind kind)
{
	switch (kind) {
	case DAXMEM_MEMMAP_FULL:
		return formula_full;
	case DAXMEM_MEMMAP_COMPOUND:
		return formula_compound;
	case DAXMEM_MEMMAP_NONE:
		break;
	}
	return formula_pageless;
}

static json_object *model_json(const struct daxmem_savings_model *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "memmap",
			       json_object_new_string(daxmem_memmap_kind_name(m->kind)));
	json_object_object_add(o, "pages", json_object_new_int64((int64_t)m->pages));
	json_object_object_add(o, "compound_units", json_object_new_int64((int64_t)m->units));
	json_object_object_add(o, "vmemmap_span",
			       json_object_new_int64((int64_t)m->memmap_virtual));
	json_object_object_add(o, "struct_page_bytes",
			       json_object_new_int64((int64_t)m->memmap_bytes));
	json_object_object_add(o, "page_table_bytes",
			       json_object_new_int64((int64_t)m->pagetable_bytes));
	json_object_object_add(o, "total_bytes", json_object_new_int64((int64_t)m->total_bytes));
	json_object_object_add(o, "saved_bytes", json_object_new_int64((int64_t)m->saved_bytes));
	json_object_object_add(o, "ppm", json_object_new_int64((int64_t)m->ppm));
	/*
	 * What /proc/vmstat nr_memmap_pages (6.11+) grows by: the real vmemmap
	 * pages in kernels with "mm/sparse-vmemmap: Fix DAX vmemmap accounting
	 * with optimization" (in Debian's 6.12), the vmemmap span before it.
	 */
	json_object_object_add(
		o, "nr_memmap_pages",
		json_object_new_int64((int64_t)(m->memmap_bytes / DAXMEM_PAGE_SIZE)));
	json_object_object_add(
		o, "nr_memmap_pages_span",
		json_object_new_int64((int64_t)(m->memmap_virtual / DAXMEM_PAGE_SIZE)));
	return o;
}

static json_object *row_json(const struct savings_row *r)
{
	const struct savings_config *c = r->cfg;
	json_object *row = json_object_new_object();
	json_object *ext = NULL;
	size_t h;

	json_object_object_add(row, "backend", json_object_new_string(c->backend));
	json_object_object_add(row, "mode", json_object_new_string(c->mode));
	json_object_object_add(row, "align", json_object_new_int64((int64_t)c->align));
	json_object_object_add(row, "model", r->has_model ? model_json(&r->model) : NULL);
	/* Filled by a measurement run; the model alone leaves it null. */
	json_object_object_add(row, "measured", savings_measured_json(r));
	if (r->has_model) {
		ext = json_object_new_array();
		for (h = 0; h < SAVINGS_NR_HOSTS; h++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "host_size",
					       json_object_new_int64((int64_t)host_sizes[h]));
			json_object_object_add(
				e, "total_bytes",
				json_object_new_int64((int64_t)r->hosts[h].total_bytes));
			json_object_object_add(
				e, "saved_bytes",
				json_object_new_int64((int64_t)r->hosts[h].saved_bytes));
			json_object_array_add(ext, e);
		}
	}
	json_object_object_add(row, "hosts", ext);
	return row;
}

static int print_json(const struct savings_opts *o, const struct savings_row *rows, size_t nr)
{
	json_object *root = json_object_new_object();
	json_object *formulas = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i;

	json_object_object_add(root, "size", json_object_new_int64((int64_t)o->size));
	json_object_object_add(root, "page_size", json_object_new_int64(DAXMEM_PAGE_SIZE));
	json_object_object_add(root, "struct_page_size",
			       json_object_new_int64(DAXMEM_STRUCT_PAGE_SIZE));
	json_object_object_add(formulas, "full", json_object_new_string(formula_full));
	json_object_object_add(formulas, "compound", json_object_new_string(formula_compound));
	json_object_object_add(formulas, "pageless", json_object_new_string(formula_pageless));
	json_object_object_add(root, "formulas", formulas);
	if (o->measure)
		json_object_object_add(root, "measure", savings_method_json(&o->m));
	for (i = 0; i < nr; i++)
		json_object_array_add(arr, row_json(&rows[i]));
	json_object_object_add(root, "rows", arr);
	printf("%s\n", json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

const char *savings_align_name(uint64_t align)
{
	switch (align) {
	case 4 * KiB:
		return "4K";
	case 2 * MiB:
		return "2M";
	case GiB:
		return "1G";
	}
	return "?";
}

static int print_table(const struct savings_opts *o, const struct savings_row *rows, size_t nr)
{
	char a[32], b[32], c[32], d[32];
	bool kinds[3] = { false };
	size_t i, h;

	printf("struct page cost of %s (%llu B struct page per %llu B page)\n\n",
	       daxmem_format_size(o->size, a, sizeof(a)), DAXMEM_STRUCT_PAGE_SIZE,
	       DAXMEM_PAGE_SIZE);
	printf("%-9s %-9s %-5s %-9s %12s %12s %12s %12s %9s\n", "backend", "mode", "align",
	       "memmap", "struct page", "page tables", "total", "saved", "of size");
	for (i = 0; i < nr; i++) {
		const struct daxmem_savings_model *m = &rows[i].model;
		const struct savings_config *cfg = rows[i].cfg;

		if (!rows[i].has_model)
			continue;
		kinds[m->kind] = true;
		printf("%-9s %-9s %-5s %-9s %12s %12s %12s %12s %8.4f%%\n", cfg->backend, cfg->mode,
		       savings_align_name(cfg->align), daxmem_memmap_kind_name(m->kind),
		       daxmem_format_size(m->memmap_bytes, a, sizeof(a)),
		       daxmem_format_size(m->pagetable_bytes, b, sizeof(b)),
		       daxmem_format_size(m->total_bytes, c, sizeof(c)),
		       daxmem_format_size(m->saved_bytes, d, sizeof(d)), (double)m->ppm / 10000.0);
	}
	printf("\nthe same for a whole host (total cost)\n%-9s %-9s %-5s", "backend", "mode",
	       "align");
	for (h = 0; h < SAVINGS_NR_HOSTS; h++)
		printf(" %12s", daxmem_format_size(host_sizes[h], a, sizeof(a)));
	printf("\n");
	for (i = 0; i < nr; i++) {
		const struct savings_config *cfg = rows[i].cfg;

		if (!rows[i].has_model)
			continue;
		printf("%-9s %-9s %-5s", cfg->backend, cfg->mode, savings_align_name(cfg->align));
		for (h = 0; h < SAVINGS_NR_HOSTS; h++)
			printf(" %12s",
			       daxmem_format_size(rows[i].hosts[h].total_bytes, a, sizeof(a)));
		printf("\n");
	}
	printf("\nformulas\n");
	for (i = 0; i < 3; i++)
		if (kinds[i])
			printf("  %-9s %s\n", daxmem_memmap_kind_name((enum daxmem_memmap_kind)i),
			       formula((enum daxmem_memmap_kind)i));
	if (o->measure)
		savings_print_measured_table(rows, nr, &o->m);
	return 0;
}

static int parse_uint(const char *opt, const char *arg, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *v < min || *v > max || arg[0] == '-')
		return savings_error("%s %s: want a number from %lu to %lu", opt, arg, min, max);
	return 0;
}

static int parse_size_arg(const char *what, const char *arg, uint64_t *size)
{
	if (daxmem_parse_size(arg, size) || !*size || *size % (4 * KiB))
		return savings_error("%s %s: want a multiple of 4K such as 1G or 1T", what, arg);
	return 0;
}

static int parse_args(int argc, char **argv, struct savings_opts *o)
{
	enum {
		OPT_BACKEND = 256,
		OPT_MODE,
		OPT_ALIGN,
		OPT_SIZE,
		OPT_MEASURE,
		OPT_REGION,
		OPT_REPS,
		OPT_SETTLE
	};
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "align", required_argument, NULL, OPT_ALIGN },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "measure", no_argument, NULL, OPT_MEASURE },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "reps", required_argument, NULL, OPT_REPS },
		{ "settle", required_argument, NULL, OPT_SETTLE },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool region_set = false;
	unsigned long v;
	int c;

	o->m.region = -1;
	o->m.reps = 3;
	o->m.settle_ms = 200;
	optind = 0; /* restart getopt: the command table may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "uh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BACKEND:
			if (strcmp(optarg, "devdax") && strcmp(optarg, "pageless"))
				return savings_error("--backend %s: want devdax or pageless",
						     optarg);
			o->backend = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "devdax") && strcmp(optarg, "compound") &&
			    strcmp(optarg, "pageless"))
				return savings_error("--mode %s: want devdax, compound or pageless",
						     optarg);
			o->mode = optarg;
			break;
		case OPT_ALIGN:
			if (daxmem_parse_size(optarg, &o->align) ||
			    (o->align != 4 * KiB && o->align != 2 * MiB && o->align != GiB))
				return savings_error("--align %s: want 4K, 2M or 1G", optarg);
			break;
		case OPT_SIZE:
			if (parse_size_arg("--size", optarg, &o->size))
				return 1;
			break;
		case OPT_MEASURE:
			o->measure = true;
			break;
		case OPT_REGION:
			if (parse_uint("--region", optarg, 0, INT_MAX, &v))
				return 1;
			o->m.region = (int)v;
			region_set = true;
			break;
		case OPT_REPS:
			if (parse_uint("--reps", optarg, 1, DAXMEM_SAVINGS_MAX_REPS, &v))
				return 1;
			o->m.reps = (unsigned int)v;
			break;
		case OPT_SETTLE:
			if (parse_uint("--settle", optarg, 0, 10000, &v))
				return 1;
			o->m.settle_ms = (unsigned int)v;
			break;
		case 'u':
			o->human = true;
			break;
		case 'h':
			fputs(savings_usage, stdout);
			return -1;
		default:
			return savings_error("unknown option %s (see daxmemctl savings --help)",
					     argv[optind - 1]);
		}
	}
	if (optind < argc - 1)
		return savings_error("want at most one SIZE (see daxmemctl savings --help)");
	if (optind == argc - 1) {
		if (o->size)
			return savings_error("SIZE given twice (argument and --size)");
		if (parse_size_arg("SIZE", argv[optind], &o->size))
			return 1;
	}
	if (region_set && !o->measure)
		return savings_error("--region %d: only with --measure", o->m.region);
	if (!o->size)
		o->size = o->measure ? GiB : TiB;
	o->m.size = o->size;
	return 0;
}

int cmd_savings(int argc, char **argv)
{
	const size_t nr_configs = sizeof(configs) / sizeof(configs[0]);
	struct savings_row rows[sizeof(configs) / sizeof(configs[0])];
	struct savings_opts o = { 0 };
	size_t i, h, nr = 0, modelled = 0;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	for (i = 0; i < nr_configs; i++) {
		const struct savings_config *c = &configs[i];
		struct savings_row *r = &rows[nr];

		if (!config_selected(&o, c))
			continue;
		memset(r, 0, sizeof(*r));
		r->cfg = c;
		if (o.size % c->align) {
			/* measured rows name the reason; the model alone leaves them out */
			if (!o.measure)
				continue;
			r->meas.status = SAVINGS_SKIPPED;
			snprintf(r->meas.reason, sizeof(r->meas.reason),
				 "%s is not a multiple of the %s align",
				 daxmem_format_size(o.size, (char[32]){ 0 }, 32),
				 savings_align_name(c->align));
			nr++;
			continue;
		}
		if (daxmem_savings_model(o.size, c->align, c->kind, &r->model))
			return savings_error("SIZE is out of the model's range (at most 64P)");
		for (h = 0; h < SAVINGS_NR_HOSTS; h++)
			daxmem_savings_model(host_sizes[h], c->align, c->kind, &r->hosts[h]);
		r->has_model = true;
		modelled++;
		nr++;
	}
	if (!nr && !config_selected_any(&o))
		return savings_error("no such combination: device-dax has mode devdax only, the "
				     "pageless backend has modes compound (2M, 1G) and pageless");
	if (!modelled)
		return savings_error("SIZE is not a multiple of the selected alignment");
	if (o.measure) {
		rc = savings_measure_rows(rows, nr, &o.m);
		if (rc)
			return rc;
	}
	rc = o.human ? print_table(&o, rows, nr) : print_json(&o, rows, nr);
	for (i = 0; i < nr; i++)
		if (rows[i].meas.status == SAVINGS_FAILED)
			return savings_error("%s %s %s: %s", rows[i].cfg->backend,
					     rows[i].cfg->mode,
					     savings_align_name(rows[i].cfg->align),
					     rows[i].meas.reason);
	return rc;
}
