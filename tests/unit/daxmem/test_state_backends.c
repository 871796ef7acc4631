// SPDX-License-Identifier: LGPL-2.1
/* State document: the backend chosen per Soft Reserved range (reconfigure). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "private.h"

Test(state_backends, round_trip_and_replace)
{
	struct daxmem_state_backend b = { 0x140000000ULL, 0x1bfffffffULL, DAXMEM_BACKEND_PAGELESS,
					  "hmem.1" };
	struct daxmem_state st, back;
	const struct daxmem_state_backend *f;
	char err[128];
	char *text;

	daxmem_state_init(&st);
	cr_assert_eq(daxmem_state_put_backend(&st, &b), 0);
	b.start = 0x100000000ULL;
	b.end = 0x13fffffffULL;
	b.backend = DAXMEM_BACKEND_DEVDAX;
	b.hmem[0] = '\0';
	cr_assert_eq(daxmem_state_put_backend(&st, &b), 0);
	/* the same start again replaces, it does not add */
	cr_assert_eq(daxmem_state_put_backend(&st, &b), 0);
	cr_assert_eq(st.nr_backends, 2);
	text = daxmem_state_format(&st);
	cr_assert_not_null(text);
	cr_assert_eq(daxmem_state_parse(text, strlen(text), &back, err, sizeof(err)), 0, "%s", err);
	f = daxmem_state_find_backend(&back, 0x140000000ULL);
	cr_assert_not_null(f);
	cr_assert_eq(f->end, 0x1bfffffffULL);
	cr_assert_eq(f->backend, DAXMEM_BACKEND_PAGELESS);
	cr_assert_str_eq(f->hmem, "hmem.1");
	f = daxmem_state_find_backend(&back, 0x100000000ULL);
	cr_assert_not_null(f);
	cr_assert_eq(f->backend, DAXMEM_BACKEND_DEVDAX);
	cr_assert_str_eq(f->hmem, "");
	cr_assert_null(daxmem_state_find_backend(&back, 0x180000000ULL));
	free(text);
	daxmem_state_clear(&st);
	daxmem_state_clear(&back);
}

/* a file written before the field existed has no "backends" and is still read */
Test(state_backends, absent_and_invalid)
{
	static const char old[] =
		"{ \"format\": \"daxmem-state\", \"version\": 1, \"devices\": [] }";
	static const char bad_backend[] =
		"{ \"format\": \"daxmem-state\", \"version\": 1, \"devices\": [],"
		" \"backends\": [ { \"start\": 4096, \"end\": 8191, \"backend\": \"kmem\" } ] }";
	static const char twice[] =
		"{ \"format\": \"daxmem-state\", \"version\": 1, \"devices\": [],"
		" \"backends\": [ { \"start\": 4096, \"end\": 8191, \"backend\": \"devdax\" },"
		" { \"start\": 4096, \"end\": 8191, \"backend\": \"pageless\" } ] }";
	struct daxmem_state st;
	char err[128];
	char *text;

	cr_assert_eq(daxmem_state_parse(old, strlen(old), &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st.nr_backends, 0);
	text = daxmem_state_format(&st);
	cr_assert_null(strstr(text, "backends"), "an empty list is not written");
	free(text);
	daxmem_state_clear(&st);
	cr_assert_eq(daxmem_state_parse(bad_backend, strlen(bad_backend), &st, err, sizeof(err)),
		     -EBADMSG);
	cr_assert(strstr(err, "backends[0]"), "%s", err);
	cr_assert_eq(daxmem_state_parse(twice, strlen(twice), &st, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "recorded twice"), "%s", err);
}
