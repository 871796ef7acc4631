// SPDX-License-Identifier: LGPL-2.1
/*
 * Live-update metadata image: encode, validate and decode (pure), and the
 * carve it is bound to. The device it lives in is handled in
 * metadata_dev.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/carve.h>
#include <daxmem/metadata.h>

#include "unaligned.h"
#include "util/crc32.h"

/* header field offsets */
#define H_MAGIC 0
#define H_VERSION 8
#define H_HDRSIZE 12
#define H_LENGTH 16
#define H_REALTIME 24
#define H_BOOTTIME 32
#define H_NR_CARVE 40
#define H_NR_RECORDS 44
#define H_CRC 48
#define H_FLAGS 52
#define H_CAPACITY 56

#define CARVE_ENTRY 16
#define RECORD_HEAD 16

static const char *const kind_names[] = {
	[DAXMEM_META_STATE] = "state",
	[DAXMEM_META_VMM] = "vmm",
	[DAXMEM_META_FILE] = "file",
};

const char *daxmem_meta_kind_name(enum daxmem_meta_kind kind)
{
	if (kind < DAXMEM_META_STATE || kind > DAXMEM_META_FILE)
		return "unknown";
	return kind_names[kind];
}

int daxmem_meta_kind_from_name(const char *name, enum daxmem_meta_kind *kind)
{
	int k;

	for (k = DAXMEM_META_STATE; k <= DAXMEM_META_FILE; k++)
		if (!strcmp(name, kind_names[k])) {
			*kind = k;
			return 0;
		}
	return -EINVAL;
}

uint32_t daxmem_crc32(uint32_t crc, const void *buf, size_t len)
{
	return util_crc32(crc, buf, len);
}

void daxmem_meta_init(struct daxmem_meta *m)
{
	memset(m, 0, sizeof(*m));
}

void daxmem_meta_release(struct daxmem_meta *m)
{
	free(m->records);
	daxmem_meta_init(m);
}

static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len < DAXMEM_META_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

