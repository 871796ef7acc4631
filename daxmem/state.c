// SPDX-License-Identifier: LGPL-2.1
/* State document <-> JSON (json-c). Pure: no files, no locks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "state.h"

/* page_offset is stored in 4 KiB pages, as device-dax's mappingN/page_offset */
#define STATE_PAGE 4096ULL

void daxmem_state_init(struct daxmem_state *st)
{
	memset(st, 0, sizeof(*st));
	st->version = DAXMEM_STATE_VERSION;
}

static void state_dev_clear(struct daxmem_state_dev *d)
{
	free(d->name);
	free(d->chardev);
	free(d->label);
	free(d->ranges);
	memset(d, 0, sizeof(*d));
}

void daxmem_state_clear(struct daxmem_state *st)
{
	size_t i;

	for (i = 0; i < st->nr_devs; i++)
		state_dev_clear(&st->devs[i]);
	free(st->devs);
	free(st->regions);
	free(st->backends);
	free(st->poisoned);
	daxmem_state_init(st);
}

uint64_t daxmem_state_dev_size(const struct daxmem_state_dev *d)
{
	uint64_t size = 0;
	size_t i;

	for (i = 0; i < d->nr_ranges; i++)
		size += daxmem_range_size(&d->ranges[i]);
	return size;
}

