// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxmemctl savings: what struct pages and their vmemmap cost for a given
 * size in each way daxmem can expose memory, and extrapolated to whole
 * hosts. The model is daxmem/savings_model.c; docs/savings.md derives it.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/libdaxmem.h>
#include <daxmem/savings.h>

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

static const char savings_usage[] =
	"usage: daxmemctl savings [SIZE] [options]\n"
	"Model the struct page and vmemmap memory that SIZE (default 1T) costs the host\n"
	"kernel in each mode, and the same for whole hosts of 1, 2, 8 and 64 TiB.\n"
	"\n"
	"  --backend devdax|pageless   only this backend\n"
	"  --mode devdax|compound|pageless\n"
	"                              only this mode (devdax: kernel device-dax;\n"
	"                              compound/pageless: the pdax module's modes)\n"
	"  --align 4K|2M|1G            only this alignment (compound unit size)\n"
	"  -u, --human                 a table instead of JSON\n"
	"  -h, --help                  this text\n"
	"\n"
	"See docs/savings.md for the formulas.\n";

/* One way of exposing memory, as daxmemctl create would make it. */
struct savings_config {
	const char *backend;
	const char *mode;
	uint64_t align;
	enum daxmem_memmap_kind kind;
};

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

static const uint64_t host_sizes[] = { TiB, 2 * TiB, 8 * TiB, 64 * TiB };

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
};

static int savings_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int savings_error(const char *fmt, ...)
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
	/* What /proc/vmstat nr_memmap_pages grows by: the vmemmap span, not its backing. */
	json_object_object_add(
		o, "nr_memmap_pages",
		json_object_new_int64((int64_t)(m->memmap_virtual / DAXMEM_PAGE_SIZE)));
	return o;
}

static int print_json(const struct savings_opts *o, const struct daxmem_savings_model *rows,
		      const struct savings_config *const *cfg, size_t nr,
		      const struct daxmem_savings_model (*hosts)[4])
{
	json_object *root = json_object_new_object();
	json_object *formulas = json_object_new_object();
	json_object *arr = json_object_new_array();
	size_t i, h;

	json_object_object_add(root, "size", json_object_new_int64((int64_t)o->size));
	json_object_object_add(root, "page_size", json_object_new_int64(DAXMEM_PAGE_SIZE));
	json_object_object_add(root, "struct_page_size",
			       json_object_new_int64(DAXMEM_STRUCT_PAGE_SIZE));
	json_object_object_add(formulas, "full", json_object_new_string(formula_full));
	json_object_object_add(formulas, "compound", json_object_new_string(formula_compound));
	json_object_object_add(formulas, "pageless", json_object_new_string(formula_pageless));
	json_object_object_add(root, "formulas", formulas);
	for (i = 0; i < nr; i++) {
		json_object *row = json_object_new_object();
		json_object *ext = json_object_new_array();

		json_object_object_add(row, "backend", json_object_new_string(cfg[i]->backend));
		json_object_object_add(row, "mode", json_object_new_string(cfg[i]->mode));
		json_object_object_add(row, "align", json_object_new_int64((int64_t)cfg[i]->align));
		json_object_object_add(row, "model", model_json(&rows[i]));
		/* Filled by a measurement run; the model alone leaves it null. */
		json_object_object_add(row, "measured", NULL);
		for (h = 0; h < sizeof(host_sizes) / sizeof(host_sizes[0]); h++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "host_size",
					       json_object_new_int64((int64_t)host_sizes[h]));
			json_object_object_add(
				e, "total_bytes",
				json_object_new_int64((int64_t)hosts[i][h].total_bytes));
			json_object_object_add(
				e, "saved_bytes",
				json_object_new_int64((int64_t)hosts[i][h].saved_bytes));
			json_object_array_add(ext, e);
		}
		json_object_object_add(row, "hosts", ext);
		json_object_array_add(arr, row);
	}
	json_object_object_add(root, "rows", arr);
	printf("%s\n", json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

static const char *align_name(uint64_t align)
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

static int print_table(const struct savings_opts *o, const struct daxmem_savings_model *rows,
		       const struct savings_config *const *cfg, size_t nr,
		       const struct daxmem_savings_model (*hosts)[4])
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
		const struct daxmem_savings_model *m = &rows[i];

		kinds[m->kind] = true;
		printf("%-9s %-9s %-5s %-9s %12s %12s %12s %12s %8.4f%%\n", cfg[i]->backend,
		       cfg[i]->mode, align_name(cfg[i]->align), daxmem_memmap_kind_name(m->kind),
		       daxmem_format_size(m->memmap_bytes, a, sizeof(a)),
		       daxmem_format_size(m->pagetable_bytes, b, sizeof(b)),
		       daxmem_format_size(m->total_bytes, c, sizeof(c)),
		       daxmem_format_size(m->saved_bytes, d, sizeof(d)), (double)m->ppm / 10000.0);
	}
	printf("\nthe same for a whole host (total cost)\n%-9s %-9s %-5s", "backend", "mode",
	       "align");
	for (h = 0; h < sizeof(host_sizes) / sizeof(host_sizes[0]); h++)
		printf(" %12s", daxmem_format_size(host_sizes[h], a, sizeof(a)));
	printf("\n");
	for (i = 0; i < nr; i++) {
		printf("%-9s %-9s %-5s", cfg[i]->backend, cfg[i]->mode, align_name(cfg[i]->align));
		for (h = 0; h < sizeof(host_sizes) / sizeof(host_sizes[0]); h++)
			printf(" %12s", daxmem_format_size(hosts[i][h].total_bytes, a, sizeof(a)));
		printf("\n");
	}
	printf("\nformulas\n");
	for (i = 0; i < 3; i++)
		if (kinds[i])
			printf("  %-9s %s\n", daxmem_memmap_kind_name((enum daxmem_memmap_kind)i),
			       formula((enum daxmem_memmap_kind)i));
	return 0;
}

