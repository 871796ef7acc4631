// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxmemctl savings --measure: the measurement beside the model, as JSON
 * and as a table, and the formatting of differences and durations.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd_savings.h"

const char savings_method_consumed[] =
	"MemFree plus the per-CPU free lists (/proc/zoneinfo count) before create minus with the "
	"device created and open, not mapped (pdax compound builds its memmap on open; "
	"created_bytes is the same before the open)";
const char savings_method_settle[] =
	"before each reading: sync, drop_caches=3, compact_memory=1, then sleep";
const char savings_method_create[] =
	"daxmem_dev_create of a preserved device (not zeroed): allocate, configure, enable "
	"(the memmap is built here), record";
const char savings_method_first_map[] =
	"first open, mmap of the whole device and a read of the first byte of every align unit "
	"(one fault per unit), not a populate of every page";
const char savings_method_memmap[] =
	"/proc/vmstat nr_memmap_pages delta (Linux 6.11+): struct page memory only, no page "
	"tables; kernels with the DAX vmemmap accounting fix count the real (deduplicated) "
	"vmemmap pages, older ones the vmemmap span, see nr_memmap_counts";
const char savings_method_state[] =
	"devices are recorded in a private copy of the state file; the state file is not written";

static const char *status_name(enum savings_status s)
{
	switch (s) {
	case SAVINGS_MEASURED:
		return "measured";
	case SAVINGS_SKIPPED:
		return "skipped";
	case SAVINGS_FAILED:
		return "failed";
	case SAVINGS_NOT_MEASURED:
		break;
	}
	return "not measured";
}

char *savings_format_signed_size(int64_t bytes, char *buf, size_t len)
{
	char v[32];
	uint64_t mag = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;

	if (!bytes) {
		snprintf(buf, len, "0 B");
		return buf;
	}
	snprintf(buf, len, "%c%s", bytes < 0 ? '-' : '+', daxmem_format_size(mag, v, sizeof(v)));
	return buf;
}

char *savings_format_diff(int64_t measured, int64_t model, char *buf, size_t len)
{
	char d[40];

	savings_format_signed_size(measured - model, d, sizeof(d));
	if (model)
		snprintf(buf, len, "%s (%+.1f%%)", d,
			 ((double)measured - (double)model) * 100.0 / (double)model);
	else
		snprintf(buf, len, "%s", d);
	return buf;
}

char *savings_format_ns(int64_t ns, char *buf, size_t len)
{
	double v = (double)ns;

	if (ns < 1000000)
		snprintf(buf, len, "%lld us", (long long)(ns / 1000));
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", v / 1e6);
	else
		snprintf(buf, len, "%.2f s", v / 1e9);
	return buf;
}

const char *savings_memmap_counts(int64_t measured, const struct daxmem_savings_model *m)
{
	int64_t backed = (int64_t)(m->memmap_bytes / DAXMEM_PAGE_SIZE);
	int64_t span = (int64_t)(m->memmap_virtual / DAXMEM_PAGE_SIZE);

	if (measured == backed)
		return backed == span ? "either" : "backed";
	return measured == span ? "span" : "neither";
}

static json_object *sample_json(const struct daxmem_savings_sample *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "chardev", json_object_new_string(s->chardev));
	json_object_object_add(o, "memfree_drop", json_object_new_int64(s->memfree_drop));
	json_object_object_add(o, "memtotal_drop", json_object_new_int64(s->memtotal_drop));
	json_object_object_add(o, "nr_memmap_pages",
			       s->memmap_known ? json_object_new_int64(s->memmap_pages) : NULL);
	json_object_object_add(o, "memfree_left", json_object_new_int64(s->memfree_left));
	json_object_object_add(o, "create_ns", json_object_new_int64(s->create_ns));
	json_object_object_add(o, "memfree_created", json_object_new_int64(s->memfree_created));
	json_object_object_add(o, "open_ns", json_object_new_int64(s->open_ns));
	json_object_object_add(o, "map_ns", json_object_new_int64(s->map_ns));
	return o;
}

static json_object *difference_json(const struct savings_row *r)
{
	const struct daxmem_savings_sample *m = &r->meas.median;
	int64_t model = (int64_t)r->model.total_bytes;
	int64_t model_memmap = (int64_t)(r->model.memmap_bytes / DAXMEM_PAGE_SIZE);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "bytes", json_object_new_int64(m->memfree_drop - model));
	json_object_object_add(
		o, "percent",
		model ? json_object_new_double(round(((double)m->memfree_drop - (double)model) *
						     1000.0 / (double)model) /
					       10.0) :
			NULL);
	json_object_object_add(
		o, "nr_memmap_pages",
		m->memmap_known ? json_object_new_int64(m->memmap_pages - model_memmap) : NULL);
	return o;
}

