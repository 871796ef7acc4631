// SPDX-License-Identifier: LGPL-2.1
/* Live-update metadata image: round trip, every validation, the carve. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/metadata.h>

#define CAP (2u << 20)

static const char state_doc[] = "{\"format\":\"daxmem-state\",\"version\":1,\"devices\":[]}";
static const char vmm_blob[] = "TVMSTATE and some bytes\0with a NUL";

static const char iomem[] = "00000000-00000fff : Reserved\n"
			    "00001000-0009fbff : System RAM\n"
			    "00100000-7fffffff : System RAM\n"
			    "100000000-13fffffff : Soft Reserved\n"
			    "  100000000-13fffffff : dax0.0\n"
			    "140000000-1bfffffff : Soft Reserved\n"
			    "  140000000-1bfffffff : pdax\n"
			    "1c0000000-1ffffffff : System RAM\n";

static void sample(struct daxmem_meta *m)
{
	daxmem_meta_init(m);
	cr_assert_eq(daxmem_meta_carve_from_iomem(iomem, m), 0);
	m->saved_realtime_ns = 1700000000123456789ULL;
	m->saved_boottime_ns = 42000000000ULL;
	cr_assert_eq(daxmem_meta_add_record(m, DAXMEM_META_STATE, "state.json", state_doc,
					    sizeof(state_doc) - 1),
		     0);
	cr_assert_eq(daxmem_meta_add_record(m, DAXMEM_META_VMM, "vm0", vmm_blob, sizeof(vmm_blob)),
		     0);
	cr_assert_eq(daxmem_meta_add_record(m, DAXMEM_META_FILE, "notes", "", 0), 0);
}

static uint8_t *encoded(size_t *len)
{
	struct daxmem_meta m;
	uint8_t *buf = calloc(1, CAP);

	sample(&m);
	*len = daxmem_meta_image_size(&m);
	cr_assert_eq(daxmem_meta_encode(&m, buf, CAP), 0);
	daxmem_meta_release(&m);
	return buf;
}

Test(metadata, crc32_reference)
{
	/* the IEEE check value */
	cr_assert_eq(daxmem_crc32(0, "123456789", 9), 0xcbf43926u);
	cr_assert_eq(daxmem_crc32(daxmem_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

Test(metadata, carve_from_iomem_takes_top_level_soft_reserved)
{
	struct daxmem_meta m;
	char buf[256];

	daxmem_meta_init(&m);
	cr_assert_eq(daxmem_meta_carve_from_iomem(iomem, &m), 0);
	cr_assert_eq(m.nr_carve, 2);
	cr_assert_eq(m.carve[0].start, 0x100000000ULL);
	cr_assert_eq(m.carve[1].end, 0x1bfffffffULL);
	cr_assert_str_eq(daxmem_meta_carve_format(&m, buf, sizeof(buf)),
			 "0x100000000-0x13fffffff,0x140000000-0x1bfffffff");
}

Test(metadata, round_trip)
{
	struct daxmem_meta m;
	const struct daxmem_meta_record *r;
	char why[256];
	size_t len;
	uint8_t *buf = encoded(&len);

	cr_assert_eq(daxmem_meta_image_length(buf, CAP), len);
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(m.saved_realtime_ns, 1700000000123456789ULL);
	cr_assert_eq(m.saved_boottime_ns, 42000000000ULL);
	cr_assert_eq(m.capacity, CAP);
	cr_assert_eq(m.image_size, len);
	cr_assert_eq(m.nr_carve, 2);
	cr_assert_eq(m.nr_records, 3);
	r = daxmem_meta_find(&m, DAXMEM_META_VMM, "vm0");
	cr_assert_not_null(r);
	cr_assert_eq(r->len, sizeof(vmm_blob));
	cr_assert_eq(memcmp(r->data, vmm_blob, sizeof(vmm_blob)), 0);
	r = daxmem_meta_find(&m, DAXMEM_META_STATE, NULL);
	cr_assert_eq(r->len, sizeof(state_doc) - 1);
	cr_assert_eq(memcmp(r->data, state_doc, r->len), 0);
	cr_assert_eq(daxmem_meta_find(&m, DAXMEM_META_FILE, "notes")->len, 0);
	cr_assert_null(daxmem_meta_find(&m, DAXMEM_META_VMM, "vm1"));
	cr_assert_eq(m.flags, 0);
	daxmem_meta_release(&m);
	free(buf);
}

Test(metadata, every_flipped_byte_is_caught)
{
	struct daxmem_meta m;
	char why[256];
	size_t len, i;
	uint8_t *buf = encoded(&len);

	for (i = 0; i < len; i++) {
		buf[i] ^= 0x40;
		cr_assert_neq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), 0,
			      "byte %zu flipped, image accepted", i);
		cr_assert_eq(m.nr_records, 0);
		buf[i] ^= 0x40;
	}
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), 0);
	daxmem_meta_release(&m);
	free(buf);
}

Test(metadata, checksum_mismatch_is_named)
{
	struct daxmem_meta m;
	char why[256];
	size_t len;
	uint8_t *buf = encoded(&len);

	buf[len - 1] ^= 1;
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), -EBADMSG);
	cr_assert(strstr(why, "checksum mismatch"), "%s", why);
	free(buf);
}