static int parse_args(int argc, char **argv, struct savings_opts *o)
{
	enum { OPT_BACKEND = 256, OPT_MODE, OPT_ALIGN };
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "align", required_argument, NULL, OPT_ALIGN },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->size = TiB;
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
	if (optind == argc - 1 &&
	    (daxmem_parse_size(argv[optind], &o->size) || !o->size || o->size % (4 * KiB)))
		return savings_error("SIZE %s: want a multiple of 4K such as 64G or 1T",
				     argv[optind]);
	return 0;
}

int cmd_savings(int argc, char **argv)
{
	const size_t nr_configs = sizeof(configs) / sizeof(configs[0]);
	const struct savings_config *cfg[sizeof(configs) / sizeof(configs[0])];
	struct daxmem_savings_model rows[sizeof(configs) / sizeof(configs[0])];
	struct daxmem_savings_model hosts[sizeof(configs) / sizeof(configs[0])][4];
	struct savings_opts o = { 0 };
	size_t i, h, nr = 0, skipped = 0;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	for (i = 0; i < nr_configs; i++) {
		const struct savings_config *c = &configs[i];

		if (!config_selected(&o, c))
			continue;
		if (o.size % c->align) {
			skipped++;
			continue;
		}
		if (daxmem_savings_model(o.size, c->align, c->kind, &rows[nr]))
			return savings_error("SIZE is out of the model's range (at most 64P)");
		for (h = 0; h < sizeof(host_sizes) / sizeof(host_sizes[0]); h++)
			daxmem_savings_model(host_sizes[h], c->align, c->kind, &hosts[nr][h]);
		cfg[nr++] = c;
	}
	if (!nr && skipped)
		return savings_error("SIZE is not a multiple of the selected alignment");
	if (!nr)
		return savings_error("no such combination: device-dax has mode devdax only, the "
				     "pageless backend has modes compound (2M, 1G) and pageless");
	return o.human ? print_table(&o, rows, cfg, nr, hosts) :
			 print_json(&o, rows, cfg, nr, hosts);
}