int daxmem_meta_add_record(struct daxmem_meta *m, enum daxmem_meta_kind kind, const char *name,
			   const void *data, uint64_t len)
{
	struct daxmem_meta_record *r;

	if (!name_valid(name) || kind < DAXMEM_META_STATE || kind > DAXMEM_META_FILE)
		return -EINVAL;
	/* one state document: restore takes the first, extract writes each to state.json */
	if (daxmem_meta_find(m, kind, kind == DAXMEM_META_STATE ? NULL : name))
		return -EEXIST;
	if (m->nr_records >= DAXMEM_META_MAX_RECORDS)
		return -E2BIG;
	r = realloc(m->records, (m->nr_records + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	m->records = r;
	r = &m->records[m->nr_records++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->data = data;
	r->len = len;
	return 0;
}

const struct daxmem_meta_record *daxmem_meta_find(const struct daxmem_meta *m,
						  enum daxmem_meta_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < m->nr_records; i++)
		if (m->records[i].kind == kind && (!name || !strcmp(m->records[i].name, name)))
			return &m->records[i];
	return NULL;
}

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

uint64_t daxmem_meta_image_size(const struct daxmem_meta *m)
{
	uint64_t n = DAXMEM_META_HEADER_SIZE + m->nr_carve * CARVE_ENTRY;
	size_t i;

	for (i = 0; i < m->nr_records; i++)
		n += RECORD_HEAD + pad8(strlen(m->records[i].name)) + pad8(m->records[i].len);
	return n;
}

int daxmem_meta_encode(const struct daxmem_meta *m, void *buf, size_t cap)
{
	uint64_t len = daxmem_meta_image_size(m), pos;
	uint8_t *p = buf;
	size_t i;

	if (len > cap)
		return -ENOSPC;
	memset(p, 0, len);
	memcpy(p + H_MAGIC, DAXMEM_META_MAGIC, 8);
	put32(p + H_VERSION, DAXMEM_META_VERSION);
	put32(p + H_HDRSIZE, DAXMEM_META_HEADER_SIZE);
	put64(p + H_LENGTH, len);
	put64(p + H_REALTIME, m->saved_realtime_ns);
	put64(p + H_BOOTTIME, m->saved_boottime_ns);
	put32(p + H_NR_CARVE, (uint32_t)m->nr_carve);
	put32(p + H_NR_RECORDS, (uint32_t)m->nr_records);
	put32(p + H_FLAGS, m->flags);
	put64(p + H_CAPACITY, m->capacity ? m->capacity : cap);
	pos = DAXMEM_META_HEADER_SIZE;
	for (i = 0; i < m->nr_carve; i++, pos += CARVE_ENTRY) {
		put64(p + pos, m->carve[i].start);
		put64(p + pos + 8, m->carve[i].end);
	}
	for (i = 0; i < m->nr_records; i++) {
		const struct daxmem_meta_record *r = &m->records[i];
		size_t nlen = strlen(r->name);

		put32(p + pos, r->kind);
		put32(p + pos + 4, (uint32_t)nlen);
		put64(p + pos + 8, r->len);
		pos += RECORD_HEAD;
		memcpy(p + pos, r->name, nlen);
		pos += pad8(nlen);
		if (r->len)
			memcpy(p + pos, r->data, r->len);
		pos += pad8(r->len);
	}
	put32(p + H_CRC, daxmem_crc32(0, p, len));
	return 0;
}

uint64_t daxmem_meta_image_length(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t n;

	if (len < DAXMEM_META_HEADER_SIZE || memcmp(p, DAXMEM_META_MAGIC, 8))
		return 0;
	n = get64(p + H_LENGTH);
	return n >= DAXMEM_META_HEADER_SIZE && n <= len ? n : 0;
}

static uint32_t image_crc(const uint8_t *p, uint64_t len);

int daxmem_meta_set_flags(void *buf, size_t len, uint32_t flags)
{
	uint8_t *p = buf;
	uint64_t n = daxmem_meta_image_length(buf, len);

	if (!n)
		return -ENOENT;
	put32(p + H_FLAGS, get32(p + H_FLAGS) | flags);
	put32(p + H_CRC, image_crc(p, n));
	return 0;
}

static int bad(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static uint32_t image_crc(const uint8_t *p, uint64_t len)
{
	static const uint8_t zero[4];
	uint32_t crc;

	crc = daxmem_crc32(0, p, H_CRC);
	crc = daxmem_crc32(crc, zero, sizeof(zero));
	return daxmem_crc32(crc, p + H_CRC + 4, len - H_CRC - 4);
}

static int decode_records(const uint8_t *p, uint64_t len, uint64_t pos, uint32_t nr,
			  struct daxmem_meta *m, char *why, size_t whylen)
{
	uint32_t i;
	int rc;

	for (i = 0; i < nr; i++) {
		uint32_t kind, nlen;
		uint64_t dlen;
		char name[DAXMEM_META_NAME_MAX];

		if (len - pos < RECORD_HEAD)
			return bad(why, whylen, "record %u: past the end of the image", i);
		kind = get32(p + pos);
		nlen = get32(p + pos + 4);
		dlen = get64(p + pos + 8);
		pos += RECORD_HEAD;
		if (!nlen || nlen >= DAXMEM_META_NAME_MAX || pad8(nlen) > len - pos)
			return bad(why, whylen, "record %u: name length %u out of range", i, nlen);
		memcpy(name, p + pos, nlen);
		name[nlen] = '\0';
		pos += pad8(nlen);
		if (strlen(name) != nlen || !name_valid(name))
			return bad(why, whylen, "record %u: invalid name", i);
		if (dlen > len - pos || pad8(dlen) > len - pos)
			return bad(why, whylen, "record %u (%s): %llu bytes of data past the end",
				   i, name, (unsigned long long)dlen);
		/* kinds this version does not know are skipped: a newer writer may add some */
		if (kind >= DAXMEM_META_STATE && kind <= DAXMEM_META_FILE) {
			rc = daxmem_meta_add_record(m, kind, name, p + pos, dlen);
			if (rc == -EEXIST && kind == DAXMEM_META_STATE)
				return bad(why, whylen, "record %u: a second state document (%s)", i,
					   name);
			if (rc == -EEXIST)
				return bad(why, whylen, "record %u: %s %s appears twice", i,
					   daxmem_meta_kind_name(kind), name);
			if (rc)
				return rc;
		}
		pos += pad8(dlen);
	}
	if (pos != len)
		return bad(why, whylen, "%llu bytes after the last record",
			   (unsigned long long)(len - pos));
	return 0;
}

int daxmem_meta_decode(const void *buf, size_t buflen, struct daxmem_meta *m, char *why,
		       size_t whylen)
{
	const uint8_t *p = buf;
	uint32_t version, hdr, nr_carve, nr_records, crc;
	uint64_t len, pos;
	uint32_t i;
	int rc;

	daxmem_meta_init(m);
	snprintf(why, whylen, "ok");
	if (buflen < DAXMEM_META_HEADER_SIZE || memcmp(p, DAXMEM_META_MAGIC, 8)) {
		snprintf(why, whylen, "no metadata (magic %s absent)", DAXMEM_META_MAGIC);
		return -ENOENT;
	}
	version = get32(p + H_VERSION);
	hdr = get32(p + H_HDRSIZE);
	len = get64(p + H_LENGTH);
	if (version > DAXMEM_META_VERSION) {
		snprintf(why, whylen, "format version %u is newer than %u: use a newer daxmemctl",
			 version, DAXMEM_META_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (version == 0)
		return bad(why, whylen, "format version 0");
	if (hdr != DAXMEM_META_HEADER_SIZE)
		return bad(why, whylen, "header size %u, expected %u", hdr,
			   DAXMEM_META_HEADER_SIZE);
	if (len < hdr || len > buflen)
		return bad(why, whylen, "length %llu outside %u..%zu", (unsigned long long)len, hdr,
			   buflen);
	crc = get32(p + H_CRC);
	if (image_crc(p, len) != crc)
		return bad(why, whylen, "checksum mismatch: stored %08x, computed %08x", crc,
			   image_crc(p, len));
	nr_carve = get32(p + H_NR_CARVE);
	nr_records = get32(p + H_NR_RECORDS);
	if (nr_carve > DAXMEM_META_MAX_CARVE || nr_carve * (uint64_t)CARVE_ENTRY > len - hdr)
		return bad(why, whylen, "%u carve entries out of range", nr_carve);
	if (nr_records > DAXMEM_META_MAX_RECORDS)
		return bad(why, whylen, "%u records out of range", nr_records);
	m->saved_realtime_ns = get64(p + H_REALTIME);
	m->saved_boottime_ns = get64(p + H_BOOTTIME);
	m->flags = get32(p + H_FLAGS);
	m->capacity = get64(p + H_CAPACITY);
	m->image_size = len;
	pos = hdr;
	for (i = 0; i < nr_carve; i++, pos += CARVE_ENTRY) {
		m->carve[i].start = get64(p + pos);
		m->carve[i].end = get64(p + pos + 8);
		if (m->carve[i].end < m->carve[i].start ||
		    (i && m->carve[i].start <= m->carve[i - 1].end)) {
			daxmem_meta_release(m);
			return bad(why, whylen, "carve entry %u is not in address order", i);
		}
	}
	m->nr_carve = nr_carve;
	rc = decode_records(p, len, pos, nr_records, m, why, whylen);
	if (!rc && !daxmem_meta_find(m, DAXMEM_META_STATE, NULL))
		rc = bad(why, whylen, "no state document record");
	if (rc)
		daxmem_meta_release(m);
	return rc;
}

int daxmem_meta_carve_from_iomem(const char *iomem, struct daxmem_meta *m)
{
	struct daxmem_memmap map;
	size_t i;
	int rc;

	daxmem_memmap_init(&map);
	rc = daxmem_iomem_parse(iomem, &map, NULL);
	m->nr_carve = 0;
	for (i = 0; !rc && i < map.nr; i++) {
		const struct daxmem_mem_range *r = &map.ranges[i];

		if (r->type != DAXMEM_MEM_SOFT_RESERVED)
			continue;
		/* the parser lists entries in file order: a nested one follows its parent */
		if (m->nr_carve && r->start <= m->carve[m->nr_carve - 1].end)
			continue;
		if (m->nr_carve == DAXMEM_META_MAX_CARVE) {
			rc = -E2BIG;
			break;
		}
		m->carve[m->nr_carve].start = r->start;
		m->carve[m->nr_carve].end = r->end;
		m->nr_carve++;
	}
	daxmem_memmap_release(&map);
	return rc;
}

char *daxmem_meta_carve_format(const struct daxmem_meta *m, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < m->nr_carve && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%#llx-%#llx", i ? "," : "",
			      (unsigned long long)m->carve[i].start,
			      (unsigned long long)m->carve[i].end);
	if (!m->nr_carve)
		snprintf(buf, len, "none");
	return buf;
}

int daxmem_meta_carve_compare(const struct daxmem_meta *saved, const struct daxmem_meta *now,
			      char *why, size_t whylen)
{
	char a[512], b[512];
	size_t i;

	if (saved->nr_carve == now->nr_carve) {
		for (i = 0; i < saved->nr_carve; i++)
			if (saved->carve[i].start != now->carve[i].start ||
			    saved->carve[i].end != now->carve[i].end)
				break;
		if (i == saved->nr_carve)
			return 0;
	}
	snprintf(why, whylen, "the carve differs: saved Soft Reserved %s, running kernel has %s",
		 daxmem_meta_carve_format(saved, a, sizeof(a)),
		 daxmem_meta_carve_format(now, b, sizeof(b)));
	return -ESTALE;
}