json_object *savings_measured_json(const struct savings_row *r)
{
	const struct savings_measured *me = &r->meas;
	json_object *o, *samples;
	unsigned int i;

	if (me->status == SAVINGS_NOT_MEASURED)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(status_name(me->status)));
	if (me->status != SAVINGS_MEASURED) {
		json_object_object_add(o, "reason", json_object_new_string(me->reason));
		return o;
	}
	json_object_object_add(o, "region", json_object_new_int(me->region));
	json_object_object_add(o, "chardev", json_object_new_string(me->median.chardev));
	json_object_object_add(o, "reps", json_object_new_int((int)me->reps));
	json_object_object_add(o, "align_units",
			       json_object_new_int64((int64_t)(r->model.size / r->cfg->align)));
	json_object_object_add(o, "consumed_bytes", json_object_new_int64(me->median.memfree_drop));
	json_object_object_add(o, "created_bytes",
			       json_object_new_int64(me->median.memfree_created));
	json_object_object_add(o, "memtotal_drop", json_object_new_int64(me->median.memtotal_drop));
	json_object_object_add(
		o, "nr_memmap_pages",
		me->median.memmap_known ? json_object_new_int64(me->median.memmap_pages) : NULL);
	json_object_object_add(o, "memfree_left", json_object_new_int64(me->median.memfree_left));
	json_object_object_add(o, "create_ns", json_object_new_int64(me->median.create_ns));
	json_object_object_add(o, "open_ns", json_object_new_int64(me->median.open_ns));
	json_object_object_add(o, "map_ns", json_object_new_int64(me->median.map_ns));
	json_object_object_add(o, "first_map_ns",
			       json_object_new_int64(me->median.open_ns + me->median.map_ns));
	json_object_object_add(o, "difference", difference_json(r));
	samples = json_object_new_array();
	for (i = 0; i < me->reps; i++)
		json_object_array_add(samples, sample_json(&me->samples[i]));
	json_object_object_add(o, "samples", samples);
	return o;
}

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) ? "unknown" : u.release;
}

json_object *savings_method_json(const struct savings_measure_opts *o)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "kernel", json_object_new_string(kernel_release()));
	json_object_object_add(m, "reps", json_object_new_int((int)o->reps));
	json_object_object_add(m, "statistic", json_object_new_string("median"));
	json_object_object_add(m, "settle_ms", json_object_new_int((int)o->settle_ms));
	json_object_object_add(m, "settle", json_object_new_string(savings_method_settle));
	json_object_object_add(m, "consumed", json_object_new_string(savings_method_consumed));
	json_object_object_add(m, "nr_memmap_pages", json_object_new_string(savings_method_memmap));
	json_object_object_add(m, "create", json_object_new_string(savings_method_create));
	json_object_object_add(m, "first_map", json_object_new_string(savings_method_first_map));
	json_object_object_add(m, "state", json_object_new_string(savings_method_state));
	return m;
}

/* an unsigned-looking size for positive values, signed otherwise */
static char *size_cell(int64_t v, char *buf, size_t len)
{
	savings_format_signed_size(v, buf, len);
	if (v > 0)
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

static void print_measured_row(const struct savings_row *r)
{
	const struct savings_config *c = r->cfg;
	const struct daxmem_savings_sample *m = &r->meas.median;
	char model[32], created[32], meas[32], diff[48], left[32], mm[24], t1[24], t2[24];

	printf("%-9s %-9s %-5s ", c->backend, c->mode, savings_align_name(c->align));
	if (r->meas.status != SAVINGS_MEASURED) {
		printf("%-6s %11s  %s: %s\n", "-",
		       r->has_model ?
			       daxmem_format_size(r->model.total_bytes, model, sizeof(model)) :
			       "-",
		       status_name(r->meas.status), r->meas.reason);
		return;
	}
	if (m->memmap_known)
		snprintf(mm, sizeof(mm), "%lld", (long long)m->memmap_pages);
	else
		snprintf(mm, sizeof(mm), "-");
	printf("%-6d %11s %11s %11s  %-22s %11s %8llu %8s %10s %10s\n", r->meas.region,
	       daxmem_format_size(r->model.total_bytes, model, sizeof(model)),
	       size_cell(m->memfree_created, created, sizeof(created)),
	       size_cell(m->memfree_drop, meas, sizeof(meas)),
	       savings_format_diff(m->memfree_drop, (int64_t)r->model.total_bytes, diff,
				   sizeof(diff)),
	       size_cell(m->memfree_left, left, sizeof(left)),
	       (unsigned long long)(r->model.memmap_bytes / DAXMEM_PAGE_SIZE), mm,
	       savings_format_ns(m->create_ns, t1, sizeof(t1)),
	       savings_format_ns(m->open_ns + m->map_ns, t2, sizeof(t2)));
}

void savings_print_measured_table(const struct savings_row *rows, size_t nr,
				  const struct savings_measure_opts *o)
{
	char s[32];
	size_t i;

	printf("\nmeasured on this machine (Linux %s): %s per mode, median of %u\n",
	       kernel_release(), daxmem_format_size(o->size, s, sizeof(s)), o->reps);
	printf("%-9s %-9s %-5s %-6s %11s %11s %11s  %-22s %11s %17s %10s %10s\n", "", "", "", "",
	       "model", "MemFree", "MemFree", "", "left after", "nr_memmap_pages", "", "");
	printf("%-9s %-9s %-5s %-6s %11s %11s %11s  %-22s %11s %8s %8s %10s %10s\n", "backend",
	       "mode", "align", "region", "total", "at create", "consumed", "difference", "destroy",
	       "model", "measured", "create", "first map");
	for (i = 0; i < nr; i++)
		print_measured_row(&rows[i]);
	printf("\nconsumed:        %s\n", savings_method_consumed);
	printf("settle:          %s %u ms\n", savings_method_settle, o->settle_ms);
	printf("nr_memmap_pages: %s\n", savings_method_memmap);
	printf("create:          %s\n", savings_method_create);
	printf("first map:       %s\n", savings_method_first_map);
	printf("state:           %s\n", savings_method_state);
}