Test(metadata, no_magic_newer_version_truncated)
{
	struct daxmem_meta m;
	char why[256];
	size_t len;
	uint8_t *buf = encoded(&len), *zero = calloc(1, CAP);
	uint32_t v = DAXMEM_META_VERSION + 1;

	cr_assert_eq(daxmem_meta_decode(zero, CAP, &m, why, sizeof(why)), -ENOENT);
	cr_assert(strstr(why, "magic"), "%s", why);
	cr_assert_eq(daxmem_meta_image_length(zero, CAP), 0);
	/* a device smaller than the image claims */
	cr_assert_eq(daxmem_meta_decode(buf, len - 8, &m, why, sizeof(why)), -EBADMSG);
	cr_assert(strstr(why, "length"), "%s", why);
	memcpy(buf + 8, &v, sizeof(v));
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), -EPROTONOSUPPORT);
	cr_assert(strstr(why, "newer"), "%s", why);
	free(zero);
	free(buf);
}

Test(metadata, set_flags_keeps_the_image_valid)
{
	struct daxmem_meta m;
	char why[256];
	size_t len;
	uint8_t *buf = encoded(&len);

	cr_assert_eq(daxmem_meta_set_flags(buf, CAP, DAXMEM_META_RESTORED), 0);
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &m, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(m.flags, DAXMEM_META_RESTORED);
	daxmem_meta_release(&m);
	memset(buf, 0, 8);
	cr_assert_eq(daxmem_meta_set_flags(buf, CAP, DAXMEM_META_RESTORED), -ENOENT);
	free(buf);
}

Test(metadata, too_small_a_device)
{
	struct daxmem_meta m;
	uint8_t buf[256];

	sample(&m);
	cr_assert_gt(daxmem_meta_image_size(&m), sizeof(buf));
	cr_assert_eq(daxmem_meta_encode(&m, buf, sizeof(buf)), -ENOSPC);
	daxmem_meta_release(&m);
}

Test(metadata, record_names_and_duplicates)
{
	struct daxmem_meta m;
	char longname[DAXMEM_META_NAME_MAX + 1];

	daxmem_meta_init(&m);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "", "x", 1), -EINVAL);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "../etc", "x", 1), -EINVAL);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "..", "x", 1), -EINVAL);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, longname, "x", 1), -EINVAL);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "a", "x", 1), 0);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "a", "y", 1), -EEXIST);
	/* the same name under another kind is another record */
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_VMM, "a", "y", 1), 0);
	daxmem_meta_release(&m);
}

Test(metadata, an_image_without_state_is_refused)
{
	struct daxmem_meta m, out;
	uint8_t *buf = calloc(1, CAP);
	char why[256];

	daxmem_meta_init(&m);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_VMM, "vm0", "x", 1), 0);
	cr_assert_eq(daxmem_meta_encode(&m, buf, CAP), 0);
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &out, why, sizeof(why)), -EBADMSG);
	cr_assert(strstr(why, "state"), "%s", why);
	daxmem_meta_release(&m);
	free(buf);
}

Test(metadata, one_state_document)
{
	struct daxmem_meta m, out;
	uint8_t *buf = calloc(1, CAP);
	uint32_t kind = DAXMEM_META_STATE;
	char why[256];
	size_t len;

	daxmem_meta_init(&m);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_STATE, "a.json", state_doc, 8), 0);
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_STATE, "b.json", state_doc, 8),
		     -EEXIST);
	/* an image that holds a second one (the last record's kind rewritten) is refused */
	cr_assert_eq(daxmem_meta_add_record(&m, DAXMEM_META_FILE, "b.json", state_doc, 8), 0);
	len = daxmem_meta_image_size(&m);
	cr_assert_eq(daxmem_meta_encode(&m, buf, CAP), 0);
	memcpy(buf + len - 16 - 8 - 8, &kind, sizeof(kind));
	cr_assert_eq(daxmem_meta_set_flags(buf, CAP, 0), 0);
	cr_assert_eq(daxmem_meta_decode(buf, CAP, &out, why, sizeof(why)), -EBADMSG);
	cr_assert(strstr(why, "second state document"), "%s", why);
	cr_assert_eq(out.nr_records, 0);
	daxmem_meta_release(&m);
	free(buf);
}

Test(metadata, carve_mismatch_names_both)
{
	struct daxmem_meta saved, now;
	char why[1200];

	sample(&saved);
	daxmem_meta_init(&now);
	cr_assert_eq(daxmem_meta_carve_compare(&saved, &saved, why, sizeof(why)), 0);
	now.nr_carve = 1;
	now.carve[0].start = 0x100000000ULL;
	now.carve[0].end = 0x17fffffffULL;
	cr_assert_eq(daxmem_meta_carve_compare(&saved, &now, why, sizeof(why)), -ESTALE);
	cr_assert(strstr(why, "0x140000000-0x1bfffffff"), "%s", why);
	cr_assert(strstr(why, "0x100000000-0x17fffffff"), "%s", why);
	/* same count, one end moved */
	now = saved;
	now.records = NULL;
	now.carve[1].end += 0x200000;
	cr_assert_eq(daxmem_meta_carve_compare(&saved, &now, why, sizeof(why)), -ESTALE);
	daxmem_meta_release(&saved);
}

Test(metadata, kind_names)
{
	enum daxmem_meta_kind k;

	cr_assert_str_eq(daxmem_meta_kind_name(DAXMEM_META_VMM), "vmm");
	cr_assert_eq(daxmem_meta_kind_from_name("state", &k), 0);
	cr_assert_eq(k, DAXMEM_META_STATE);
	cr_assert_eq(daxmem_meta_kind_from_name("disk", &k), -EINVAL);
}