long daxmem_state_find_dev(const struct daxmem_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nr_devs; i++)
		if (strcmp(st->devs[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int state_dev_copy(struct daxmem_state_dev *dst, const struct daxmem_state_dev *src)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->chardev = strdup(src->chardev ? src->chardev : "");
	dst->label = src->label ? strdup(src->label) : NULL;
	dst->ranges = calloc(src->nr_ranges ? src->nr_ranges : 1, sizeof(*dst->ranges));
	if (!dst->name || !dst->chardev || (src->label && !dst->label) || !dst->ranges) {
		state_dev_clear(dst);
		return -ENOMEM;
	}
	memcpy(dst->ranges, src->ranges, src->nr_ranges * sizeof(*dst->ranges));
	return 0;
}

int daxmem_state_put_dev(struct daxmem_state *st, const struct daxmem_state_dev *d)
{
	long i = daxmem_state_find_dev(st, d->name);
	struct daxmem_state_dev copy;
	int rc;

	rc = state_dev_copy(&copy, d);
	if (rc)
		return rc;
	if (i >= 0) {
		state_dev_clear(&st->devs[i]);
		st->devs[i] = copy;
		return 0;
	}
	struct daxmem_state_dev *n = realloc(st->devs, (st->nr_devs + 1) * sizeof(*n));

	if (!n) {
		state_dev_clear(&copy);
		return -ENOMEM;
	}
	st->devs = n;
	st->devs[st->nr_devs++] = copy;
	return 0;
}

void daxmem_state_unique_name(const struct daxmem_state *st, const char *base, char *buf,
			      size_t len)
{
	unsigned int n = 1;

	snprintf(buf, len, "%s", base);
	while (daxmem_state_find_dev(st, buf) >= 0)
		snprintf(buf, len, "%s-%u", base, n++);
}

void daxmem_state_remove_dev(struct daxmem_state *st, size_t i)
{
	state_dev_clear(&st->devs[i]);
	memmove(&st->devs[i], &st->devs[i + 1], (st->nr_devs - i - 1) * sizeof(*st->devs));
	st->nr_devs--;
}

const struct daxmem_state_region *daxmem_state_find_region(const struct daxmem_state *st,
							   enum daxmem_backend backend, int id)
{
	size_t i;

	for (i = 0; i < st->nr_regions; i++)
		if (st->regions[i].backend == backend && st->regions[i].id == id)
			return &st->regions[i];
	return NULL;
}

int daxmem_state_put_region(struct daxmem_state *st, const struct daxmem_state_region *r)
{
	struct daxmem_state_region *n;
	size_t i;

	for (i = 0; i < st->nr_regions; i++) {
		if (st->regions[i].backend == r->backend && st->regions[i].id == r->id) {
			st->regions[i] = *r;
			return 0;
		}
	}
	n = realloc(st->regions, (st->nr_regions + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	st->regions = n;
	st->regions[st->nr_regions++] = *r;
	return 0;
}

const struct daxmem_state_backend *daxmem_state_find_backend(const struct daxmem_state *st,
							     uint64_t start)
{
	size_t i;

	for (i = 0; i < st->nr_backends; i++)
		if (st->backends[i].start == start)
			return &st->backends[i];
	return NULL;
}

int daxmem_state_put_backend(struct daxmem_state *st, const struct daxmem_state_backend *b)
{
	struct daxmem_state_backend *n;
	size_t i;

	for (i = 0; i < st->nr_backends; i++) {
		if (st->backends[i].start == b->start) {
			st->backends[i] = *b;
			return 0;
		}
	}
	n = realloc(st->backends, (st->nr_backends + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	st->backends = n;
	st->backends[st->nr_backends++] = *b;
	return 0;
}

int daxmem_state_add_poison(struct daxmem_state *st, uint64_t start, uint64_t end)
{
	struct daxmem_range *n;
	size_t i = 0;

	if (end < start)
		return -EINVAL;
	/* absorb every entry that overlaps or touches [start, end] */
	while (i < st->nr_poisoned) {
		struct daxmem_range *p = &st->poisoned[i];

		if (p->start <= end + 1 && start <= p->end + 1 && end != UINT64_MAX) {
			start = p->start < start ? p->start : start;
			end = p->end > end ? p->end : end;
			memmove(p, p + 1, (st->nr_poisoned - i - 1) * sizeof(*p));
			st->nr_poisoned--;
			continue;
		}
		i++;
	}
	n = realloc(st->poisoned, (st->nr_poisoned + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	st->poisoned = n;
	for (i = st->nr_poisoned; i > 0 && n[i - 1].start > start; i--)
		n[i] = n[i - 1];
	n[i] = (struct daxmem_range){ start, end, 0 };
	st->nr_poisoned++;
	return 0;
}

static struct json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *range_to_json(const struct daxmem_range *r, bool with_offset)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (with_offset)
		json_object_object_add(o, "page_offset", json_u64(r->page_offset / STATE_PAGE));
	json_object_object_add(o, "start", json_u64(r->start));
	json_object_object_add(o, "end", json_u64(r->end));
	json_object_object_add(o, "size", json_u64(daxmem_range_size(r)));
	return o;
}

static struct json_object *dev_to_json(const struct daxmem_state_dev *d)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "chardev", json_object_new_string(d->chardev));
	json_object_object_add(o, "backend",
			       json_object_new_string(daxmem_backend_name(d->backend)));
	json_object_object_add(o, "region", json_object_new_int(d->region));
	json_object_object_add(o, "align", json_u64(d->align));
	json_object_object_add(o, "mode", json_object_new_string(daxmem_mode_name(d->mode)));
	json_object_object_add(o, "size", json_u64(daxmem_state_dev_size(d)));
	json_object_object_add(o, "preserved", json_object_new_boolean(d->preserved));
	if (d->label)
		json_object_object_add(o, "label", json_object_new_string(d->label));
	a = json_object_new_array();
	for (i = 0; i < d->nr_ranges; i++)
		json_object_array_add(a, range_to_json(&d->ranges[i], true));
	json_object_object_add(o, "ranges", a);
	return o;
}

char *daxmem_state_format(const struct daxmem_state *st)
{
	struct json_object *root = json_object_new_object(), *a, *r;
	char *text = NULL;
	size_t i;

	if (!root)
		return NULL;
	json_object_object_add(root, "format", json_object_new_string(DAXMEM_STATE_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(DAXMEM_STATE_VERSION));
	a = json_object_new_array();
	for (i = 0; i < st->nr_regions; i++) {
		r = json_object_new_object();
		json_object_object_add(
			r, "backend",
			json_object_new_string(daxmem_backend_name(st->regions[i].backend)));
		json_object_object_add(r, "id", json_object_new_int(st->regions[i].id));
		json_object_object_add(r, "start", json_u64(st->regions[i].start));
		json_object_object_add(r, "size", json_u64(st->regions[i].size));
		json_object_array_add(a, r);
	}
	json_object_object_add(root, "regions", a);
	/* only when some range was reconfigured: older files stay as they were */
	if (st->nr_backends) {
		a = json_object_new_array();
		for (i = 0; i < st->nr_backends; i++) {
			const struct daxmem_state_backend *b = &st->backends[i];

			r = json_object_new_object();
			json_object_object_add(r, "start", json_u64(b->start));
			json_object_object_add(r, "end", json_u64(b->end));
			json_object_object_add(
				r, "backend",
				json_object_new_string(daxmem_backend_name(b->backend)));
			if (b->hmem[0])
				json_object_object_add(r, "hmem", json_object_new_string(b->hmem));
			json_object_array_add(a, r);
		}
		json_object_object_add(root, "backends", a);
	}
	a = json_object_new_array();
	for (i = 0; i < st->nr_devs; i++)
		json_object_array_add(a, dev_to_json(&st->devs[i]));
	json_object_object_add(root, "devices", a);
	a = json_object_new_array();
	for (i = 0; i < st->nr_poisoned; i++)
		json_object_array_add(a, range_to_json(&st->poisoned[i], false));
	json_object_object_add(root, "poisoned", a);

	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_SPACED);
	if (s && asprintf(&text, "%s\n", s) < 0)
		text = NULL;
	json_object_put(root);
	return text;
}

/* parsing: every accessor records the first problem in the parser */
struct parser {
	char *err;
	size_t errlen;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static struct json_object *get(struct parser *p, struct json_object *o, const char *where,
			       const char *key, enum json_type type, bool optional)
{
	struct json_object *v;

	if (p->failed)
		return NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (!optional)
			fail(p, "%s: missing \"%s\"", where, key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		fail(p, "%s: \"%s\" has the wrong type", where, key);
		return NULL;
	}
	return v;
}

static uint64_t get_u64(struct parser *p, struct json_object *o, const char *where, const char *key)
{
	struct json_object *v = get(p, o, where, key, json_type_int, false);

	if (!v)
		return 0;
	if (json_object_get_int64(v) < 0) {
		fail(p, "%s: \"%s\" is negative", where, key);
		return 0;
	}
	return json_object_get_uint64(v);
}

static const char *get_str(struct parser *p, struct json_object *o, const char *where,
			   const char *key, bool optional)
{
	struct json_object *v = get(p, o, where, key, json_type_string, optional);

	return v ? json_object_get_string(v) : NULL;
}

static void parse_range(struct parser *p, struct json_object *o, const char *where,
			struct daxmem_range *r, bool with_offset)
{
	r->start = get_u64(p, o, where, "start");
	r->end = get_u64(p, o, where, "end");
	r->page_offset = with_offset ? get_u64(p, o, where, "page_offset") * STATE_PAGE : 0;
	if (!p->failed && r->end < r->start)
		fail(p, "%s: end below start", where);
	if (!p->failed && get(p, o, where, "size", json_type_int, true) &&
	    get_u64(p, o, where, "size") != daxmem_range_size(r))
		fail(p, "%s: size does not match start and end", where);
}

static void parse_dev(struct parser *p, struct json_object *o, size_t idx,
		      struct daxmem_state_dev *d)
{
	char where[64];
	struct json_object *a, *v;
	const char *s;
	uint64_t offset = 0;
	size_t i;

	snprintf(where, sizeof(where), "devices[%zu]", idx);
	if (!json_object_is_type(o, json_type_object)) {
		fail(p, "%s: not an object", where);
		return;
	}
	s = get_str(p, o, where, "name", false);
	d->name = s ? strdup(s) : NULL;
	s = get_str(p, o, where, "chardev", false);
	d->chardev = s ? strdup(s) : NULL;
	s = get_str(p, o, where, "label", true);
	d->label = s ? strdup(s) : NULL;
	s = get_str(p, o, where, "backend", false);
	if (s && daxmem_backend_from_name(s, &d->backend))
		fail(p, "%s: unknown backend \"%s\"", where, s);
	v = get(p, o, where, "region", json_type_int, false);
	d->region = v ? json_object_get_int(v) : 0;
	d->align = get_u64(p, o, where, "align");
	if (!p->failed && (!d->align || (d->align & (d->align - 1))))
		fail(p, "%s: align is not a power of two", where);
	s = get_str(p, o, where, "mode", false);
	if (s && daxmem_mode_from_name(s, &d->mode))
		fail(p, "%s: unknown mode \"%s\"", where, s);
	v = get(p, o, where, "preserved", json_type_boolean, false);
	d->preserved = v ? json_object_get_boolean(v) : false;
	a = get(p, o, where, "ranges", json_type_array, false);
	if (p->failed)
		return;
	if (!d->name || !*d->name) {
		fail(p, "%s: empty name", where);
		return;
	}
	d->nr_ranges = json_object_array_length(a);
	d->ranges = calloc(d->nr_ranges ? d->nr_ranges : 1, sizeof(*d->ranges));
	if (!d->ranges) {
		fail(p, "out of memory");
		return;
	}
	for (i = 0; i < d->nr_ranges && !p->failed; i++) {
		char rwhere[96];

		snprintf(rwhere, sizeof(rwhere), "%s.ranges[%zu]", where, i);
		parse_range(p, json_object_array_get_idx(a, i), rwhere, &d->ranges[i], true);
		if (!p->failed && d->ranges[i].page_offset != offset)
			fail(p, "%s: page_offset %#llx, expected %#llx", rwhere,
			     (unsigned long long)d->ranges[i].page_offset,
			     (unsigned long long)offset);
		offset += daxmem_range_size(&d->ranges[i]);
	}
	if (!p->failed && get(p, o, where, "size", json_type_int, true) &&
	    get_u64(p, o, where, "size") != offset)
		fail(p, "%s: size does not match its ranges", where);
}

int daxmem_state_parse(const char *text, size_t len, struct daxmem_state *st, char *err,
		       size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen };
	struct json_tokener *tok;
	struct json_object *root, *a, *v;
	const char *s;
	size_t i, n;

	daxmem_state_init(st);
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);

		if (root && jerr == json_tokener_success)
			fail(&p, "trailing data at byte %d", tok->char_offset);
		else if (jerr == json_tokener_continue)
			fail(&p, "truncated at byte %zu", len);
		else
			fail(&p, "JSON error at byte %d: %s", tok->char_offset,
			     json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		json_object_put(root);
		return -EBADMSG;
	}
	json_tokener_free(tok);

	if (!json_object_is_type(root, json_type_object)) {
		fail(&p, "not a JSON object");
		goto bad;
	}
	s = get_str(&p, root, "document", "format", false);
	if (s && strcmp(s, DAXMEM_STATE_FORMAT) != 0)
		fail(&p, "format is \"%s\", not \"%s\"", s, DAXMEM_STATE_FORMAT);
	v = get(&p, root, "document", "version", json_type_int, false);
	if (p.failed)
		goto bad;
	st->version = json_object_get_int(v);
	if (st->version > DAXMEM_STATE_VERSION) {
		fail(&p, "format version %d is newer than this daxmem (%d)", st->version,
		     DAXMEM_STATE_VERSION);
		json_object_put(root);
		daxmem_state_clear(st);
		return -EPROTONOSUPPORT;
	}
	if (st->version < 1)
		fail(&p, "format version %d is invalid", st->version);

	a = get(&p, root, "document", "regions", json_type_array, true);
	n = a ? json_object_array_length(a) : 0;
	for (i = 0; i < n && !p.failed; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct daxmem_state_region r = { 0 };
		char where[32];

		snprintf(where, sizeof(where), "regions[%zu]", i);
		s = get_str(&p, o, where, "backend", false);
		if (s && daxmem_backend_from_name(s, &r.backend))
			fail(&p, "%s: unknown backend \"%s\"", where, s);
		v = get(&p, o, where, "id", json_type_int, false);
		r.start = get_u64(&p, o, where, "start");
		r.size = get_u64(&p, o, where, "size");
		if (!p.failed) {
			r.id = json_object_get_int(v);
			if (daxmem_state_put_region(st, &r))
				fail(&p, "out of memory");
		}
	}

	a = get(&p, root, "document", "backends", json_type_array, true);
	n = a ? json_object_array_length(a) : 0;
	for (i = 0; i < n && !p.failed; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		struct daxmem_state_backend b = { 0 };
		char where[32];

		snprintf(where, sizeof(where), "backends[%zu]", i);
		b.start = get_u64(&p, o, where, "start");
		b.end = get_u64(&p, o, where, "end");
		s = get_str(&p, o, where, "backend", false);
		if (s && daxmem_backend_from_name(s, &b.backend))
			fail(&p, "%s: unknown backend \"%s\"", where, s);
		if (!p.failed && b.end < b.start)
			fail(&p, "%s: end below start", where);
		s = get_str(&p, o, where, "hmem", true);
		if (s && snprintf(b.hmem, sizeof(b.hmem), "%s", s) >= (int)sizeof(b.hmem))
			fail(&p, "%s: hmem \"%s\" too long", where, s);
		if (!p.failed && daxmem_state_find_backend(st, b.start))
			fail(&p, "%s: start %#llx recorded twice", where,
			     (unsigned long long)b.start);
		if (!p.failed && daxmem_state_put_backend(st, &b))
			fail(&p, "out of memory");
	}

	a = get(&p, root, "document", "devices", json_type_array, false);
	n = a ? json_object_array_length(a) : 0;
	for (i = 0; i < n && !p.failed; i++) {
		struct daxmem_state_dev d = { 0 };

		parse_dev(&p, json_object_array_get_idx(a, i), i, &d);
		if (!p.failed && daxmem_state_find_dev(st, d.name) >= 0)
			fail(&p, "devices[%zu]: name \"%s\" recorded twice", i, d.name);
		if (!p.failed && daxmem_state_put_dev(st, &d))
			fail(&p, "out of memory");
		state_dev_clear(&d);
	}

	a = get(&p, root, "document", "poisoned", json_type_array, true);
	n = a ? json_object_array_length(a) : 0;
	for (i = 0; i < n && !p.failed; i++) {
		struct daxmem_range r;
		char where[32];

		snprintf(where, sizeof(where), "poisoned[%zu]", i);
		parse_range(&p, json_object_array_get_idx(a, i), where, &r, false);
		if (!p.failed && daxmem_state_add_poison(st, r.start, r.end))
			fail(&p, "out of memory");
	}
	if (p.failed)
		goto bad;
	json_object_put(root);
	return 0;
bad:
	json_object_put(root);
	daxmem_state_clear(st);
	return -EBADMSG;
}
