// SPDX-License-Identifier: GPL-2.0
/*
 * The live-update metadata decoder (daxmem_meta_decode): the image a host
 * reads back from carved memory after a kexec. An accepted image must keep
 * every promise the restore path relies on (counts, names, carve order,
 * record data inside the image, one state document), encode back to an
 * image that decodes to the same content, survive set_flags, and hand its
 * state document to the state loader as restore does.
 *
 * The first input byte selects fix-ups, as anyone who can write the
 * metadata device can make them: bit 0 sets the header's length to the
 * whole buffer, bit 1 writes a correct CRC over the claimed length. The
 * next byte is the trailing room the device has behind the image.
 */
#include <errno.h>

#include <daxmem/metadata.h>

#include "fuzz.h"
#include "state.h"
#include "unaligned.h"

#define HDR DAXMEM_META_HEADER_SIZE
#define H_LENGTH 16
#define H_NR_RECORDS 44
#define H_CRC 48

static void fix_up(uint8_t *img, size_t len, uint8_t how)
{
	uint64_t n;
	uint32_t crc;

	if (len < HDR)
		return;
	if (how & 1) {
		n = len;
		memcpy(img + H_LENGTH, &n, sizeof(n));
	}
	n = get64(img + H_LENGTH);
	if (!(how & 2) || n < HDR || n > len)
		return;
	memset(img + H_CRC, 0, 4);
	crc = daxmem_crc32(0, img, n);
	memcpy(img + H_CRC, &crc, sizeof(crc));
}

