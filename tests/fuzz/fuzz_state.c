// SPDX-License-Identifier: GPL-2.0
/*
 * The state-file loader (daxmem_state_parse): any document it accepts must
 * format back to a document it accepts again, with the same content.
 */
#include <errno.h>

#include "fuzz.h"
#include "state.h"

static void same_state(const struct daxmem_state *a, const struct daxmem_state *b)
{
	fuzz_assert(a->nr_devs == b->nr_devs);
	fuzz_assert(a->nr_regions == b->nr_regions);
	fuzz_assert(a->nr_poisoned == b->nr_poisoned);
	for (size_t i = 0; i < a->nr_devs; i++) {
		const struct daxmem_state_dev *x = &a->devs[i], *y = &b->devs[i];

		fuzz_assert(!strcmp(x->name, y->name));
		fuzz_assert(x->nr_ranges == y->nr_ranges);
		fuzz_assert(x->preserved == y->preserved && x->mode == y->mode);
		fuzz_assert(!x->nr_ranges ||
			    !memcmp(x->ranges, y->ranges, x->nr_ranges * sizeof(*x->ranges)));
	}
	fuzz_assert(!a->nr_poisoned ||
		    !memcmp(a->poisoned, b->poisoned, a->nr_poisoned * sizeof(*a->poisoned)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daxmem_state st, again;
	char err[256];
	char *text;
	int rc;

	daxmem_state_init(&st);
	rc = daxmem_state_parse((const char *)data, size, &st, err, sizeof(err));
	if (rc) {
		fuzz_assert(rc == -EBADMSG || rc == -EPROTONOSUPPORT || rc == -ENOMEM);
		fuzz_assert(memchr(err, 0, sizeof(err)));
		fuzz_assert(st.nr_devs == 0);
		return 0;
	}
	text = daxmem_state_format(&st);
	if (text) {
		daxmem_state_init(&again);
		rc = daxmem_state_parse(text, strlen(text), &again, err, sizeof(err));
		if (rc)
			fprintf(stderr, "formatted state does not parse: %s\n%s\n", err, text);
		fuzz_assert(rc == 0);
		same_state(&st, &again);
		daxmem_state_clear(&again);
		free(text);
	}
	daxmem_state_clear(&st);
	return 0;
}
