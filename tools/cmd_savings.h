/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * daxmemctl savings: what the model (cmd_savings.c), the measurement
 * (savings_measure.c) and the report (savings_report.c) share.
 */
#ifndef DAXMEMCTL_CMD_SAVINGS_H
#define DAXMEMCTL_CMD_SAVINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <daxmem/libdaxmem.h>
#include <daxmem/savings.h>

#define SAVINGS_NR_HOSTS 4

/* One way of exposing memory, as daxmemctl create would make it. */
struct savings_config {
	const char *backend;
	const char *mode;
	uint64_t align;
	enum daxmem_memmap_kind kind;
};

enum savings_status {
	SAVINGS_NOT_MEASURED, /* model only: no --measure */
	SAVINGS_MEASURED,
	SAVINGS_SKIPPED, /* the machine does not offer this mode at this size */
	SAVINGS_FAILED, /* offered, but a step failed: the reason says which */
};

struct savings_measured {
	enum savings_status status;
	char reason[320];
	int region;
	unsigned int reps; /* repetitions done */
	struct daxmem_savings_sample samples[DAXMEM_SAVINGS_MAX_REPS];
	struct daxmem_savings_sample median;
};

struct savings_row {
	const struct savings_config *cfg;
	bool has_model; /* false when SIZE is not a multiple of the align */
	struct daxmem_savings_model model;
	struct daxmem_savings_model hosts[SAVINGS_NR_HOSTS];
	struct savings_measured meas;
};

struct savings_measure_opts {
	uint64_t size;
	int region; /* -1: the first region of the backend with room */
	unsigned int reps;
	unsigned int settle_ms;
};

/* How the measurement is taken, for the JSON "measure" object and the table's notes. */
extern const char savings_method_consumed[];
extern const char savings_method_settle[];
extern const char savings_method_create[];
extern const char savings_method_first_map[];
extern const char savings_method_memmap[];
extern const char savings_method_state[];

/* One line "daxmemctl savings: ..." on stderr; returns 1. */
int savings_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Measure every row (savings_measure.c). Rows the machine does not offer
 * are marked skipped, rows whose measurement failed are marked failed;
 * neither stops the others. Every device created is destroyed; the state
 * file is not written. Returns 0, or 1 after one error line when nothing
 * could be measured at all (no library context, no temporary state).
 */
int savings_measure_rows(struct savings_row *rows, size_t nr, const struct savings_measure_opts *o);

/* The report (savings_report.c). */
json_object *savings_measured_json(const struct savings_row *row);
json_object *savings_method_json(const struct savings_measure_opts *o);
void savings_print_measured_table(const struct savings_row *rows, size_t nr,
				  const struct savings_measure_opts *o);

/*
 * "+1.50 MiB (+9.4%)": measured minus model as a signed size, with the
 * relative difference when the model is not 0. Returns buf.
 */
char *savings_format_diff(int64_t measured, int64_t model, char *buf, size_t len);
/* A signed byte count: "-512.00 KiB", "+4.00 MiB", "0 B". Returns buf. */
char *savings_format_signed_size(int64_t bytes, char *buf, size_t len);
/* A duration: "850 us", "12.3 ms", "2.10 s". Returns buf. */
char *savings_format_ns(int64_t ns, char *buf, size_t len);
/*
 * What a measured nr_memmap_pages delta counts, against the model: "backed"
 * (the real vmemmap pages: memmap_bytes / 4096), "span" (the vmemmap
 * address span: kernels before the DAX vmemmap accounting fix), "either"
 * (a full memmap or none, where the two are the same), or "neither".
 */
const char *savings_memmap_counts(int64_t measured, const struct daxmem_savings_model *m);
/* "4K", "2M", "1G" */
const char *savings_align_name(uint64_t align);

#endif /* DAXMEMCTL_CMD_SAVINGS_H */