static bool name_ok(const char *name)
{
	size_t len = strnlen(name, DAXMEM_META_NAME_MAX);

	return len && len < DAXMEM_META_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

static void check_decoded(const struct daxmem_meta *m, const uint8_t *img, size_t len)
{
	const uint8_t *end = img + m->image_size, *prev_end = img + HDR;
	size_t i, j, states = 0;

	fuzz_assert(m->image_size >= HDR && m->image_size <= len);
	fuzz_assert(daxmem_meta_image_length(img, len) == m->image_size);
	fuzz_assert(m->nr_carve <= DAXMEM_META_MAX_CARVE);
	fuzz_assert(m->nr_records <= DAXMEM_META_MAX_RECORDS);
	fuzz_assert(m->nr_records <= get32(img + H_NR_RECORDS));
	for (i = 0; i < m->nr_carve; i++) {
		fuzz_assert(m->carve[i].start <= m->carve[i].end);
		fuzz_assert(!i || m->carve[i].start > m->carve[i - 1].end);
	}
	for (i = 0; i < m->nr_records; i++) {
		const struct daxmem_meta_record *r = &m->records[i];
		const uint8_t *d = r->data;

		fuzz_assert(r->kind >= DAXMEM_META_STATE && r->kind <= DAXMEM_META_FILE);
		fuzz_assert(name_ok(r->name));
		/* in the image, in image order, not overlapping */
		fuzz_assert(d >= prev_end && d <= end && r->len <= (uint64_t)(end - d));
		prev_end = d + r->len;
		states += r->kind == DAXMEM_META_STATE;
		for (j = 0; j < i; j++)
			fuzz_assert(m->records[j].kind != r->kind ||
				    strcmp(m->records[j].name, r->name));
		fuzz_assert(daxmem_meta_find(m, r->kind, r->name) == r);
	}
	fuzz_assert(states == 1);
	/* skipped records (unknown kinds) are all that re-encoding drops */
	fuzz_assert(daxmem_meta_image_size(m) <= m->image_size);
	if (m->nr_records == get32(img + H_NR_RECORDS))
		fuzz_assert(daxmem_meta_image_size(m) == m->image_size);
}

static void same_meta(const struct daxmem_meta *a, const struct daxmem_meta *b)
{
	fuzz_assert(a->saved_realtime_ns == b->saved_realtime_ns);
	fuzz_assert(a->saved_boottime_ns == b->saved_boottime_ns);
	fuzz_assert(a->flags == b->flags);
	fuzz_assert(a->nr_carve == b->nr_carve);
	fuzz_assert(!memcmp(a->carve, b->carve, a->nr_carve * sizeof(a->carve[0])));
	fuzz_assert(a->nr_records == b->nr_records);
	for (size_t i = 0; i < a->nr_records; i++) {
		const struct daxmem_meta_record *x = &a->records[i], *y = &b->records[i];

		fuzz_assert(x->kind == y->kind && !strcmp(x->name, y->name));
		fuzz_assert(x->len == y->len && !memcmp(x->data, y->data, x->len));
	}
}

static void round_trip(const struct daxmem_meta *m)
{
	uint64_t size = daxmem_meta_image_size(m);
	struct daxmem_meta again;
	char why[256];
	uint8_t *img;

	img = malloc(size);
	if (!img)
		return;
	fuzz_assert(daxmem_meta_encode(m, img, size) == 0);
	fuzz_assert(daxmem_meta_encode(m, img, size - 1) == -ENOSPC);
	fuzz_assert(daxmem_meta_decode(img, size, &again, why, sizeof(why)) == 0);
	same_meta(m, &again);
	fuzz_assert(again.image_size == size);
	fuzz_assert(again.capacity == (m->capacity ? m->capacity : size));
	daxmem_meta_release(&again);

	/* marking it restored changes the flag and nothing else */
	fuzz_assert(daxmem_meta_set_flags(img, size, DAXMEM_META_RESTORED) == 0);
	fuzz_assert(daxmem_meta_decode(img, size, &again, why, sizeof(why)) == 0);
	fuzz_assert(again.flags == (m->flags | DAXMEM_META_RESTORED));
	again.flags = m->flags;
	same_meta(m, &again);
	daxmem_meta_release(&again);
	free(img);
}

/* what restore and the carve check do with an accepted image */
static void consume(const struct daxmem_meta *m)
{
	const struct daxmem_meta_record *rec = daxmem_meta_find(m, DAXMEM_META_STATE, NULL);
	struct daxmem_state doc;
	char why[256], small[24], carve[512];

	fuzz_assert(rec);
	daxmem_state_init(&doc);
	if (!daxmem_state_parse(rec->data, rec->len, &doc, why, sizeof(why)))
		daxmem_state_clear(&doc);
	fuzz_assert(memchr(why, 0, sizeof(why)));
	fuzz_assert(daxmem_meta_carve_compare(m, m, why, sizeof(why)) == 0);
	daxmem_meta_carve_format(m, small, sizeof(small));
	fuzz_assert(strlen(small) < sizeof(small));
	daxmem_meta_carve_format(m, carve, sizeof(carve));
	fuzz_assert(strlen(carve) < sizeof(carve));
	fuzz_assert(m->nr_carve || !strcmp(carve, "none"));
	fuzz_assert(!strncmp(carve, small, strlen(small)) || !m->nr_carve);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daxmem_meta m;
	char why[128];
	size_t len, room;
	uint8_t *img;
	int rc;

	if (size < 2)
		return 0;
	room = data[1];
	len = size - 2;
	img = malloc(len + room + 1);
	if (!img)
		return 0;
	memcpy(img, data + 2, len);
	fix_up(img, len, data[0]);
	memset(img + len, 0, room);

	rc = daxmem_meta_decode(img, len + room, &m, why, sizeof(why));
	fuzz_assert(memchr(why, 0, sizeof(why)) && why[0]);
	if (rc) {
		fuzz_assert(rc == -ENOENT || rc == -EPROTONOSUPPORT || rc == -EBADMSG ||
			    rc == -ENOMEM);
		fuzz_assert(m.nr_records == 0 && !m.records && m.nr_carve == 0);
		fuzz_assert(rc != -ENOENT || !daxmem_meta_image_length(img, len + room));
		free(img);
		return 0;
	}
	check_decoded(&m, img, len + room);
	round_trip(&m);
	consume(&m);
	daxmem_meta_release(&m);
	free(img);
	return 0;
}
